using System.Collections.Generic;
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

        [Fact]
        public void Convolution_linear_and_the_pools_start_a_line_of_a_drawn_chain()
        {
            var heads = LayerTable.All.Where(r => r.StartsChainLine).Select(r => r.Kind).OrderBy(k => k).ToArray();
            Assert.Equal(new[] { LayerKind.Conv, LayerKind.Linear, LayerKind.MaxPool, LayerKind.AvgPool, LayerKind.AdaptiveAvgPool, LayerKind.AdaptiveMaxPool }
                .OrderBy(k => k), heads);
        }

        [Fact]
        public void Only_batch_norm_has_a_short_chain_label()
        {
            var labelled = LayerTable.All.Where(r => r.ChainLabel != null).Select(r => (r.Kind, r.ChainLabel)).ToArray();
            Assert.Equal(new[] { (LayerKind.BatchNorm, (string?)"bn") }, labelled);
        }

        /// <summary>A configuration every layer's rules accept, on an 8-channel 6x6 map.</summary>
        private static LayerConfig Sample(LayerKind kind) =>
            new LayerConfig(kind, InChannels: 8, Out: 8, Kernel: (2, 2), Stride: (1, 1), Padding: (1, 1), Dilation: (1, 1), Groups: 2, Size: 3, Alpha: 0.5);

        private static readonly Feature Map = new Feature(8, 6, 6, false, 1, 1);

        [Fact]
        public void Every_state_entry_states_how_it_is_initialised()
        {
            foreach (var rule in LayerTable.All.Where(r => r.HasState))
            {
                var state = rule.State("m", Sample(rule.Kind));
                Assert.NotEmpty(state);
                Assert.All(state, e => Assert.True(e.Init.Kind != InitKind.Unstated, rule.Name + ": " + e.Key + " states no initialisation"));
            }
        }

        [Fact]
        public void A_convolution_starts_as_both_frameworks_do_its_bias_bound_by_the_weights_fan_in()
        {
            var state = LayerTable.Of(LayerKind.Conv).State("conv", new LayerConfig(LayerKind.Conv, InChannels: 16, Out: 32, Kernel: (3, 5), Groups: 4));
            Assert.Equal(StateInit.LayerWeight, state[0].Init);
            Assert.Equal(System.Math.Sqrt(5), state[0].Init.Value);
            Assert.Equal(StateInit.LayerBias(16 / 4 * 3 * 5), state[1].Init);
            var bn = LayerTable.Of(LayerKind.BatchNorm).State("bn", new LayerConfig(LayerKind.BatchNorm, Out: 4)).Select(e => e.Init.Kind);
            Assert.Equal(new[] { InitKind.Ones, InitKind.Zeros, InitKind.Zeros, InitKind.Ones, InitKind.Counter }, bn);
            Assert.Equal(StateInit.Constant(0.5), LayerTable.Of(LayerKind.Scale).State("s", Sample(LayerKind.Scale)).Single().Init);
        }

        [Fact]
        public void Every_layer_has_an_ONNX_form_whose_references_resolve()
        {
            foreach (var rule in LayerTable.All)
            {
                Assert.True(rule.Onnx != null, rule.Name + " has no ONNX form");
                var c = Sample(rule.Kind);
                foreach (var input in new[] { Map, Map with { ChannelsLast = rule.AcceptsChannelsLast }, new Feature(8, 1, 1, true, 1, 1) })
                {
                    var recipe = rule.Onnx!(c, input);
                    Assert.Null(recipe.Refusal);
                    var keys = rule.State("m", c).Select(e => e.Key).ToHashSet();
                    var steps = new HashSet<string>();
                    foreach (var node in recipe.Nodes)
                    {
                        foreach (var value in node.Inputs)
                        {
                            if (value is StateInput s) Assert.Contains(s.Leaf.Length == 0 ? "m" : "m." + s.Leaf, keys);
                            if (value is StepResult r) Assert.Contains(r.Step, steps);
                        }
                        if (node != recipe.Nodes[^1]) Assert.True(node.Step.Length > 0 && steps.Add(node.Step), rule.Name + ": an intermediate step needs a name of its own");
                    }
                }
            }
        }

        [Fact]
        public void Only_inference_identities_pass_their_input_through()
        {
            var through = LayerTable.All.Where(r => r.Onnx!(Sample(r.Kind), Map).PassesThrough).Select(r => r.Kind).OrderBy(k => k).ToArray();
            Assert.Equal(new[] { LayerKind.Dropout, LayerKind.StochasticDepth, LayerKind.Identity }.OrderBy(k => k), through);
            // Flattening what is already flat, and adaptive pooling to the size it has, write nothing either.
            Assert.True(LayerTable.Of(LayerKind.Flatten).Onnx!(Sample(LayerKind.Flatten), new Feature(8, 1, 1, true, 1, 1)).PassesThrough);
            Assert.True(LayerTable.Of(LayerKind.AdaptiveAvgPool).Onnx!(new LayerConfig(LayerKind.AdaptiveAvgPool, Kernel: (6, 6)), Map).PassesThrough);
        }

        [Theory]
        [InlineData(6, 6, 1, 1, "GlobalAveragePool")]
        [InlineData(6, 6, 3, 2, "AveragePool")]
        [InlineData(5, 5, 2, 2, "Concat")]
        public void Adaptive_pooling_is_a_global_pool_a_plain_pool_or_its_bins_cell_by_cell(long h, long w, long oh, long ow, string last)
        {
            var recipe = LayerTable.Of(LayerKind.AdaptiveAvgPool).Onnx!(new LayerConfig(LayerKind.AdaptiveAvgPool, Kernel: (oh, ow)), new Feature(8, h, w, false, 1, 1));
            Assert.Equal(last, recipe.Nodes[^1].OpType);
            if (last != "Concat") return;
            // PyTorch's bins of 5 into 2: rows 0-3 and 2-5 overlap; one slice and one mean per cell, one concat per row.
            var starts = recipe.Nodes.Where(n => n.OpType == "Slice").Select(n => ((LongConstant)n.Inputs[1]).Values.ToArray()).ToArray();
            Assert.Equal(new[] { new long[] { 0, 0 }, new long[] { 0, 2 }, new long[] { 2, 0 }, new long[] { 2, 2 } }, starts);
            Assert.Equal(4 + 4 + 2 + 1, recipe.Nodes.Length);
        }
    }
}
