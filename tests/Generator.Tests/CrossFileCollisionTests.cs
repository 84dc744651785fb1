using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using static ArchDsl.Generator.Tests.GeneratorHarness;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Names that collide between files of one project, which no file's own compilation sees (ProjectCollisions):
    /// ARCH0028 at the .arch declaration of the file later in path order, and no C# error in the build.</summary>
    public sealed class CrossFileCollisionTests
    {
        private static string Network(string name, string body = "  conv(4, 3)") => "network " + name + "() {\n  input 3x8x8\n" + body + "\n}\n";

        private static (IReadOnlyList<Diagnostic> Generator, IReadOnlyList<Diagnostic> CSharp) Build(params (string Path, string Text)[] files)
        {
            var (generator, csharp, _) = BuildStrict(null, files);
            return (generator, csharp);
        }

        private static void AssertRefusedIn(string path, int line, (IReadOnlyList<Diagnostic> Generator, IReadOnlyList<Diagnostic> CSharp) build)
        {
            Assert.Empty(build.CSharp);
            var d = Assert.Single(build.Generator, x => x.Id == "ARCH0028");
            var span = d.Location.GetLineSpan();
            Assert.Equal((ProjectDir + path, line), (span.Path, span.StartLinePosition.Line + 1));
        }

        [Fact]
        public void The_same_network_in_two_files_is_ARCH0028_in_the_second()
        {
            var build = Build(("a.arch", Network("Net")), ("b.arch", "// the same name\n" + Network("Net", "  conv(8, 1)")));
            AssertRefusedIn("b.arch", 2, build);
        }

        [Fact]
        public void A_variant_named_like_a_network_of_another_file_is_ARCH0028()
        {
            var build = Build(("a.arch", Network("Small")), ("b.arch", "network Base(w: int = 4) {\n  input 3x8x8\n  conv(w, 1)\n}\nvariant Small = Base(w: 2)\n"));
            AssertRefusedIn("b.arch", 5, build);
        }

        [Theory]
        [InlineData("my_net.arch", "my-net.arch")]
        [InlineData("my_net.arch", "sub/my_net.arch")]
        [InlineData("MyNet.arch", "my.net.arch")]
        public void Two_files_whose_blocks_map_to_one_CSharp_name_are_ARCH0028_at_the_second_files_first_block(string first, string second)
        {
            var block = "block Stem() { conv(4, 1) }\n";
            // The file later in path order is refused ('-' sorts before '_').
            var (kept, refused) = string.CompareOrdinal(first, second) < 0 ? (first, second) : (second, first);
            var build = Build((kept, block + Network("First", "  Stem()")), (refused, "\n" + block + Network("Second", "  Stem()")));
            AssertRefusedIn(refused, 2, build);
        }

        [Fact]
        public void A_file_importing_a_colliding_file_is_refused_at_the_import_and_the_build_has_no_CSharp_error()
        {
            var build = Build(
                ("a.arch", "block Stem() { relu }\n" + Network("Net")),
                ("b.arch", "block Stem() { relu }\n" + Network("Net")),
                ("c.arch", "import \"b.arch\"\n" + Network("Other", "  Stem()")));
            Assert.Empty(build.CSharp);
            Assert.Contains(build.Generator, d => d.Id == "ARCH0028" && d.Location.GetLineSpan().Path.EndsWith("/c.arch") && d.Location.GetLineSpan().StartLinePosition.Line == 0);
            Assert.Equal(1, build.Generator.Count(d => d.Id == "ARCH0028" && d.Location.GetLineSpan().Path.EndsWith("/b.arch")));
            Assert.DoesNotContain(build.Generator, d => d.Location.GetLineSpan().Path.EndsWith("/a.arch"));
        }

        [Fact]
        public void Different_names_in_different_files_are_no_collision()
        {
            var build = Build(("a.arch", "block Stem() { relu }\n" + Network("A", "  Stem()")), ("b.arch", "block Stem() { relu }\n" + Network("B", "  Stem()")));
            Assert.Empty(build.CSharp);
            Assert.DoesNotContain(build.Generator, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        }
    }
}
