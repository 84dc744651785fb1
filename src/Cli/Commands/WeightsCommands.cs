using System;
using System.Collections.Generic;
using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl export-weights</c> and <c>archdsl import-weights</c>: tools/weights/export.py and import.py
    /// (shipped beside the tool as weights/*.py), run with a Python that has torch. Same arguments as the scripts.</summary>
    public static class WeightsCommands
    {
        /// <summary>Debian's interpreter, the one with python3-torch; ARCHDSL_PYTHON names another.</summary>
        public static string Interpreter =>
            Environment.GetEnvironmentVariable("ARCHDSL_PYTHON") is { Length: > 0 } python ? python
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

        public static Command CreateExport(CliConsole console)
        {
            var torchvision = new Option<string?>("--torchvision") { Description = "Build torchvision.models.NAME (random weights, seeded) and export its state dict.", HelpName = "NAME" };
            var stateDict = new Option<string?>("--state-dict") { Description = "Export a file written by torch.save(state_dict).", HelpName = "FILE" };
            var kwargs = new Option<string?>("--kwargs") { Description = "JSON keyword arguments for the torchvision builder, e.g. '{\"width_mult\": 0.5}'.", HelpName = "JSON" };
            var seed = new Option<int?>("--seed") { Description = "torch.manual_seed before building (default 0).", HelpName = "N" };
            var output = new Option<string>("--out") { Description = "The TorchSharp weight file to write (load it with the generated class's LoadWeights).", HelpName = "FILE", Required = true };
            var command = new Command("export-weights",
                "Write PyTorch weights (a torchvision model's, or a saved state dict) in TorchSharp's format, for the generated classes. Runs tools/weights/export.py.")
            {
                torchvision, stateDict, kwargs, seed, output,
            };
            command.SetAction(parsed =>
            {
                var tv = parsed.GetValue(torchvision);
                var sd = parsed.GetValue(stateDict);
                if ((tv == null) == (sd == null)) throw new CliException("export-weights needs one of --torchvision NAME or --state-dict FILE");
                var args = new List<string>();
                Add(args, "--torchvision", tv);
                Add(args, "--state-dict", sd);
                Add(args, "--kwargs", parsed.GetValue(kwargs));
                Add(args, "--seed", parsed.GetValue(seed)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Add(args, "--out", parsed.GetValue(output));
                return RunScript(console, "export.py", args);
            });
            return command;
        }

        public static Command CreateImport(CliConsole console)
        {
            var weights = new Argument<string>("WEIGHTS") { Description = "A file written by TorchSharp's Module.save (a generated class's SaveWeights or save)." };
            var output = new Option<string?>("--out") { Description = "Write the weights as torch.save(state_dict) here.", HelpName = "FILE" };
            var torchvision = new Option<string?>("--torchvision") { Description = "Check the weights load strictly into torchvision.models.NAME.", HelpName = "NAME" };
            var kwargs = new Option<string?>("--kwargs") { Description = "JSON keyword arguments for the torchvision builder.", HelpName = "JSON" };
            var command = new Command("import-weights",
                "Read TorchSharp weights back into PyTorch: list them, save them as a state dict (--out) or load them into a torchvision model (--torchvision). Runs tools/weights/import.py.")
            {
                weights, output, torchvision, kwargs,
            };
            command.SetAction(parsed =>
            {
                var args = new List<string> { parsed.GetValue(weights)! };
                Add(args, "--out", parsed.GetValue(output));
                Add(args, "--torchvision", parsed.GetValue(torchvision));
                Add(args, "--kwargs", parsed.GetValue(kwargs));
                return RunScript(console, "import.py", args);
            });
            return command;
        }

        private static void Add(List<string> args, string option, string? value)
        {
            if (value == null) return;
            args.Add(option);
            args.Add(value);
        }

        /// <summary>The script's folder: weights/ beside the tool, else tools/weights/ of a checkout above the working folder.</summary>
        private static string Script(string name)
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "weights", name);
            if (File.Exists(beside)) return beside;
            for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
            {
                var inRepo = Path.Combine(dir.FullName, "tools", "weights", name);
                if (File.Exists(inRepo)) return inRepo;
            }
            throw new CliException("cannot find " + name + " (expected in " + Path.GetDirectoryName(beside) + ")");
        }

        private static int RunScript(CliConsole console, string name, List<string> args)
        {
            var script = Script(name);
            var probe = Run(new List<string> { "-c", "import torch" });
            if (probe.ExitCode != 0)
            {
                throw new CliException(Interpreter + " cannot import torch (" + LastLine(probe.Error) +
                    "); install PyTorch for it (Debian: apt-get install python3-torch python3-torchvision) or name another interpreter with ARCHDSL_PYTHON");
            }
            args.Insert(0, script);
            var result = Run(args);
            console.Output.Write(result.Output);
            console.Error.Write(result.Error);
            if (result.ExitCode == 0) return CliApp.Success;
            console.Fail(name + " failed (exit " + result.ExitCode + ")");
            return CliApp.UsageError;
        }

        private static string LastLine(string text)
        {
            var lines = text.Trim().Split('\n');
            return lines[^1].Trim();
        }

        private static (int ExitCode, string Output, string Error) Run(List<string> args)
        {
            var start = new ProcessStartInfo(Interpreter)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args) start.ArgumentList.Add(a);
            try
            {
                using var process = Process.Start(start) ?? throw new CliException("could not start " + Interpreter);
                var error = process.StandardError.ReadToEndAsync();
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                return (process.ExitCode, output, error.Result);
            }
            catch (Win32Exception)
            {
                throw new CliException("Python was not found at '" + Interpreter + "'; install python3 with python3-torch, or name an interpreter with ARCHDSL_PYTHON");
            }
        }
    }
}
