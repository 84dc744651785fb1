using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using ArchDsl.Cli;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Files and folders that would trap a naive reader: a FIFO (opening it blocks until a writer comes),
    /// devices that never end, folders whose links loop, a file reached under several spellings, a file over the size
    /// limit, and an output path that is a file. Each command must end, within a deadline the test enforces, with a
    /// diagnostic or a clean error (exit 1 or 2), never a hang or an unhandled exception.</summary>
    public sealed class CliHostileFilesTests : IDisposable
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
        private readonly string folder = Path.Combine(Path.GetTempPath(), "archdsl-hostile-" + Guid.NewGuid().ToString("N"));

        public CliHostileFilesTests() => Directory.CreateDirectory(folder);

        public void Dispose() => Directory.Delete(folder, recursive: true);

        private string Write(string relativePath, string text)
        {
            var path = Path.Combine(folder, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        private string Fifo(string name)
        {
            var path = Path.Combine(folder, name);
            using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", path) { UseShellExecute = false })!;
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
            return path;
        }

        /// <summary>Runs the command line on a thread of its own; fails when it is still running at the deadline.</summary>
        private static (int Code, string Output, string Error) Bounded(params string[] args)
        {
            var run = Task.Run(() => CliRunner.Run(args));
            Assert.True(run.Wait(Deadline), "archdsl " + string.Join(" ", args) + " did not end within " + Deadline.TotalSeconds + " s");
            return run.Result;
        }

        private const string Network = "network N {\n  input 3x8x8\n  relu\n}\n";

        [Fact]
        public void Imports_of_a_fifo_stdin_a_device_and_a_folder_are_located_errors()
        {
            Fifo("fifo.arch");
            Directory.CreateDirectory(Path.Combine(folder, "sub"));
            var main = Write("main.arch", "import \"fifo.arch\"\nimport \"/dev/stdin\"\nimport \"/dev/zero\"\nimport \"sub\"\n" + Network);

            var (code, _, error) = Bounded("check", main);

            Assert.Equal(CliApp.SourceErrors, code);
            // Each says why it is not read, not that it is missing.
            Assert.Contains("main.arch(1,8): error ARCH0016: Cannot import 'fifo.arch': it is not a regular file", error);
            Assert.Contains("main.arch(2,8): error ARCH0016: Cannot import '/dev/stdin': it is not a regular file", error);
            Assert.Contains("main.arch(3,8): error ARCH0016: Cannot import '/dev/zero': it is not a regular file", error);
            Assert.Contains("main.arch(4,8): error ARCH0016: Cannot import 'sub': it is a folder", error);
        }

        [Theory]
        [InlineData("fifo")]
        [InlineData("/dev/zero")]
        [InlineData("/dev/stdin")]
        public void A_file_that_is_not_regular_on_the_command_line_is_refused_without_opening_it(string which)
        {
            var path = which == "fifo" ? Fifo("named.arch") : which;

            var (code, _, error) = Bounded("check", path);

            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains(path + ": is not a regular file", error);
        }

        /// <summary>A project folder holds copies of its .arch files in its build output; checking the folder checks the
        /// sources, as the build does, not the copies (which reported every network twice, ARCH0028).</summary>
        [Fact]
        public void A_folder_walk_leaves_out_build_output_and_hidden_folders()
        {
            Write("nets/a.arch", Network);
            Write("nets/bin/Release/net10.0/nets/a.arch", Network);
            Write("nets/obj/a.arch", Network);
            Write(".git/b.arch", Network);

            var (code, output, _) = Bounded("check", folder);

            Assert.Contains("1 file(s) checked: 0 error(s), 0 warning(s)", output);
            Assert.Equal(0, code);
            var (named, namedOutput, _) = Bounded("check", Path.Combine(folder, "nets", "obj"));
            Assert.Contains("1 file(s) checked", namedOutput);
            Assert.Equal(0, named);
        }

        [Fact]
        public void A_folder_with_links_that_loop_is_walked_once_and_its_other_files_checked()
        {
            Write("a.arch", Network);
            Write("deep/b.arch", Network.Replace("N", "M"));
            File.CreateSymbolicLink(Path.Combine(folder, "self1"), ".");
            File.CreateSymbolicLink(Path.Combine(folder, "self2"), ".");
            File.CreateSymbolicLink(Path.Combine(folder, "deep", "up"), "..");
            File.CreateSymbolicLink(Path.Combine(folder, "alias.arch"), "a.arch");
            Fifo("pipe.arch");

            var (code, output, error) = Bounded("check", folder);

            // a.arch and deep/b.arch once each (alias.arch is a.arch); the FIFO is reported, not opened.
            Assert.Contains("2 file(s) checked: 0 error(s), 0 warning(s); 1 file(s) could not be read", output);
            Assert.Contains("pipe.arch: is not a regular file", error);
            Assert.Equal(CliApp.UsageError, code);
        }

        [Fact]
        public void A_file_imported_under_four_spellings_is_one_file()
        {
            Write("lib/a.arch", "block A() { relu }\n");
            Directory.CreateDirectory(Path.Combine(folder, "lib", "sub"));
            File.CreateSymbolicLink(Path.Combine(folder, "lib", "link.arch"), "a.arch");
            var main = Write("lib/main.arch",
                "import \"a.arch\"\nimport \"./a.arch\"\nimport \"sub/../a.arch\"\nimport \"link.arch\"\nnetwork N {\n  input 3x8x8\n  A()\n}\n");

            var (code, output, error) = Bounded("check", main);

            Assert.True(code == CliApp.Success, error);
            Assert.Contains("1 file(s) checked: 0 error(s)", output);
        }

        [Fact]
        public void A_file_over_the_size_limit_is_refused_before_it_is_read()
        {
            var path = Path.Combine(folder, "huge.arch");
            using (var file = File.Create(path)) file.SetLength(ReliabilityLimits.MaxFileBytes + 1); // sparse: nothing written
            var main = Write("main.arch", "import \"huge.arch\"\n" + Network);

            var (code, _, error) = Bounded("check", path);
            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains("huge.arch: is 4,194,305 bytes; .arch files are read up to 4,194,304 bytes", error);

            var (importCode, _, importError) = Bounded("check", main);
            Assert.Equal(CliApp.SourceErrors, importCode);
            Assert.Contains("main.arch(1,8): error ARCH0016: Cannot import 'huge.arch': it is 4,194,305 bytes", importError);
        }

        [Fact]
        public void Check_of_a_folder_reports_names_that_collide_between_its_files()
        {
            Write("my_net.arch", "block S() { relu }\n" + Network);
            Write("my-net.arch", "block S() { relu }\n" + Network);

            var (code, output, error) = Bounded("check", folder);

            Assert.Equal(CliApp.SourceErrors, code);
            Assert.Contains("2 file(s) checked: 2 error(s)", output);
            // my-net.arch sorts first and keeps its names; my_net.arch's blocks enum and network N are refused.
            Assert.Contains("my_net.arch(1,7): error ARCH0028: The blocks of", error);
            Assert.Contains("my_net.arch(2,9): error ARCH0028: The network 'N'", error);
        }

        [Fact]
        public void Emit_into_a_path_that_is_a_file_or_cannot_be_written_is_a_clean_error()
        {
            var source = Write("n.arch", Network);
            var existing = Write("existing.cs", "// not a folder\n");

            var (code, _, error) = Bounded("emit", source, "-o", existing);
            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains("is a file", error);
            Assert.Equal("// not a folder\n", File.ReadAllText(existing));

            var (blocked, _, blockedError) = Bounded("emit", source, "-o", Path.Combine(existing, "below"));
            Assert.Equal(CliApp.UsageError, blocked);
            Assert.Contains("cannot write", blockedError);
        }
    }
}
