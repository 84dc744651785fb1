using System;
using System.IO;
using System.Linq;
using ArchDsl.Cli;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary><c>archdsl fmt</c>: rewriting in place, <c>--check</c>, <c>--stdout</c>, files with syntax errors, exit codes;
    /// and the catalogue itself stays formatted.</summary>
    public sealed class FmtCommandTests : IDisposable
    {
        private const string Messy = "block A( out:int ) {\n    conv(out,3)   // three\n  relu\n}\n";
        private const string Formatted = "block A(out: int) {\n  conv(out, 3)   // three\n  relu\n}\n";

        private readonly string folder = Path.Combine(Path.GetTempPath(), "archdsl-fmt-" + Guid.NewGuid().ToString("N"));

        public FmtCommandTests() => Directory.CreateDirectory(folder);

        public void Dispose() => Directory.Delete(folder, recursive: true);

        [Fact]
        public void The_catalogue_is_formatted()
        {
            var (code, output, error) = CliRunner.Run("fmt", "--check", RepoPaths.Architectures);

            Assert.True(code == CliApp.Success, "files fmt would change:\n" + output + error);
            Assert.Equal("", output);
        }

        [Fact]
        public void Fmt_rewrites_files_that_change_and_names_them()
        {
            var messy = Write("a.arch", Messy);
            var tidy = Write("sub/b.arch", Formatted);
            var tidyTime = File.GetLastWriteTimeUtc(tidy);

            var (code, output, _) = CliRunner.Run("fmt", folder);

            Assert.Equal(CliApp.Success, code);
            Assert.Equal(Formatted, File.ReadAllText(messy));
            Assert.Equal(Formatted, File.ReadAllText(tidy));
            Assert.Equal(tidyTime, File.GetLastWriteTimeUtc(tidy));
            Assert.Equal(new[] { messy.Replace('\\', '/') }, Lines(output));
            Assert.Equal(new[] { "a.arch", "sub" }, Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OrderBy(n => n));
        }

        [Fact]
        public void Check_writes_nothing_lists_the_files_that_would_change_and_exits_1()
        {
            var messy = Write("a.arch", Messy);
            Write("b.arch", Formatted);

            var (code, output, error) = CliRunner.Run("fmt", "--check", folder);

            Assert.Equal(CliApp.SourceErrors, code);
            Assert.Equal(Messy, File.ReadAllText(messy));
            Assert.Equal(new[] { messy.Replace('\\', '/') }, Lines(output));
            Assert.Contains("2 file(s) checked: 1 not formatted", error);

            File.WriteAllText(messy, Formatted);
            Assert.Equal(CliApp.Success, CliRunner.Run("fmt", "--check", folder).Code);
        }

        [Fact]
        public void Stdout_prints_the_formatted_text_and_leaves_the_file()
        {
            var messy = Write("a.arch", Messy);

            var (code, output, _) = CliRunner.Run("fmt", "--stdout", messy);

            Assert.Equal(CliApp.Success, code);
            Assert.Equal(Formatted, output);
            Assert.Equal(Messy, File.ReadAllText(messy));
        }

        [Fact]
        public void A_file_with_syntax_errors_is_reported_with_its_location_and_left_untouched()
        {
            const string broken = "block A() {\n    conv(8,, 3)\n}\n";
            var bad = Write("bad.arch", broken);
            var messy = Write("messy.arch", Messy);

            var (code, _, error) = CliRunner.Run("fmt", bad, messy);

            Assert.Equal(CliApp.SourceErrors, code);
            Assert.Contains(bad.Replace('\\', '/') + "(2,12): error ARCH0001:", error);
            Assert.Equal(broken, File.ReadAllText(bad));
            Assert.Equal(Formatted, File.ReadAllText(messy));
        }

        [Fact]
        public void Command_line_mistakes_exit_2()
        {
            var messy = Write("a.arch", Messy);
            var other = Write("b.arch", Messy);

            var missing = CliRunner.Run("fmt", messy, Path.Combine(folder, "missing.arch"));
            Assert.Equal(CliApp.UsageError, missing.Code);
            Assert.Contains("file not found", missing.Error);
            Assert.Equal(Messy, File.ReadAllText(messy));

            Assert.Equal(CliApp.UsageError, CliRunner.Run("fmt", "--check", "--stdout", messy).Code);
            Assert.Equal(CliApp.UsageError, CliRunner.Run("fmt", "--stdout", messy, other).Code);
            Assert.Equal(CliApp.UsageError, CliRunner.Run("fmt").Code);
        }

        [Fact]
        public void Fmt_has_help()
        {
            var (code, output, _) = CliRunner.Run("fmt", "--help");

            Assert.Equal(CliApp.Success, code);
            Assert.Contains("--check", output);
            Assert.Contains("--stdout", output);
            Assert.Contains("fmt", CliRunner.Run("--help").Output);
        }

        private string Write(string name, string text)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }
}
