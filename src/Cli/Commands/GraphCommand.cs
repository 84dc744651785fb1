using System;
using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using ArchDsl.Analysis;
using ArchDsl.Cli.Graph;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl graph FILE --network NAME [-o out.svg|out.dot] [--expand] [--input CxHxW]</c>: a diagram of
    /// one network, as Graphviz DOT or rendered by Graphviz's <c>dot</c>.</summary>
    public static class GraphCommand
    {
        /// <summary>The Graphviz program; ARCHDSL_DOT names another (a full path, or a stand-in in tests).</summary>
        public static string DotProgram => Environment.GetEnvironmentVariable("ARCHDSL_DOT") is { Length: > 0 } dot ? dot : "dot";

        public static Command Create(CliConsole console)
        {
            var file = new Argument<string>("FILE") { Description = "The .arch file that defines the network." };
            var network = new Option<string?>("--network", "-n")
            {
                Description = "The network (or variant) to draw; may be left out when the file defines only one.",
                HelpName = "NAME",
            };
            var output = new Option<string?>("--output", "-o")
            {
                Description = "Where to write: .dot for DOT text; .svg, .png or .pdf rendered with Graphviz's 'dot'. Default: DOT on standard output.",
                HelpName = "PATH",
            };
            var expand = new Option<bool>("--expand")
            {
                Description = "Draw every layer of every block instance (default: each run of one block drawn once, marked ×N, with consecutive layers in one box).",
            };
            var input = new Option<string?>("--input")
            {
                Description = "Input size without batch, e.g. 3x160x160 (default: the network's declared input).",
                HelpName = "CxHxW",
            };
            var command = new Command("graph",
                "Draw a network: blocks and stages as boxes, branches, concatenations, additions and shortcuts as their own nodes and edges, tensor shapes on the edges.")
            {
                file, network, output, expand, input,
            };
            command.SetAction(parsed => Run(console, parsed.GetValue(file)!, parsed.GetValue(network), parsed.GetValue(output),
                parsed.GetValue(expand), parsed.GetValue(input)));
            return command;
        }

        private static int Run(CliConsole console, string path, string? name, string? output, bool expand, string? input)
        {
            var format = output == null ? "dot" : Path.GetExtension(output).TrimStart('.').ToLowerInvariant();
            if (format is not ("dot" or "gv" or "svg" or "png" or "pdf"))
                throw new CliException("-o must end in .dot, .svg, .png or .pdf, not '" + output + "'");
            System.Collections.Immutable.ImmutableArray<long>? shape = input == null ? null : SummaryCommand.ParseShape(input);
            if (shape is { Length: not 3 }) throw new CliException("--input must have three sizes, CxHxW, not '" + input + "'");

            var source = ArchSources.Instance.Read(path);
            var result = ArchFrontEnd.Analyze(source, ArchSources.Instance);
            foreach (var diagnostic in result.Diagnostics) console.Error.WriteLine(diagnostic.ToString());
            if (result.HasErrors || result.Program == null) return CliApp.SourceErrors;
            var report = Pick(result, name);
            if (shape is { } s && !report.Summary.Input.SequenceEqual(s))
            {
                var (again, diagnostics) = ArchFrontEnd.AnalyzeNetwork(source, ArchSources.Instance, report.Summary.Name, input: (s[0], s[1], s[2]));
                foreach (var diagnostic in diagnostics) console.Error.WriteLine(diagnostic.ToString());
                if (again == null || diagnostics.Any(d => d.Severity == ArchSeverity.Error)) return CliApp.SourceErrors;
                report = again;
            }

            var dot = DotWriter.Write(GraphBuilder.Build(report, result.Program.Definitions.Values, expand));
            if (output == null) console.Output.Write(dot);
            else if (format is "dot" or "gv") Write(output, Encoding.UTF8.GetBytes(dot));
            else Write(output, Render(dot, format));
            return CliApp.Success;
        }

        private static NetworkReport Pick(AnalysisResult result, string? name)
        {
            var names = result.Reports.Select(r => r.Summary.Name).ToList();
            if (name == null)
            {
                if (result.Reports.Length == 1) return result.Reports[0];
                throw new CliException("name the network to draw with --network; the file defines: " + (names.Count == 0 ? "none" : string.Join(", ", names)));
            }
            return result.Reports.FirstOrDefault(r => r.Summary.Name == name)
                ?? throw new CliException("no network named '" + name + "'; the file defines: " + (names.Count == 0 ? "none" : string.Join(", ", names)));
        }

        /// <summary>Runs <c>dot -Tformat</c> on the DOT text and returns what it printed.</summary>
        public static byte[] Render(string dot, string format)
        {
            var start = new ProcessStartInfo(DotProgram, "-T" + format)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new CliException("could not start Graphviz's '" + DotProgram + "'");
            }
            catch (Win32Exception)
            {
                throw new CliException("Graphviz's '" + DotProgram + "' was not found; install Graphviz (Debian: apt-get install graphviz) or write DOT with -o FILE.dot");
            }
            using (process)
            {
                var errors = process.StandardError.ReadToEndAsync();
                using var rendered = new MemoryStream();
                var copy = process.StandardOutput.BaseStream.CopyToAsync(rendered);
                process.StandardInput.Write(dot);
                process.StandardInput.Close();
                copy.Wait();
                process.WaitForExit();
                if (process.ExitCode != 0)
                    throw new CliException("'" + DotProgram + " -T" + format + "' failed (exit " + process.ExitCode + "): " + errors.Result.Trim());
                return rendered.ToArray();
            }
        }

        private static void Write(string path, byte[] bytes)
        {
            try
            {
                File.WriteAllBytes(path, bytes);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot write " + path + ": " + exception.Message);
            }
        }
    }
}
