using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using ArchDsl.Generator.Pipeline;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl check FILE...</c>: every diagnostic of the files, in the compiler's format.</summary>
    public static class CheckCommand
    {
        public static Command Create(CliConsole console)
        {
            var files = new Argument<string[]>("FILE")
            {
                Description = ".arch files or folders (searched recursively for *.arch).",
                Arity = ArgumentArity.OneOrMore,
            };
            var command = new Command("check", "Report the diagnostics of .arch files on standard error; exit 1 if any is an error.")
            {
                files,
            };
            command.SetAction(parsed => Run(console, parsed.GetValue(files) ?? new string[0]));
            return command;
        }

        private static int Run(CliConsole console, IReadOnlyList<string> paths)
        {
            var seen = new HashSet<ArchDiagnostic>();
            int errors = 0, warnings = 0, unreadable = 0;
            var files = ArchSources.Instance.Expand(paths);
            var read = new List<ArchFile>();
            foreach (var path in files)
            {
                SourceFile source;
                try { source = ArchSources.Instance.Read(path); }
                catch (CliException failure)
                {
                    // One unreadable file (a FIFO named *.arch in a folder, a file over the size limit) does not stop
                    // the others from being checked; the exit code still says a file could not be used.
                    console.Fail(failure.Message);
                    unreadable++;
                    continue;
                }
                read.Add(new ArchFile(source.Path, source.Path, source.Text));
                var result = ArchFrontEnd.Check(source, ArchSources.Instance);
                // A file imported by several checked files reports its diagnostics once.
                foreach (var diagnostic in result.Diagnostics.Where(seen.Add))
                {
                    console.Error.WriteLine(diagnostic.ToString());
                    if (diagnostic.Severity == ArchSeverity.Error) errors++;
                    else if (diagnostic.Severity == ArchSeverity.Warning) warnings++;
                }
            }
            // The files checked together are one project, as the generator sees a project's files: names that
            // collide between them (the same network in two files, two files with one blocks name) are errors too.
            foreach (var d in ProjectCollisions.Find(read).Diagnostics)
            {
                console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0}({1},{2}): error {3}: {4}", d.FullPath, d.StartLine + 1, d.StartColumn + 1, d.Id, d.Message));
                errors++;
            }
            console.Output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{0} file(s) checked: {1} error(s), {2} warning(s)", files.Count - unreadable, errors, warnings)
                + (unreadable > 0 ? string.Format(CultureInfo.InvariantCulture, "; {0} file(s) could not be read", unreadable) : ""));
            return unreadable > 0 ? CliApp.UsageError : errors > 0 ? CliApp.SourceErrors : CliApp.Success;
        }
    }
}
