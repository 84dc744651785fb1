using System;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Generator.Tests;

/// <summary>The VS Code grammar (editors/vscode) tokenizes every catalogue and sample file cleanly and
/// gives known tokens of the catalogue their scopes. The check runs in node with vscode-textmate, the
/// tokenizer VS Code uses; node and npm are required, and their absence is a failure, not a pass.</summary>
public class EditorGrammarTests
{
    static readonly string Extension = Path.Combine(RepoPaths.Root, "editors", "vscode");

    [Fact]
    public void Grammar_tokenizes_every_catalogue_file_with_the_expected_scopes()
    {
        var install = Run("npm", "ci --no-audit --no-fund --loglevel=error");
        Assert.True(install.ExitCode == 0, "npm ci failed in editors/vscode:\n" + install.Output);

        var test = Run("node", $"test/grammar.test.js \"{RepoPaths.Root}\"");
        Assert.True(test.ExitCode == 0, "the grammar test failed:\n" + test.Output);
    }

    static (int ExitCode, string Output) Run(string program, string arguments)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = Extension,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"'{program}' is required for the editor grammar test (node 20 and npm): {e.Message}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} {arguments} ran past 5 minutes");
            }
            Task.WaitAll(stdout, stderr);
            return (process.ExitCode, stdout.Result + stderr.Result);
        }
    }
}
