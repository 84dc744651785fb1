using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>Layer norms, channels-last sections and learnable tensors: ConvNeXt's block, with shapes, parameters,
    /// MACs and keys derived by hand, and each misuse reported where it is written.</summary>
    public class ChannelLayerTests
    {
        const string Block = @"
block CNBlock() {
  let dim = in_channels
  residual {
    block: {
      conv(dim, 7, padding: 3, groups: dim)
      channels_last
      layernorm(eps: 1e-6)
      linear(4 * dim)
      gelu
      linear(dim)
      channels_first
    }
    layer_scale: scale(1e-6)
  }
}
network N() {
  input 8x6x5
  stem: layernorm2d(eps: 1e-6)
  b: CNBlock()
  adaptive_avgpool(1)
  flatten
  head: layernorm
  fc: linear(3)
}
";

        static Analysis.NetworkReport Report(string source) => ConstructTests.Report(source);

        static ArchDiagnostic Error(string source)
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            return Assert.Single(result.Diagnostics.Where(d => d.Severity == ArchSeverity.Error));
        }

        [Fact]
        public void A_convnext_block_has_torchvisions_parameters_macs_and_shapes()
        {
            var r = Report(Block);
            long dw = 8 * 49 + 8, norm = 2 * 8, fc1 = 8 * 32 + 32, fc2 = 32 * 8 + 8, scale = 8;
            Assert.Equal(norm + dw + norm + fc1 + fc2 + scale + norm + 8 * 3 + 3, r.Summary.Params);
            // Each linear runs at every one of the 6x5 positions; the depthwise conv 30 * 8 * 49; the head 8 * 3.
            Assert.Equal(30 * 8 * 49 + 30 * 8 * 32 + 30 * 32 * 8 + 8 * 3, r.Summary.Macs);
            var rows = r.Summary.Layers.ToDictionary(l => l.Path);
            Assert.Equal(new long[] { 6, 5, 8 }, rows["b.block.1"].OutputShape.ToArray());
            Assert.Equal(new long[] { 6, 5, 32 }, rows["b.block.3"].OutputShape.ToArray());
            Assert.Equal(new long[] { 8, 6, 5 }, rows["b.block.6"].OutputShape.ToArray());
            Assert.Equal(0, rows["b.layer_scale"].Macs);
        }

        [Fact]
        public void A_learnable_tensor_is_keyed_by_its_name_before_the_modules_children()
        {
            var keys = Report(Block).StateDict.Select(e => e.Key + " " + string.Join("x", e.Shape)).ToList();
            Assert.Equal(new[]
            {
                "stem.weight 8", "stem.bias 8",
                "b.layer_scale 8x1x1",
                "b.block.0.weight 8x1x7x7", "b.block.0.bias 8", "b.block.2.weight 8", "b.block.2.bias 8",
                "b.block.3.weight 32x8", "b.block.3.bias 32", "b.block.5.weight 8x32", "b.block.5.bias 8",
                "head.weight 8", "head.bias 8", "fc.weight 3x8", "fc.bias 3",
            }, keys);
        }

        [Fact]
        public void A_learnable_tensor_on_a_flat_input_has_one_value_per_feature()
        {
            var r = Report("network N() {\n  input 4x2x2\n  flatten\n  s: scale(0.5)\n  linear(2)\n}\n");
            Assert.Equal("s 16", r.StateDict.Select(e => e.Key + " " + string.Join("x", e.Shape)).First());
        }

        /// <summary>The one error of a network whose body is <paramref name="body"/> on an 8x6x5 input: ARCH0018 at
        /// (line, column), its message containing each of <paramref name="phrases"/>.</summary>
        static void InvalidAt(string body, int line, int column, params string[] phrases)
        {
            var d = Error("network N() {\n  input 8x6x5\n" + body + "}\n");
            Assert.Equal("ARCH0018", d.Id);
            Assert.Equal((line, column), (d.Line, d.Column));
            foreach (var p in phrases) Assert.Contains(p, d.Message);
        }

        [Fact]
        public void A_convolution_on_a_channels_last_map_is_an_error_at_the_layer() =>
            InvalidAt("  channels_last\n  conv(8, 3)\n", 4, 3, "channels-last [6, 5, 8]", "channels_first");

        [Fact]
        public void Layernorm_on_a_channels_first_map_points_at_layernorm2d() => InvalidAt("  layernorm\n", 3, 3, "layernorm2d");

        [Fact]
        public void Layernorm2d_after_flatten_needs_a_map() => InvalidAt("  flatten\n  layernorm2d\n", 4, 3, "[C, H, W]");

        [Theory]
        [InlineData("layernorm(eps: 0)")]
        [InlineData("layernorm2d(eps: -1.0)")]
        public void A_layer_norms_eps_must_be_positive(string layer)
        {
            var flat = layer.StartsWith("layernorm(") ? "  flatten\n" : "";
            var d = Error("network N() {\n  input 8x6x5\n" + flat + "  " + layer + "\n}\n");
            Assert.Equal("ARCH0018", d.Id);
            Assert.Contains("eps", d.Message);
        }

        [Fact]
        public void An_unnamed_learnable_tensor_is_an_error() => InvalidAt("  scale(1e-6)\n", 3, 3, "name it");

        [Theory]
        [InlineData("channels_first")]
        [InlineData("channels_last\n  channels_last")]
        public void A_layout_change_needs_the_other_layout(string body)
        {
            Assert.Equal("ARCH0018", Error("network N() {\n  input 8x6x5\n  " + body + "\n}\n").Id);
        }

        [Fact]
        public void A_residual_whose_branch_stays_channels_last_does_not_match_its_input()
        {
            var d = Error("network N() {\n  input 8x6x5\n  residual {\n    channels_last\n  }\n}\n");
            Assert.Equal("ARCH0008", d.Id);
        }
    }
}
