using System.Linq;
using ArchDsl.Syntax;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>Indexed names: tensors bound as <c>x{i}</c> in a loop and read as <c>x{j}</c>, modules re-applied as
    /// <c>@w{j}_{i}</c>, a loop among merge branches (one branch per iteration), a merge as a binding's value.</summary>
    public class IndexedNameTests
    {
        /// <summary>A three-layer clique block (CliqueNet, CVPR 2018) on 4 channels, k = 2, at 8x8.</summary>
        public const string Clique = @"
block Clique(layers: int, k: int) {
  x0 = input
  for i in 1..layers + 1 {
    x{i} = add {
      for j in 0..i { x{j} |> relu |> w{j}_{i}: conv(k, 3, padding: 1, bias: false) }
    }
  }
  for i in 1..layers + 1 {
    y{i} = add {
      for j in 1..i { y{j} |> relu |> @w{j}_{i} }
      for j in i + 1..layers + 1 { x{j} |> relu |> w{j}_{i}: conv(k, 3, padding: 1, bias: false) }
    }
  }
  concat { for i in 1..layers + 1 { y{i} } }
}
network N() {
  input 4x8x8
  block: Clique(3, 2)
}
";

        static ArchDiagnostic[] Errors(string source) =>
            ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance).Diagnostics.Where(d => d.Severity == ArchSeverity.Error).ToArray();

        [Fact]
        public void Indexed_names_parse_as_names_bindings_and_shared_references()
        {
            var unit = ArchParser.ParseUnit(Clique);
            var nodes = SyntaxWalker.Descendants(unit).ToList();
            Assert.Equal(2, nodes.OfType<IndexedAssignStmt>().Count());
            Assert.Equal(new[] { "x{j}", "y{j}", "x{j}", "y{i}" }, nodes.OfType<IndexedNameExpr>().Select(n => SyntaxPrinter.Expr(n)).ToArray());
            Assert.Equal("@w{j}_{i}", SyntaxPrinter.Expr(nodes.OfType<IndexedSharedRefExpr>().Single()));
            Assert.DoesNotContain(nodes, n => n is ErrorStmt || n is ErrorDecl);
        }

        [Fact]
        public void A_merge_may_be_a_bindings_value()
        {
            var r = ConstructTests.Report("network N() {\n input 4x8x8\n t = concat { conv(2, 1); conv(3, 1) }\n t\n}");
            Assert.Equal(new long[] { 5, 8, 8 }, r.Summary.Output.ToArray());
        }

        [Fact]
        public void Clique_block_shapes_parameters_and_macs_follow_the_pairs()
        {
            // Stage I: w0_i (4->2) for i = 1..3, w_ji (2->2) for j < i: 3 pairs. Stage II adds w_ji for j > i: 3 more.
            // Params: 3 * 4*2*9 + 6 * 2*2*9 = 216 + 216 = 432. MACs at 8x8 (64 positions): stage I 3*72 + 3*36,
            // stage II reuses the 3 forward pairs and the 3 new backward ones: 6*36; total (216 + 108 + 216) * 64.
            var r = ConstructTests.Report(Clique);
            Assert.Equal(432, r.Summary.Params);
            Assert.Equal((216 + 108 + 216) * 64L, r.Summary.Macs);
            Assert.Equal(new long[] { 6, 8, 8 }, r.Summary.Output.ToArray());
            var convs = r.Summary.Layers.Where(l => l.Operation.StartsWith("conv", System.StringComparison.Ordinal)).ToList();
            Assert.Equal(12, convs.Count);
            Assert.Equal(9, convs.Select(c => c.Path).Distinct().Count());
            Assert.Contains(convs, c => c.Path == "block.w2_1");
            Assert.Equal(2, convs.Count(c => c.Path == "block.w1_2"));
        }

        [Fact]
        public void An_unknown_indexed_tensor_is_reported_where_it_is_used()
        {
            var errors = Errors("network N() {\n input 4x8x8\n for i in 0..2 {\n  z{i}\n }\n}");
            var e = Assert.Single(errors);
            Assert.Equal("ARCH0002", e.Id);
            Assert.Equal((4, 3), (e.Line, e.Column));
            Assert.Contains("z{…}", e.Message);
        }

        [Fact]
        public void An_indexed_tensor_not_bound_at_that_index_is_reported_by_the_elaborator()
        {
            var errors = Errors("network N() {\n input 4x8x8\n for i in 0..2 { x{i} = input |> relu }\n x{5}\n}");
            var e = Assert.Single(errors);
            Assert.Equal("ARCH0002", e.Id);
            Assert.Equal((4, 2), (e.Line, e.Column));
            Assert.Contains("'x5'", e.Message);
        }

        [Fact]
        public void An_indexed_shared_reference_needs_an_earlier_layer_of_that_name()
        {
            var errors = Errors("network N() {\n input 4x8x8\n for i in 0..2 { @v{i} }\n}");
            var e = Assert.Single(errors);
            Assert.Equal("ARCH0021", e.Id);
            Assert.Equal((3, 18), (e.Line, e.Column));
        }

        [Fact]
        public void An_indexed_shared_reference_to_a_missing_index_is_reported()
        {
            var errors = Errors("network N() {\n input 4x8x8\n for i in 0..2 { v{i}: conv(4, 1) }\n @v{i + 7}\n}");
            Assert.Contains(errors, e => e.Id == "ARCH0002" || e.Id == "ARCH0021");
        }

        [Fact]
        public void A_loop_among_branches_gives_one_branch_per_iteration()
        {
            var r = ConstructTests.Report("network N() {\n input 4x8x8\n concat { identity\n for i in 1..4 { conv(i, 1) } }\n}");
            Assert.Equal(new long[] { 4 + 1 + 2 + 3, 8, 8 }, r.Summary.Output.ToArray());
        }
    }
}
