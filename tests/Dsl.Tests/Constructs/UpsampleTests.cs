using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary><c>upsample</c> (nearest) and <c>upsample_bilinear</c>: integer factors, no parameters, no MACs, a
    /// top-down path added to a skip connection; and the diagnostics of their misuse, located at the layer.</summary>
    public class UpsampleTests
    {
        private const string TopDown = @"
network N() {
  input 16x14x10
  skip = input |> skip: conv(16, 1)
  low = input |> maxpool(2) |> low: conv(16, 3, padding: 1)
  (low |> upsample_bilinear(2)) + skip |> upsample(3) |> upsample_bilinear([1, 2], align_corners: true)
}
";

        private static System.Collections.Generic.List<ArchDiagnostic> Errors(string body)
        {
            var source = "network N() {\n  input 8x4x6\n  " + body + "\n}\n";
            return ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance).Diagnostics.Where(x => x.Severity == ArchSeverity.Error).ToList();
        }

        [Fact]
        public void Each_factor_multiplies_the_size_and_costs_no_parameters_or_MACs()
        {
            var r = ConstructTests.Report(TopDown);
            var ups = r.Summary.Layers.Where(l => l.Operation.StartsWith("upsample")).ToList();
            Assert.Equal(3, ups.Count);
            Assert.Equal(new long[] { 16, 14, 10 }, ups[0].OutputShape.ToArray());
            Assert.Equal(new long[] { 16, 42, 30 }, ups[1].OutputShape.ToArray());
            Assert.Equal(new long[] { 16, 42, 60 }, ups[2].OutputShape.ToArray());
            Assert.Equal("upsample_bilinear x2", ups[0].Operation);
            Assert.Equal("upsample x3", ups[1].Operation);
            Assert.Equal("upsample_bilinear x1x2 (align_corners)", ups[2].Operation);
            Assert.All(ups, u => Assert.Equal(0, u.Params + u.Macs));
            Assert.Equal(new long[] { 16, 42, 60 }, r.Summary.Output.ToArray());
            // Only the convolutions count: 16*16 + 16 and 16*16*9 + 16 weights; MACs per output position.
            Assert.Equal(16 * 16 + 16 + 16 * 16 * 9 + 16, r.Summary.Params);
            Assert.Equal(16L * 16 * 14 * 10 + 16L * 16 * 9 * 7 * 5, r.Summary.Macs);
            // Memory access: each up-sampling reads its input and writes its output.
            Assert.Equal(16L * 7 * 5 + 16L * 14 * 10, ups[0].MemoryAccess);
        }

        [Fact]
        public void The_factor_defaults_to_2()
        {
            var r = ConstructTests.Report("network N() {\n  input 3x5x7\n  upsample\n  upsample_bilinear\n}\n");
            Assert.Equal(new long[] { 3, 20, 28 }, r.Summary.Output.ToArray());
        }

        [Theory]
        [InlineData("upsample(0)", "factor")]
        [InlineData("upsample_bilinear(-2)", "factor")]
        [InlineData("upsample([2, 0])", "factor")]
        public void A_factor_below_1_is_reported_at_the_argument_naming_it(string layer, string argument)
        {
            var d = Assert.Single(Errors(layer));
            Assert.Equal(3, d.Line);
            Assert.Equal(3 + layer.IndexOf('(') + 1, d.Column);
            Assert.Contains(argument, d.Message);
            Assert.Contains("at least 1", d.Message);
        }

        [Fact]
        public void Up_sampling_a_flat_input_is_reported_at_the_layer()
        {
            var d = Assert.Single(Errors("flatten\n  upsample(2)"));
            Assert.Equal("ARCH0018", d.Id);
            Assert.Equal(4, d.Line);
            Assert.Contains("'upsample' needs a [C, H, W] input", d.Message);
        }

        [Theory]
        [InlineData("upsample(2, align_corners: true)")]
        [InlineData("upsample(2, mode: \"bilinear\")")]
        [InlineData("upsample_bilinear(2, align_corners: 1)")]
        [InlineData("upsample(1.5)")]
        public void Arguments_the_layers_do_not_take_are_reported_on_their_line(string layer)
        {
            var errors = Errors(layer);
            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.Equal(3, e.Line));
        }

        [Fact]
        public void An_up_sampled_map_of_the_wrong_size_cannot_be_added_to_the_skip_connection()
        {
            // 7 -> 14 by a factor, but the skip connection is 15 high: the addition is reported.
            var errors = Errors("s = input |> upsample(2) |> conv(8, 2)\n  (input |> upsample(2) |> upsample(2)) + s");
            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.Equal(4, e.Line));
        }
    }
}
