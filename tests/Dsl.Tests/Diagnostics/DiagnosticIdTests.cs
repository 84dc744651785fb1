using System.Collections.Generic;
using System.Linq;
using ArchDsl.Diagnostics;
using ArchDsl.Dsl.Tests.Support;
using Xunit;

namespace ArchDsl.Dsl.Tests.Diagnostics
{
    /// <summary>One program per diagnostic id; each must report that id at the stated line and column.
    /// docs/diagnostics.md shows the same examples.</summary>
    public class DiagnosticIdTests
    {
        public static IEnumerable<object[]> Cases() => new[]
        {
            Case("ARCH0001", 2, 13, "block A() {\n  conv(8, 3,, 1)\n}\n"),
            Case("ARCH0002", 2, 8, "block A() {\n  conv(width, 3)\n}\n"),
            Case("ARCH0003", 2, 3, "block A() {\n  convolution(8, 3)\n}\n"),
            Case("ARCH0004", 2, 14, "block A() {\n  conv(8, 3, strides: 2)\n}\n"),
            Case("ARCH0005", 2, 3, "block A() {\n  conv(8)\n}\n"),
            Case("ARCH0006", 2, 20, "block A() {\n  conv(8, 3, bias: 1)\n}\n"),
            Case("ARCH0007", 3, 3, "network N() {\n  input 3x32x32\n  add {\n    conv(8, 3, padding: 1)\n    conv(16, 3, padding: 1)\n  }\n}\n"),
            Case("ARCH0008", 3, 3, "network N() {\n  input 3x32x32\n  concat {\n    conv(8, 3, padding: 1)\n    conv(8, 3, stride: 2, padding: 1)\n  }\n}\n"),
            Case("ARCH0009", 3, 3, "network N() {\n  input 3x32x32\n  conv(8, 3, groups: 2)\n}\n"),
            Case("ARCH0010", 4, 3, "network N() {\n  input 3x32x32\n  conv(9, 1)\n  split {\n    identity\n    identity\n  }\n}\n"),
            Case("ARCH0011", 5, 3, "network N() {\n  input 3x8x8\n  conv(8, 3, stride: 2)\n  conv(8, 3, stride: 2)\n  conv(8, 3, stride: 2)\n}\n"),
            Case("ARCH0012", 3, 3, "block A() {\n  c: conv(8, 3)\n  c: conv(8, 3)\n}\n"),
            Case("ARCH0013", 1, 9, "block A(unused: int) {\n  relu\n}\n"),
            Case("ARCH0014", 1, 7, "block A() {\n  B()\n}\nblock B() {\n  A()\n}\n"),
            Case("ARCH0016", 1, 8, "import \"missing.arch\"\nblock A() { relu }\n"),
            Case("ARCH0017", 1, 9, "network N() {\n  conv(8, 3)\n}\n"),
            Case("ARCH0018", 3, 14, "network N(sizes: int[] = [1, 2]) {\n  input 3x8x8\n  conv(sizes[2], 3)\n}\n"),
            Case("ARCH0019", 2, 13, "block A() { relu }\nvariant V = A() reference \"x()\"\n"),
            Case("ARCH0020", 3, 3, "network N() {\n  input 3x8x8\n  linear(10)\n}\n"),
            Case("ARCH0021", 2, 3, "block A() {\n  @missing\n}\n"),
            Case("ARCH0023", 3, 19, "network N() {\n  input 3x8x8\n  repeat 300000 { relu }\n}\n"),
            Case("ARCH0024", 2, 25, "block A() {\n  conv(8, 3, stride: 1, stride: 2)\n}\n"),
            Case("ARCH0025", 2, 3, "block A() {\n  input 3x8x8\n}\n"),
            Case("ARCH0026", 2, 11, "block A() {\n  let t = input\n}\n"),
            Case("ARCH0027", 1, 9, "network N(classes: int) {\n  input 3x8x8\n  conv(classes, 3)\n}\n"),
        };

        private static object[] Case(string id, int line, int column, string source) => new object[] { id, line, column, source };

        [Theory]
        [MemberData(nameof(Cases))]
        public void Reports_id_at_line_and_column(string id, int line, int column, string source)
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            var found = result.Diagnostics.Where(d => d.Id == id).ToList();
            Assert.True(found.Count > 0, "expected " + id + "; got:\n" + string.Join("\n", result.Diagnostics));
            Assert.Contains(found, d => d.Line == line && d.Column == column && d.Path == "t.arch");
            var descriptor = DiagnosticCatalogue.All.Single(d => d.Id == id);
            Assert.All(found, d => Assert.Equal(descriptor.Severity, d.Severity));
        }

        [Fact]
        public void Cyclic_import_is_reported_at_the_import_path()
        {
            var files = new Dictionary<string, string>
            {
                ["a.arch"] = "import \"b.arch\"\nblock A() { relu }\n",
                ["b.arch"] = "import \"a.arch\"\nblock B() { relu }\n",
            };
            var result = ArchFrontEnd.Analyze(new SourceFile("a.arch", files["a.arch"]), new MemoryImports(files));
            var d = Assert.Single(result.Diagnostics, x => x.Id == "ARCH0015");
            Assert.Equal("b.arch", d.Path);
            Assert.Equal(1, d.Line);
            Assert.Equal(8, d.Column);
        }

        [Fact]
        public void Every_catalogue_id_is_distinct_and_documented()
        {
            var ids = DiagnosticCatalogue.All.Select(d => d.Id).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var docs = System.IO.File.ReadAllText(System.IO.Path.Combine(TestFiles.RepoRoot, "docs", "diagnostics.md"));
            foreach (var id in ids) Assert.Contains("## " + id, docs);
        }

        [Fact]
        public void Several_independent_errors_in_one_file_are_all_reported()
        {
            var source = "block A() {\n  conv(8, 3,, 1)\n  relu\n  conv(8 3)\n}\nblock B() {\n  pool(2)\n}\nblock C( {\n}\nblock D() { relu }\n";
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            Assert.Contains(result.Diagnostics, d => d.Id == "ARCH0001" && d.Line == 2);
            Assert.Contains(result.Diagnostics, d => d.Id == "ARCH0001" && d.Line == 4);
            Assert.Contains(result.Diagnostics, d => d.Id == "ARCH0003" && d.Line == 7);
            Assert.Contains(result.Diagnostics, d => d.Id == "ARCH0001" && d.Line == 9);
            Assert.Contains(result.Program!.Definitions.Keys, k => k == "D");
        }
    }
}
