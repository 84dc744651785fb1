using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using ArchDsl.Syntax;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl fmt FILE|DIR... [--check] [--stdout]</c>: canonical layout of .arch files (rules in docs/cli.md).</summary>
    public static class FmtCommand
    {
        public static Command Create(CliConsole console)
        {
            var files = new Argument<string[]>("FILE")
            {
                Description = ".arch files or folders (searched recursively for *.arch).",
                Arity = ArgumentArity.OneOrMore,
            };
            var check = new Option<bool>("--check")
            {
                Description = "Write nothing; list the files that are not formatted and exit 1 if there is any.",
            };
            var stdout = new Option<bool>("--stdout")
            {
                Description = "Print the formatted text of one file instead of rewriting it.",
            };
            var command = new Command("fmt",
                "Rewrite .arch files in the canonical layout, keeping every comment. Files with syntax errors are left " +
                "untouched and their errors reported (exit 1).")
            {
                files, check, stdout,
            };
            command.SetAction(parsed => Run(console, parsed.GetValue(files) ?? new string[0], parsed.GetValue(check), parsed.GetValue(stdout)));
            return command;
        }

        private static int Run(CliConsole console, IReadOnlyList<string> paths, bool check, bool toStdout)
        {
            if (check && toStdout) throw new CliException("--check and --stdout cannot be used together");
            var files = ArchSources.Instance.Expand(paths);
            if (toStdout && files.Count != 1) throw new CliException("--stdout prints one file; " + files.Count + " were named");
            // Every file is read before any is written, so a missing one changes nothing.
            var sources = new List<SourceFile>();
            foreach (var path in files) sources.Add(ArchSources.Instance.Read(path));

            int errors = 0, changed = 0;
            foreach (var source in sources)
            {
                FormatResult result;
                try
                {
                    result = ArchFormatter.Format(source);
                }
                catch (InvalidOperationException failure)
                {
                    throw new CliException("cannot format " + source.Path + " (left unchanged): " + failure.Message);
                }
                if (result.HasErrors)
                {
                    foreach (var diagnostic in result.Diagnostics) console.Error.WriteLine(diagnostic.ToString());
                    errors++;
                    continue;
                }
                if (toStdout)
                {
                    console.Output.Write(result.Text);
                    continue;
                }
                if (!result.Changed) continue;
                changed++;
                if (!check) WriteAtomically(source.Path, result.Text);
                console.Output.WriteLine(source.Path);
            }
            if (toStdout) return errors > 0 ? CliApp.SourceErrors : CliApp.Success;
            console.Error.WriteLine(string.Format(CultureInfo.InvariantCulture,
                check ? "{0} file(s) checked: {1} not formatted, {2} with syntax errors" : "{0} file(s): {1} reformatted, {2} with syntax errors",
                sources.Count, changed, errors));
            return errors > 0 || (check && changed > 0) ? CliApp.SourceErrors : CliApp.Success;
        }

        /// <summary>Writes beside the file and renames over it, so an interrupted run leaves the old file or the new one.</summary>
        private static void WriteAtomically(string path, string text)
        {
            var full = Path.GetFullPath(path);
            var temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllText(temp, text);
                File.Move(temp, full, overwrite: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw new CliException("cannot write " + path + ": " + exception.Message);
            }
        }
    }
}
