using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Engine.Tests;

/// <summary>The oneDNN convolution kernel (<see cref="EngineSettings.ConvolutionKernel"/>) against libtorch's own choice:
/// forward and all three gradients on the same inputs and weights. The setting is process-wide, so these cases run
/// outside the parallel test classes.</summary>
[Collection(ProcessWideSettings.Name)]
public class ConvolutionKernelTests
{
    // in, out, kernel, stride, padding, dilation, groups, bias, batch, size — the 1×1 unstrided cases are the ones
    // libtorch sends to im2col + BLAS on one thread.
    public static System.Collections.Generic.IEnumerable<object[]> Cases => new object[][] {
        new object[] { "pointwise", 16L, 32L, 1L, 1L, 0L, 1L, 1L, false, 1L, 9L },
        new object[] { "pointwise_batch", 16L, 24L, 1L, 1L, 0L, 1L, 1L, true, 5L, 7L },
        new object[] { "conv3x3", 4L, 6L, 3L, 1L, 1L, 1L, 1L, true, 2L, 11L },
        new object[] { "strided_dilated", 4L, 6L, 3L, 2L, 2L, 2L, 1L, false, 3L, 13L },
        new object[] { "grouped", 6L, 9L, 3L, 1L, 1L, 1L, 3L, true, 2L, 8L },
        new object[] { "depthwise", 8L, 8L, 5L, 2L, 2L, 1L, 8L, true, 1L, 10L },
        new object[] { "stem7x7", 3L, 8L, 7L, 2L, 3L, 1L, 1L, false, 1L, 32L },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_and_gradients_match_libtorch(string name, long cin, long cout, long k, long stride, long pad,
        long dilation, long groups, bool bias, long batch, long size)
    {
        manual_seed(7);
        using var conv = nn.Conv2d(cin, cout, k, stride: stride, padding: pad, dilation: dilation, groups: groups, bias: bias);
        using var x = randn(batch, cin, size, size);

        var (y0, grads0) = Run(ConvolutionKernel.LibTorch, conv, x);
        var (y1, grads1) = Run(ConvolutionKernel.OneDnn, conv, x);
        Assert.Equal(y0.shape, y1.shape);
        AssertClose(name + " output", y0, y1);
        Assert.Equal(grads0.Length, grads1.Length);
        for (int i = 0; i < grads0.Length; i++) AssertClose($"{name} gradient {i}", grads0[i], grads1[i]);
        foreach (var t in grads0.Concat(grads1).Append(y0).Append(y1)) t.Dispose();
    }

    [Fact]
    public void Non_contiguous_input_gives_the_same_output()
    {
        manual_seed(3);
        using var conv = nn.Conv2d(6, 4, 1);
        using var wide = randn(1, 9, 9, 6);
        using var x = wide.permute(0, 3, 1, 2);   // 1×9×9×6 viewed as 1×6×9×9 without a copy
        Assert.False(x.is_contiguous());
        var (y0, g0) = Run(ConvolutionKernel.LibTorch, conv, x);
        var (y1, g1) = Run(ConvolutionKernel.OneDnn, conv, x);
        AssertClose("output", y0, y1);
        foreach (var t in g0.Concat(g1).Append(y0).Append(y1)) t.Dispose();
    }

    [Fact]
    public void Setting_round_trips_and_rejects_unknown_values()
    {
        var before = EngineSettings.ConvolutionKernel;
        try {
            EngineSettings.ConvolutionKernel = ConvolutionKernel.OneDnn;
            Assert.Equal(ConvolutionKernel.OneDnn, EngineSettings.ConvolutionKernel);
            EngineSettings.ConvolutionKernel = ConvolutionKernel.LibTorch;
            Assert.Equal(ConvolutionKernel.LibTorch, EngineSettings.ConvolutionKernel);
            Assert.Throws<ArgumentOutOfRangeException>(() => EngineSettings.ConvolutionKernel = (ConvolutionKernel)5);
            Assert.Equal(ConvolutionKernel.LibTorch, EngineSettings.ConvolutionKernel);
        } finally {
            EngineSettings.ConvolutionKernel = before;
        }
    }

    private static (Tensor output, Tensor[] grads) Run(ConvolutionKernel kernel, nn.Module<Tensor, Tensor> conv, Tensor x)
    {
        var before = EngineSettings.ConvolutionKernel;
        EngineSettings.ConvolutionKernel = kernel;
        try {
            conv.zero_grad();
            using var input = x.detach().requires_grad_(true);
            var y = conv.call(input);
            // A weighted sum, so every output element has its own gradient.
            using (var w = arange(y.numel(), dtype: ScalarType.Float32).reshape(y.shape).sin())
            using (var loss = (y * w).sum())
                loss.backward();
            var grads = new[] { input.grad! }.Concat(conv.parameters().Select(p => p.grad!)).Select(g => g.detach().clone()).ToArray();
            return (y.detach(), grads);
        } finally {
            EngineSettings.ConvolutionKernel = before;
        }
    }

    private static void AssertClose(string what, Tensor expected, Tensor actual)
    {
        using var diff = (expected - actual).abs().max();
        using var scale = expected.abs().max();
        var d = diff.item<float>();
        var tolerance = 1e-5 * Math.Max(1.0, scale.item<float>());
        Assert.True(d <= tolerance, $"{what}: max |oneDNN − libtorch| = {d:E3} > {tolerance:E3}");
    }
}

/// <summary>Test classes that change a process-wide engine setting run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideSettings
{
    public const string Name = "process-wide engine settings";
}
