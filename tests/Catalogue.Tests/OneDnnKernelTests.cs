using System;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The engine's opt-in oneDNN convolution kernel (<see cref="EngineSettings.ConvolutionKernel"/>) on every
/// generated network, in eval mode with randomised batch norm state: outputs equal libtorch's own kernel choice (the
/// one torchvision runs, so the configuration the parity tests check) within 1e-4, alone and together with batch norm
/// folding — the full inference configuration the benchmark measures. The setting is process-wide, so this class
/// runs outside the parallel ones.</summary>
[Collection(GlobalRandomState.Name)]
public class OneDnnKernelTests
{
    public static TheoryData<string> Fast() => TrainingStepTests.Fast();
    public static TheoryData<string> Slow() => TrainingStepTests.Slow();

    [Theory]
    [MemberData(nameof(Fast))]
    public void OneDnn_outputs_equal_libtorch_kernels(string name) => Compare(name);

    [Theory]
    [MemberData(nameof(Slow))]
    [Trait("Category", "Slow")]
    public void OneDnn_outputs_equal_libtorch_kernels_large(string name) => Compare(name, reduced: true);

    static void Compare(string name, bool reduced = false)
    {
        var type = TrainingStepTests.Networks.Single(t => t.Name == name);
        var meta = TrainingStepTests.Metadata(type);
        var shape = reduced ? FusionTests.ReducedInput(type, meta.InputShape) : meta.InputShape;
        using var model = FusionTests.Build(name);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(1);
        var x = randn(new long[] { 2 }.Concat(shape).ToArray());
        var before = EngineSettings.ConvolutionKernel;
        try {
            EngineSettings.ConvolutionKernel = ConvolutionKernel.LibTorch;
            var reference = TrainingStepTests.Forward(model, x);
            EngineSettings.ConvolutionKernel = ConvolutionKernel.OneDnn;
            var onednn = TrainingStepTests.Forward(model, x);
            Fusion.FoldBatchNorms(model);
            var optimised = TrainingStepTests.Forward(model, x);
            Assert.Equal(reference.Count, onednn.Count);
            for (int i = 0; i < reference.Count; i++) {
                AssertWithin($"{name} output {i}, oneDNN", reference[i], onednn[i]);
                AssertWithin($"{name} output {i}, oneDNN + folded batch norms", reference[i], optimised[i]);
            }
        } finally {
            EngineSettings.ConvolutionKernel = before;
        }
    }

    static void AssertWithin(string what, Tensor expected, Tensor actual)
    {
        var diff = (expected - actual).abs().max().item<float>();
        Assert.True(diff <= FusionTests.Tolerance, $"{what}: max |Δ| against libtorch's kernels = {diff:E3} > {FusionTests.Tolerance:E0}");
    }
}
