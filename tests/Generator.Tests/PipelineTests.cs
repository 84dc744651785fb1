using System.Linq;
using ArchDsl.Generator.Emit;
using ArchDsl.Generator.Pipeline;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>The generator's string-only helpers: paths, import scanning, hint names, value equality.</summary>
    public sealed class PipelineTests
    {
        [Theory]
        [InlineData("a/b/../c.arch", "a/c.arch")]
        [InlineData("./a//b/./c.arch", "a/b/c.arch")]
        [InlineData("../lib/x.arch", "../lib/x.arch")]
        [InlineData("a/../../x.arch", "../x.arch")]
        [InlineData("/src/app/../x.arch", "/src/x.arch")]
        [InlineData("/../x.arch", "/x.arch")]
        [InlineData(@"C:\work\app\nets\..\r.arch", "C:/work/app/r.arch")]
        [InlineData(@"\\server\share\a\..\b.arch", "//server/share/b.arch")]
        public void Normalize_FoldsDotSegmentsAndSeparators(string path, string expected) =>
            Assert.Equal(expected, ArchPaths.Normalize(path));

        [Theory]
        [InlineData("a.arch", "lib.arch", "lib.arch")]
        [InlineData("nets/a.arch", "lib.arch", "nets/lib.arch")]
        [InlineData("nets/a.arch", "../lib/blocks.arch", "lib/blocks.arch")]
        [InlineData("nets/a.arch", "/abs/blocks.arch", "/abs/blocks.arch")]
        [InlineData("/p/nets/a.arch", "./sub/b.arch", "/p/nets/sub/b.arch")]
        public void Combine_ResolvesRelativeToTheImportingFile(string from, string import, string expected) =>
            Assert.Equal(expected, ArchPaths.Combine(from, import));

        [Theory]
        [InlineData("/src/App/nets/a.arch", "/src/App/", "nets/a.arch")]
        [InlineData("/src/App/nets/a.arch", "/src/App", "nets/a.arch")]
        [InlineData("/src/AppOther/a.arch", "/src/App", "/src/AppOther/a.arch")]
        [InlineData(@"C:\Src\App\a.arch", "c:/src/app/", "a.arch")]
        [InlineData("/x/a.arch", "", "/x/a.arch")]
        public void RelativeTo_StripsTheProjectFolder(string path, string folder, string expected) =>
            Assert.Equal(expected, ArchPaths.RelativeTo(path, folder));

        [Fact]
        public void ImportScanner_FindsQuotedImportsAnywhere()
        {
            const string text = "import \"a.arch\"\n  import   'sub/b.arch' // x\nimportant \"no\"\nnetwork N { } # import \"c.arch\"\n";

            Assert.Equal(new[] { "a.arch", "sub/b.arch", "c.arch" }, ImportScanner.FindImports(text));
        }

        [Fact]
        public void HintNames_ArePrefixedWithThePathSanitizedAndUnique()
        {
            var named = UnitCompiler.NameSources("nets/res-net v2.arch", new[]
            {
                new GeneratedSource("ResNet50.g.cs", "a"),
                new GeneratedSource("ResNet50.g.cs", "b"),
                new GeneratedSource("Block<T>/x.cs", "c"),
                new GeneratedSource("nets.res-net_v2.Already.cs", "d"),
                new GeneratedSource("res-net_v2.Stem.g.cs", "e"),
            });

            Assert.Equal(
                new[] { "nets.res-net_v2.ResNet50.g.cs", "nets.res-net_v2.ResNet50.g_2.cs", "nets.res-net_v2.Block_T__x.cs", "nets.res-net_v2.Already.cs", "nets.res-net_v2.Stem.g.cs" },
                named.Select(s => s.HintName));
        }

        [Fact]
        public void HintNames_DropParentSegments()
        {
            var named = UnitCompiler.NameSources("../shared/lib.arch", new[] { new GeneratedSource("Lib.cs", "") });

            Assert.Equal("shared.lib.Lib.cs", named.Single().HintName);
        }

        [Fact]
        public void Models_AreValueEqual()
        {
            ArchUnit Make(string text) => new ArchUnit(
                new ArchFile("/p/a.arch", "a.arch", text),
                new[] { new ArchFile("/p/b.arch", "b.arch", "block B() { }") }.ToEquatableArray());

            Assert.Equal(Make("network A { }"), Make("network A { }"));
            Assert.Equal(Make("network A { }").GetHashCode(), Make("network A { }").GetHashCode());
            Assert.NotEqual(Make("network A { }"), Make("network A { conv 1 }"));
            Assert.Equal(EquatableArray<ArchFile>.Empty, new EquatableArray<ArchFile>(default));
        }
    }
}
