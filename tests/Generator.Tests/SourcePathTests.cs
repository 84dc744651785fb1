using System.Collections.Generic;
using System.Linq;
using ArchDsl.Generator.Pipeline;
using Microsoft.CodeAnalysis;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Generated code names its .arch file by a path that does not depend on where the clone lives: relative to
    /// the project, or to ArchDslSourceRoot, or upwards from the project through '..', never absolute.</summary>
    public sealed class SourcePathTests
    {
        [Theory]
        [InlineData("/r/app/nets/a.arch", "/r/app/", "", "nets/a.arch")]
        [InlineData("/r/architectures/a.arch", "/r/tests/App/", "", "../../architectures/a.arch")]
        [InlineData("/r/architectures/a.arch", "/r/tests/App/", "/r/", "architectures/a.arch")]
        [InlineData("/r/app/a.arch", "/r/app", "/r/", "a.arch")]
        [InlineData("/r/tests/Apple/a.arch", "/r/tests/App", "", "../Apple/a.arch")]
        [InlineData(@"C:\r\architectures\a.arch", @"C:\r\tests\App\", "", "../../architectures/a.arch")]
        [InlineData(@"D:\lib\a.arch", @"C:\r\App\", "", "a.arch")]
        [InlineData("/x/a.arch", "", "", "a.arch")]
        [InlineData("nets/a.arch", "/r/app/", "", "nets/a.arch")]
        public void Display_is_relative(string path, string project, string root, string expected) =>
            Assert.Equal(expected, ArchPaths.Display(path, project, root));

        private const string Net = "// net\nnetwork Tiny(num_classes: int = 4) {\n  input 3x8x8\n  conv(4, 3)\n  adaptive_avgpool(1)\n  flatten\n  fc: linear(num_classes)\n}\n";

        private static string Generated(string archPath, string projectDir, string? sourceRoot = null)
        {
            var properties = new Dictionary<string, string> { ["ProjectDir"] = projectDir };
            if (sourceRoot != null) properties["ArchDslSourceRoot"] = sourceRoot;
            var driver = GeneratorHarness.Driver(new ArchGenerator(), new[] { new GeneratorHarness.ArchText(archPath, Net) }, properties)
                .RunGenerators(GeneratorHarness.Compilation());
            var run = driver.GetRunResult();
            Assert.Empty(run.Diagnostics);
            return string.Join("\n", run.GeneratedTrees.OrderBy(t => t.FilePath, System.StringComparer.Ordinal).Select(t => t.ToString()));
        }

        [Fact]
        public void A_file_outside_the_project_is_named_upwards_from_it_the_same_on_every_machine()
        {
            var linux = Generated("/home/alice/src/ArchDsl/architectures/tiny.arch", "/home/alice/src/ArchDsl/tests/App/");
            var windows = Generated(@"C:\Users\bob\ArchDsl\architectures\tiny.arch", @"C:\Users\bob\ArchDsl\tests\App\");
            Assert.Equal(linux, windows);
            Assert.Contains("\"Tiny\", \"../../architectures/tiny.arch\", 2,", linux);
            Assert.DoesNotContain("alice", linux);
            Assert.DoesNotContain("bob", windows);
        }

        [Fact]
        public void Under_the_source_root_a_file_is_named_from_the_root()
        {
            var text = Generated("/home/alice/src/ArchDsl/architectures/tiny.arch", "/home/alice/src/ArchDsl/tests/App/", "/home/alice/src/ArchDsl/");
            Assert.Contains("\"Tiny\", \"architectures/tiny.arch\", 2,", text);
            Assert.Contains("(architectures/tiny.arch, line 2)", text);
            Assert.DoesNotContain("/home/", text);
        }
    }
}
