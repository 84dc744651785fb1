using System.IO;
using ArchDsl.Cli;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Runs the archdsl command line in-process, capturing its output and errors.</summary>
    internal static class CliRunner
    {
        public static (int Code, string Output, string Error) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = CliApp.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }
    }
}
