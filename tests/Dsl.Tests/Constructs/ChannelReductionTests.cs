using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary><c>channel_mean</c> and <c>channel_max</c>: reductions over the channels to one channel of the same
    /// size (CBAM's spatial attention), without parameters or MACs, and the diagnostics of their misuse.</summary>
    public class ChannelReductionTests
    {
        private const string SpatialAttention = @"
block SpatialGate() {
  pooled = concat { channel_mean; channel_max }
  scale = pooled |> conv: conv(1, 7, padding: 3, bias: false) |> sigmoid
  input * scale
}
network N() {
  input 32x14x10
  gate: SpatialGate()
}
";

        [Fact]
        public void Each_reduction_gives_one_channel_of_the_same_size_and_the_gate_broadcasts_over_the_channels()
        {
            var r = ConstructTests.Report(SpatialAttention);
            var rows = r.Summary.Layers;
            var mean = rows.Single(l => l.Operation == "channel_mean");
            var max = rows.Single(l => l.Operation == "channel_max");
            Assert.Equal(new long[] { 1, 14, 10 }, mean.OutputShape.ToArray());
            Assert.Equal(new long[] { 1, 14, 10 }, max.OutputShape.ToArray());
            Assert.Equal(new long[] { 2, 14, 10 }, rows.Single(l => l.Operation == "concat").OutputShape.ToArray());
            Assert.Equal(new long[] { 32, 14, 10 }, r.Summary.Output.ToArray());
            // Only the 7x7 convolution over [mean; max] has weights: 2 * 49, and 2 * 49 MACs per output position.
            Assert.Equal(98, r.Summary.Params);
            Assert.Equal(98L * 14 * 10, r.Summary.Macs);
            Assert.Equal(0, mean.Params + max.Params + mean.Macs + max.Macs);
            Assert.Equal(new[] { "gate.conv.weight" }, r.StateDict.Select(s => s.Key));
            // Memory access: each reads C*H*W and writes H*W.
            Assert.Equal(32L * 14 * 10 + 14 * 10, mean.MemoryAccess);
        }

        [Theory]
        [InlineData("channel_mean")]
        [InlineData("channel_max")]
        public void A_reduction_of_a_flat_input_is_reported_at_the_layer(string layer)
        {
            var source = "network N() {\n  input 8x4x4\n  flatten\n  " + layer + "\n}\n";
            var d = Assert.Single(ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance).Diagnostics, x => x.Severity == ArchSeverity.Error);
            Assert.Equal("ARCH0018", d.Id);
            Assert.Equal(4, d.Line);
            Assert.Equal(3, d.Column);
            Assert.Contains("'" + layer + "' needs a [C, H, W] input", d.Message);
        }

        [Theory]
        [InlineData("channel_mean(1)")]
        [InlineData("channel_max(dim: 1)")]
        public void A_reduction_takes_no_arguments(string layer)
        {
            var source = "network N() {\n  input 8x4x4\n  " + layer + "\n}\n";
            var errors = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance).Diagnostics.Where(x => x.Severity == ArchSeverity.Error).ToList();
            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.Equal(3, e.Line));
        }
    }
}
