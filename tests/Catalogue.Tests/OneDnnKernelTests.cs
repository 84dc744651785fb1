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

    /// <summary>Training: a forward and backward pass in train mode (batch statistics; dropout off)
    /// from the same initial weights, in float32 under each kernel and in float64 as the reference. Gradients through
    /// batch statistics at a small batch cancel heavily, so neither float32 run is close to the other in relative
    /// terms; what must hold is that oneDNN's gradients are as accurate as libtorch's own: their distance to the
    /// float64 gradients, summed over every parameter, at most twice libtorch's.</summary>
    [Theory]
    [InlineData("ResNet18")]
    [InlineData("MobileNetV2_100")]
    [InlineData("ShuffleNetV2_x1_0")]
    [InlineData("EfficientNetB0")]
    [InlineData("GoogLeNetAux")]
    [InlineData("DenseNet121")]
    public void OneDnn_gradients_are_as_accurate_as_libtorch_kernels(string name)
    {
        var before = EngineSettings.ConvolutionKernel;
        try {
            var exact = Gradients(name, ConvolutionKernel.LibTorch, ScalarType.Float64);
            var libtorch = Gradients(name, ConvolutionKernel.LibTorch, ScalarType.Float32);
            var onednn = Gradients(name, ConvolutionKernel.OneDnn, ScalarType.Float32);
            Assert.Equal(exact.Keys.OrderBy(k => k), onednn.Keys.OrderBy(k => k));
            double libtorchError = 0, onednnError = 0;
            foreach (var (key, g) in exact) {
                libtorchError += (libtorch[key].to(ScalarType.Float64) - g).abs().max().item<double>();
                onednnError += (onednn[key].to(ScalarType.Float64) - g).abs().max().item<double>();
            }
            Assert.True(onednnError <= 2 * libtorchError,
                $"{name}: summed max |gradient − float64 gradient| is {onednnError:E3} under oneDNN against {libtorchError:E3} under libtorch's kernels");
            foreach (var g in exact.Values.Concat(libtorch.Values).Concat(onednn.Values)) g.Dispose();
        } finally {
            EngineSettings.ConvolutionKernel = before;
        }
    }

    static System.Collections.Generic.Dictionary<string, Tensor> Gradients(string name, ConvolutionKernel kernel, ScalarType dtype)
    {
        EngineSettings.ConvolutionKernel = kernel;
        manual_seed(0);
        using var model = TrainingStepTests.Create(TrainingStepTests.Networks.Single(t => t.Name == name));
        if (dtype != ScalarType.Float32) model.to(dtype);
        model.train();
        // Dropout and stochastic depth off: their masks are drawn per element type, so a float64 run would drop
        // different units. Batch norm keeps using batch statistics.
        foreach (var m in model.modules().Where(m => m is TorchSharp.Modules.Dropout or TorchSharp.Modules.Dropout2d or StochasticDepth))
            m.eval();
        using var scope = NewDisposeScope();
        var x = FusionTests.SeededBatch(name, reduced: true).to(dtype);
        var loss = TrainingStepTests.Forward(model, x).Select(y => (y * arange(y.numel(), dtype: dtype).reshape(y.shape).sin()).sum())
            .Aggregate((a, b) => a + b);
        loss.backward();
        return model.named_parameters().Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone().MoveToOuterDisposeScope());
    }

    static void Compare(string name, bool reduced = false)
    {
        using var model = FusionTests.Build(name);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = FusionTests.SeededBatch(name, reduced);
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
