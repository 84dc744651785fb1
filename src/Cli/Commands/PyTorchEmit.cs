using System.CommandLine;
using System.IO;
using System.Linq;
using ArchDsl.Generator.Emit.PyTorch;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl emit FILE --target pytorch</c>: the file as one self-contained Python module for PyTorch,
    /// with the same classes, state-dict keys and forward as the generated C#.</summary>
    public static class PyTorchEmit
    {
        public const string Target = "pytorch";

        public static Option<string> TargetOption()
        {
            var option = new Option<string>("--target")
            {
                Description = "What to emit: csharp (TorchSharp classes, the default) or pytorch (a Python module).",
                DefaultValueFactory = _ => "csharp",
                HelpName = "TARGET",
            };
            option.AcceptOnlyFromAmong("csharp", Target);
            return option;
        }

        /// <summary>Prints the module, or writes it to <paramref name="output"/>: a .py path, or a folder that gets STEM.py.</summary>
        public static int Run(CliConsole console, string path, string? output)
        {
            var source = ArchSources.Instance.Read(path);
            var result = PyTorchEmitter.Emit(source, ArchSources.Instance);
            var diagnostics = result.Diagnostics.IsDefault ? new ArchDiagnostic[0] : result.Diagnostics.ToArray();
            foreach (var diagnostic in diagnostics) console.Error.WriteLine(diagnostic.ToString());
            if (result.Text == null || diagnostics.Any(d => d.Severity == ArchSeverity.Error)) return CliApp.SourceErrors;
            if (output == null)
            {
                console.Output.Write(result.Text);
                return CliApp.Success;
            }
            var file = output.EndsWith(".py", System.StringComparison.OrdinalIgnoreCase)
                ? output
                : Path.Combine(output, Path.GetFileNameWithoutExtension(path) + ".py");
            try
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (folder != null) Directory.CreateDirectory(folder);
                File.WriteAllText(file, result.Text);
            }
            catch (System.Exception e) when (e is IOException or System.UnauthorizedAccessException)
            {
                throw new CliException("cannot write " + file + ": " + e.Message);
            }
            console.Output.WriteLine(file);
            return CliApp.Success;
        }
    }
}
