using System;
using System.IO;
using ArchDsl.Cli;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary><c>archdsl export-weights</c> / <c>import-weights</c>: the weight scripts run through the command line.</summary>
    public sealed class WeightsCommandTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "archdsl-weights-" + Guid.NewGuid().ToString("N"));

        public WeightsCommandTests() => Directory.CreateDirectory(folder);

        public void Dispose() => Directory.Delete(folder, recursive: true);

        [PythonFact]
        public void Torchvision_weights_go_out_and_come_back_unchanged()
        {
            var dat = Path.Combine(folder, "resnet18.dat");
            var pt = Path.Combine(folder, "resnet18.pt");

            var export = Run("export-weights", "--torchvision", "resnet18", "--seed", "3", "--out", dat);
            Assert.True(export.Code == 0, export.Error);
            Assert.Contains("wrote 122 tensors", export.Output);                 // resnet18's state dict: 122 entries

            var strict = Run("import-weights", dat, "--torchvision", "resnet18");
            Assert.True(strict.Code == 0, strict.Error);
            Assert.Contains("loaded 122 tensors into resnet18", strict.Output);

            var back = Run("import-weights", dat, "--out", pt);
            Assert.True(back.Code == 0, back.Error);
            // Every tensor equals torchvision's resnet18 built with the same seed, bit for bit.
            var check = Python.RunCode(
                "import sys, torch, torchvision\n" +
                "torch.manual_seed(3)\n" +
                "ref = torchvision.models.resnet18().state_dict()\n" +
                "got = torch.load(sys.argv[1])\n" +
                "assert list(got) == list(ref), 'keys differ'\n" +
                "bad = [k for k in ref if not torch.equal(ref[k], got[k])]\n" +
                "print('differ:', bad)\n" +
                "sys.exit(1 if bad else 0)\n", pt);
            Assert.Contains("differ: []", check.Stdout);
        }

        [Fact]
        public void Export_needs_a_source()
        {
            var (code, _, error) = Run("export-weights", "--out", Path.Combine(folder, "x.dat"));

            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains("--torchvision NAME or --state-dict FILE", error);
        }

        [Fact]
        public void An_interpreter_without_torch_is_a_usage_error_that_says_what_to_install()
        {
            var fake = Path.Combine(folder, "python-without-torch");
            File.WriteAllText(fake, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var before = Environment.GetEnvironmentVariable("ARCHDSL_PYTHON");
            Environment.SetEnvironmentVariable("ARCHDSL_PYTHON", fake);
            try
            {
                var (code, output, error) = Run("import-weights", Path.Combine(folder, "w.dat"));

                Assert.Equal(CliApp.UsageError, code);
                Assert.Equal("", output);
                Assert.Contains("cannot import torch (ModuleNotFoundError: No module named 'torch')", error);
                Assert.Contains("python3-torch", error);
            }
            finally
            {
                Environment.SetEnvironmentVariable("ARCHDSL_PYTHON", before);
            }
        }

        [Theory]
        [InlineData("export-weights")]
        [InlineData("import-weights")]
        public void Weight_commands_have_help(string command)
        {
            var (code, output, _) = Run(command, "--help");

            Assert.Equal(0, code);
            Assert.Contains("--torchvision", output);
            Assert.Contains("--out", output);
        }

        private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);
    }
}
