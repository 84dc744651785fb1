using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using ArchDsl.Layers;
using Xunit;

namespace ArchDsl.Dsl.Tests.Layers
{
    /// <summary>The facts other passes ask of a layer, each stated once in its table entry.</summary>
    public class LayerFactsTests
    {
        [Fact]
        public void Only_the_activations_whose_backward_reads_their_result_may_run_in_place()
        {
            var inPlace = LayerTable.All.Where(r => r.MayRunInPlace).Select(r => r.Kind).OrderBy(k => k).ToArray();
            Assert.Equal(new[] { LayerKind.ReLU, LayerKind.ReLU6 }.OrderBy(k => k), inPlace);
        }

        [Fact]
        public void Convolution_linear_and_batch_norm_write_fresh_results()
        {
            var fresh = LayerTable.All.Where(r => r.WritesFreshResult).Select(r => r.Kind).OrderBy(k => k).ToArray();
            Assert.Equal(new[] { LayerKind.Conv, LayerKind.Linear, LayerKind.BatchNorm }.OrderBy(k => k), fresh);
        }

        [Theory]
        [InlineData(LayerKind.Conv, 1, true)]
        [InlineData(LayerKind.Conv, 32, false)]
        [InlineData(LayerKind.Linear, 1, true)]
        [InlineData(LayerKind.BatchNorm, 1, false)]
        [InlineData(LayerKind.ReLU, 1, false)]
        public void A_layer_mixes_all_channels_when_it_is_linear_or_a_one_group_convolution(LayerKind kind, long groups, bool mixes) =>
            Assert.Equal(mixes, LayerTable.Of(kind).MixesAllChannels(new LayerConfig(kind, InChannels: 32, Out: 32, Groups: groups)));
    }
}
