using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace ArchDsl.Dsl.Tests.Diagnostics
{
    /// <summary>Errors whose place alone is ambiguous say where else they were found: the block instance (its module
    /// path and the applications that made it), the loop iteration, and the variant (its row among its network's
    /// variants). The context follows the message in brackets; the place stays the expression at fault.</summary>
    public class DiagnosticContextTests
    {
        private static ArchDiagnostic SingleError(string source, IImportResolver? imports = null)
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), imports ?? NoImports.Instance);
            return Assert.Single(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
        }

        [Fact]
        public void A_channel_count_that_is_zero_in_one_instance_names_the_instance_its_call_site_and_the_iteration()
        {
            var d = SingleError(
                "block Unit(w: int) {\n" +
                "  conv1: conv(8, 3, padding: 1)\n" +
                "  conv2: conv(w, 3, padding: 1)\n" +
                "}\n" +
                "network N() {\n" +
                "  input 3x8x8\n" +
                "  features: {\n" +
                "    for w in [8, 16, 0] {\n" +
                "      Unit(w)\n" +
                "    }\n" +
                "  }\n" +
                "}\n");
            Assert.Equal(("ARCH0018", "t.arch", 3, 15), (d.Id, d.Path, d.Line, d.Column));
            Assert.Equal("conv: out must be at least 1 (got 0) [in 'features.2.conv2' (Unit applied at t.arch(9,7)); w = 0]", d.Message);
        }

        [Fact]
        public void An_index_out_of_range_in_a_nested_instance_names_every_call_site_innermost_first()
        {
            var d = SingleError(
                "block Inner(i: int) {\n" +
                "  let widths = [8, 16]\n" +
                "  conv(widths[i], 1)\n" +
                "}\n" +
                "block Stage(i: int) {\n" +
                "  body: Inner(i)\n" +
                "}\n" +
                "network N() {\n" +
                "  input 3x8x8\n" +
                "  layers: repeat 3 as i { Stage(i) }\n" +
                "}\n");
            Assert.Equal(("ARCH0018", 3, 15), (d.Id, d.Line, d.Column));
            Assert.Equal("Index 2 is outside the list of 2 items [in 'layers.2.body.0' (Inner applied at t.arch(6,9), in Stage applied at t.arch(10,27)); i = 2]", d.Message);
        }

        [Fact]
        public void A_division_by_zero_outside_any_layer_names_the_instance_itself()
        {
            var d = SingleError(
                "block B(d: int) {\n" +
                "  let w = 16 / d\n" +
                "  conv(w, 1)\n" +
                "}\n" +
                "network N() {\n" +
                "  input 3x8x8\n" +
                "  a: B(2)\n" +
                "  b: B(0)\n" +
                "}\n");
            Assert.Equal(("ARCH0018", 2, 11), (d.Id, d.Line, d.Column));
            Assert.Equal("Division by zero [in 'b' (B applied at t.arch(8,6))]", d.Message);
        }

        [Fact]
        public void A_loop_without_a_variable_counts_its_iterations_and_nested_loops_are_named_outermost_first()
        {
            var d = SingleError(
                "network N(sizes: int[] = [8, 4, 2]) {\n" +
                "  input 3x8x8\n" +
                "  for s in sizes {\n" +
                "    repeat 2 { conv(s - 2, 1) }\n" +
                "  }\n" +
                "}\n");
            Assert.Equal(("ARCH0018", 4, 21), (d.Id, d.Line, d.Column));
            Assert.Equal("conv: out must be at least 1 (got 0) [s = 2; iteration 1 of 2]", d.Message);
        }

        [Fact]
        public void A_merge_branch_made_by_a_loop_names_its_iteration()
        {
            var d = SingleError(
                "network N() {\n" +
                "  input 3x8x8\n" +
                "  concat {\n" +
                "    for k in [1, 3, 0] { conv(8, k) }\n" +
                "  }\n" +
                "}\n");
            Assert.Equal(("ARCH0018", 4, 34), (d.Id, d.Line, d.Column));
            Assert.Equal("conv: kernel must be at least 1 (got 0) [k = 0]", d.Message);
        }

        [Fact]
        public void An_error_inside_a_comprehension_names_its_item()
        {
            var d = SingleError(
                "network N(w0: int = 8) {\n" +
                "  input 3x8x8\n" +
                "  let widths = [w0 / (3 - j) for j in 0..4]\n" +
                "  conv(widths[0], 1)\n" +
                "}\n");
            Assert.Equal(("ARCH0018", 3, 17), (d.Id, d.Line, d.Column));
            Assert.Equal("Division by zero [j = 3]", d.Message);
        }

        [Fact]
        public void An_error_in_one_variant_names_the_variant_and_its_row()
        {
            var d = SingleError(
                "network N(w: int = 8) {\n" +
                "  input 3x8x8\n" +
                "  conv(w, 3)\n" +
                "}\n" +
                "variant A = N(w: 4)\n" +
                "variant B = N(w: 0)\n" +
                "variant C = N(w: 2)\n");
            Assert.Equal(("ARCH0018", 3, 8), (d.Id, d.Line, d.Column));
            Assert.Equal("conv: out must be at least 1 (got 0) [in variant B (row 2 of 3 of 'N', t.arch(6,9))]", d.Message);
        }

        [Fact]
        public void An_index_depending_on_a_table_row_names_the_iterations_and_the_variant()
        {
            var d = SingleError(
                "block Stage(w: int) { conv(w, 1) }\n" +
                "network N(depths: int[], widths: int[]) {\n" +
                "  input 3x8x8\n" +
                "  for k in 0..len(depths) {\n" +
                "    stage{k}: repeat depths[k] { Stage(widths[k]) }\n" +
                "  }\n" +
                "}\n" +
                "variant Small = N(depths: [1, 1], widths: [8, 16])\n" +
                "variant Large = N(depths: [1, 2, 1], widths: [8, 16])\n");
            Assert.Equal(("ARCH0018", 5, 47), (d.Id, d.Line, d.Column));
            Assert.Equal("Index 2 is outside the list of 2 items [k = 2; iteration 1 of 1; in variant Large (row 2 of 2 of 'N', t.arch(9,9))]", d.Message);
        }

        [Fact]
        public void An_error_the_defaults_already_show_is_reported_once_without_a_variant()
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch",
                "network N(w: int = 0) {\n  input 3x8x8\n  conv(w, 3)\n}\nvariant V = N(w: 0)\n"), NoImports.Instance);
            var d = Assert.Single(result.Diagnostics, x => x.Severity == ArchSeverity.Error);
            Assert.Equal("conv: out must be at least 1 (got 0)", d.Message);
        }

        [Fact]
        public void A_variant_of_an_imported_network_names_the_variant_in_this_file_and_the_place_in_the_other()
        {
            var imports = new Files(new Dictionary<string, string>
            {
                ["lib.arch"] = "block Unit(w: int) {\n  conv(w, 1)\n}\nnetwork N(w: int) {\n  input 3x8x8\n  u: Unit(w)\n}\n",
            });
            var d = SingleError("import \"lib.arch\"\nvariant Zero = N(w: 0)\n", imports);
            Assert.Equal(("lib.arch", 2, 8), (d.Path, d.Line, d.Column));
            Assert.Equal("conv: out must be at least 1 (got 0) [in 'u.0' (Unit applied at lib.arch(6,6)); in variant Zero (row 1 of 1 of 'N', t.arch(2,9))]", d.Message);
        }

        [Fact]
        public void An_error_in_the_network_body_outside_loops_and_variants_has_no_context()
        {
            var d = SingleError("network N() {\n  input 3x8x8\n  conv(8, 3, stride: 0)\n}\n");
            Assert.Equal("conv: stride must be at least 1 (got 0)", d.Message);
        }

        /// <summary>The examples of docs/diagnostics.md that show a whole message (<c>// (line,col): message</c> in a
        /// complete program) are what the front end prints, at that place, for the file <c>t.arch</c>.</summary>
        [Fact]
        public void The_documented_whole_messages_are_what_the_front_end_prints()
        {
            var doc = System.IO.File.ReadAllText(System.IO.Path.Combine(Support.TestFiles.RepoRoot, "docs", "diagnostics.md")).Replace("\r\n", "\n");
            var blocks = Regex.Matches(doc, "```\n(?<body>(network|block) .*?)```", RegexOptions.Singleline).Select(m => m.Groups["body"].Value);
            var checkedCount = 0;
            foreach (var block in blocks)
            {
                var expected = Regex.Matches(block, @"// \((?<line>\d+),(?<column>\d+)\): (?<message>.*(\(got |\[in ).*)$", RegexOptions.Multiline);
                if (expected.Count == 0) continue;
                var diagnostics = ArchFrontEnd.Analyze(new SourceFile("t.arch", block), NoImports.Instance).Diagnostics;
                foreach (Match e in expected)
                {
                    var place = (int.Parse(e.Groups["line"].Value, CultureInfo.InvariantCulture), int.Parse(e.Groups["column"].Value, CultureInfo.InvariantCulture));
                    Assert.Contains(diagnostics, d => (d.Line, d.Column) == place && d.Message == e.Groups["message"].Value.TrimEnd());
                    checkedCount++;
                }
            }
            Assert.True(checkedCount >= 4, "expected the documented examples, found " + checkedCount);
        }

        private sealed class Files : IImportResolver
        {
            private readonly Dictionary<string, string> _files;
            public Files(Dictionary<string, string> files) { _files = files; }
            public SourceFile? Resolve(string fromPath, string importPath) =>
                _files.TryGetValue(importPath, out var text) ? new SourceFile(importPath, text) : null;
        }
    }
}
