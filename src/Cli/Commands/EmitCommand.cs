using System.CommandLine;
using System.IO;
using System.Linq;
using ArchDsl.Generator;
using ArchDsl.Generator.Emit;
using ArchDsl.Generator.Pipeline;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl emit FILE</c>: the C# the source generator produces for a file, printed or written out.</summary>
    public static class EmitCommand
    {
        public static Command Create(CliConsole console)
        {
            var file = new Argument<string>("FILE") { Description = "The .arch file to compile." };
            var ns = new Option<string>("--namespace")
            {
                Description = "Namespace of the generated classes (the generator's ArchDslNamespace property).",
                DefaultValueFactory = _ => ArchGenerator.DefaultNamespace,
                HelpName = "NAMESPACE",
            };
            var output = new Option<string?>("--output", "-o")
            {
                Description = "Write one .cs file per generated source into this folder instead of printing.",
                HelpName = "DIR",
            };
            var target = PyTorchEmit.TargetOption();
            var command = new Command("emit", "Print the C# classes generated from an .arch file (as the source generator would add them), or with --target pytorch a Python module for PyTorch.")
            {
                file, ns, output, target,
            };
            command.SetAction(parsed => parsed.GetValue(target) == PyTorchEmit.Target
                ? PyTorchEmit.Run(console, parsed.GetValue(file)!, parsed.GetValue(output))
                : Run(console, parsed.GetValue(file)!, parsed.GetValue(ns)!, parsed.GetValue(output)));
            return command;
        }

        private static int Run(CliConsole console, string path, string ns, string? outputFolder)
        {
            var source = ArchSources.Instance.Read(path);
            var result = CSharpEmitter.Emit(source, ArchSources.Instance, new EmitOptions(ns));
            var diagnostics = result.Diagnostics.IsDefault ? new ArchDiagnostic[0] : result.Diagnostics.ToArray();
            foreach (var diagnostic in diagnostics) console.Error.WriteLine(diagnostic.ToString());
            if (diagnostics.Any(d => d.Severity == ArchSeverity.Error)) return CliApp.SourceErrors;

            var sources = UnitCompiler.NameSources(source.Path, result.Sources.IsDefault ? new GeneratedSource[0] : result.Sources.ToArray());
            if (outputFolder != null)
            {
                if (File.Exists(outputFolder)) throw new CliException("-o " + outputFolder + ": is a file; -o names the folder the .cs files go into");
                foreach (var generated in sources)
                {
                    var file = Path.Combine(outputFolder, generated.HintName);
                    try
                    {
                        Directory.CreateDirectory(outputFolder);
                        File.WriteAllText(file, generated.Text);
                    }
                    catch (System.Exception e) when (e is IOException or System.UnauthorizedAccessException)
                    {
                        throw new CliException("cannot write " + file + ": " + e.Message);
                    }
                    console.Output.WriteLine(file);
                }
                return CliApp.Success;
            }
            foreach (var generated in sources)
            {
                console.Output.WriteLine("// ---- " + generated.HintName + " ----");
                console.Output.Write(generated.Text);
                if (!generated.Text.EndsWith("\n", System.StringComparison.Ordinal)) console.Output.WriteLine();
            }
            return CliApp.Success;
        }
    }
}
