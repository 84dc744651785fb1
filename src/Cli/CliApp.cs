using System.CommandLine;
using System.IO;
using ArchDsl.Cli.Commands;

namespace ArchDsl.Cli
{
    /// <summary>The <c>archdsl</c> command line. Exit codes: 0 success, 1 the .arch files have errors,
    /// 2 the command line or a file could not be used.</summary>
    public static class CliApp
    {
        public const int Success = 0;
        public const int SourceErrors = 1;
        public const int UsageError = 2;

        /// <summary>Runs one command line with the given standard output and error (tests pass string writers).</summary>
        public static int Run(string[] args, TextWriter output, TextWriter error)
        {
            ArchSources.BeginRun();
            var console = new CliConsole(output, error);
            var root = new RootCommand(
                "archdsl: check, summarize and compile .arch network descriptions.\n" +
                "Diagnostics go to standard error as path(line,col): error ARCHnnnn: message.\n" +
                "Exit codes: 0 success, 1 errors in .arch files, 2 bad command line or unreadable file.")
            {
                CheckCommand.Create(console),
                SummaryCommand.Create(console),
                EmitCommand.Create(console),
                GraphCommand.Create(console),
                FmtCommand.Create(console),
                WeightsCommands.CreateExport(console),
                WeightsCommands.CreateImport(console),
                ExportOnnxCommand.Create(console),
            };

            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                foreach (var parseError in parsed.Errors) console.Fail(parseError.Message);
                error.WriteLine("Run 'archdsl --help' for usage.");
                return UsageError;
            }
            try
            {
                return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
            }
            catch (CliException failure)
            {
                console.Fail(failure.Message);
                return UsageError;
            }
        }
    }

    /// <summary>Where commands write: results to output, diagnostics and failures to error.</summary>
    public sealed class CliConsole
    {
        public CliConsole(TextWriter output, TextWriter error)
        {
            Output = output;
            Error = error;
        }

        public TextWriter Output { get; }

        public TextWriter Error { get; }

        public void Fail(string message) => Error.WriteLine("archdsl: error: " + message);
    }

    /// <summary>A failure of the command line or the file system (exit code 2), not of the .arch text.</summary>
    public sealed class CliException : System.Exception
    {
        public CliException(string message) : base(message) { }
    }
}
