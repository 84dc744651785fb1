using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.CommandLine;
using System.IO;
using System.Linq;
using ArchDsl.Cli.Output;
using ArchDsl.Generator.Pipeline;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl summary FILE</c> and <c>archdsl summary --all DIR</c>: shapes and costs per layer and in
    /// total, computed statically by the front end at each network's declared input size.</summary>
    public static class SummaryCommand
    {
        public static Command Create(CliConsole console)
        {
            var file = new Argument<string?>("FILE")
            {
                Description = "The .arch file to summarize (or use --all).",
                Arity = ArgumentArity.ZeroOrOne,
            };
            var all = new Option<string?>("--all")
            {
                Description = "Summarize every network of every .arch file under this folder.",
                HelpName = "DIR",
            };
            var network = new Option<string?>("--network", "-n")
            {
                Description = "Only the network (or variant) with this name.",
                HelpName = "NAME",
            };
            var input = new Option<string?>("--input")
            {
                Description = "Analyse at this input size without batch, e.g. 3x160x160 (default: the declared input).",
                HelpName = "CxHxW",
            };
            var format = new Option<string>("--format", "-f")
            {
                Description = "table (per-layer rows; with --all one row per network) or json (see docs/cli.md).",
                DefaultValueFactory = _ => "table",
            };
            format.AcceptOnlyFromAmong("table", "json");

            var command = new Command("summary", "Print the per-layer output shapes, parameters, MACs and memory access cost of networks, and their buffers and state-dict keys.")
            {
                file, all, network, input, format,
            };
            command.SetAction(parsed => Run(console, new Request(
                parsed.GetValue(file), parsed.GetValue(all), parsed.GetValue(network),
                parsed.GetValue(input), parsed.GetValue(format) ?? "table")));
            return command;
        }

        private sealed record Request(string? File, string? All, string? Network, string? Input, string Format);

        private static int Run(CliConsole console, Request request)
        {
            if ((request.File is null) == (request.All is null))
                throw new CliException("summary needs either a FILE or --all DIR");
            var expectedInput = request.Input is null ? (ImmutableArray<long>?)null : ParseShape(request.Input);

            var networks = new List<NetworkSummary>();
            var sourceOf = new Dictionary<NetworkSummary, SourceFile>();
            var errors = false;
            foreach (var (source, shownAs) in Sources(request))
            {
                var result = ArchFrontEnd.Check(source, ArchSources.Instance);
                foreach (var diagnostic in result.Diagnostics) console.Error.WriteLine(diagnostic.ToString());
                errors |= result.Diagnostics.Any(d => d.Severity == ArchSeverity.Error);
                foreach (var n in result.Networks.Select(n => n with { File = Shown(n.File, source, shownAs, request) }))
                {
                    networks.Add(n);
                    sourceOf[n] = source;
                }
            }
            if (errors) return CliApp.SourceErrors;

            if (request.Network != null)
            {
                var named = networks.Where(n => n.Name == request.Network).ToList();
                if (named.Count == 0)
                {
                    throw new CliException("no network named '" + request.Network + "'; the file defines: " +
                        (networks.Count == 0 ? "none" : string.Join(", ", networks.Select(n => n.Name))));
                }
                networks = named;
            }
            if (expectedInput is { } shape)
            {
                if (shape.Length != 3) throw new CliException("--input must have three sizes, CxHxW, not '" + request.Input + "'");
                // Re-analyse at the requested input: shapes and costs are static for any input size.
                for (int i = 0; i < networks.Count; i++)
                {
                    var n = networks[i];
                    if (n.Input.SequenceEqual(shape)) continue;
                    var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(sourceOf[n], ArchSources.Instance, n.Name,
                        input: (shape[0], shape[1], shape[2]));
                    foreach (var diagnostic in diagnostics) console.Error.WriteLine(diagnostic.ToString());
                    if (report == null || diagnostics.Any(d => d.Severity == ArchSeverity.Error)) return CliApp.SourceErrors;
                    networks[i] = report.Summary with { File = n.File };
                }
            }

            if (request.Format == "json") console.Output.Write(SummaryJson.Format(networks, withLayers: request.All is null));
            else if (request.All != null) console.Output.Write(SummaryTable.Overview(networks));
            else console.Output.Write(string.Join("\n", networks.Select(SummaryTable.Format)));
            return CliApp.Success;
        }

        /// <summary>The files to read, each with the path to show for it: as given for FILE, relative to DIR for --all.</summary>
        private static IEnumerable<(SourceFile Source, string ShownAs)> Sources(Request request)
        {
            if (request.File != null)
            {
                var source = ArchSources.Instance.Read(request.File);
                yield return (source, source.Path);
                yield break;
            }
            if (!Directory.Exists(request.All)) throw new CliException("folder not found: " + request.All);
            foreach (var path in ArchSources.Instance.Expand(new[] { request.All! }))
            {
                yield return (ArchSources.Instance.Read(path), ArchPaths.RelativeTo(path, request.All!));
            }
        }

        /// <summary>The path to show for a network's own file: <paramref name="shownAs"/> for the file summarized; for a
        /// network imported from another file (a variant here of a network there), that file's path, shown as the files
        /// named are (relative to DIR with --all), so its line is read in the file it belongs to.</summary>
        private static string Shown(string file, SourceFile source, string shownAs, Request request) =>
            file == source.Path ? shownAs : request.All != null ? ArchPaths.RelativeTo(file, request.All) : file;

        /// <summary>"3x224x224" → [3, 224, 224].</summary>
        public static ImmutableArray<long> ParseShape(string text)
        {
            var parts = text.Split('x', 'X', ',');
            var dimensions = ImmutableArray.CreateBuilder<long>(parts.Length);
            foreach (var part in parts)
            {
                if (!long.TryParse(part.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var d) || d < 1)
                    throw new CliException("--input must look like 3x224x224 (positive sizes without batch), not '" + text + "'");
                dimensions.Add(d);
            }
            return dimensions.MoveToImmutable();
        }
    }
}
