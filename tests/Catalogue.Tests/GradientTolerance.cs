using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>
/// When two float64 runs of a training step give "the same gradient": the largest difference is at most
/// <see cref="Relative"/> times that gradient's own largest magnitude.
/// </summary>
/// <remarks>
/// Backward through batch norms in training mode (each subtracts the batch mean of its gradient) amplifies rounding
/// far more than a forward does: a torchvision ResNet-18 at batch 2, 224x224, gives float32 gradients that differ from
/// the same computation in float64 by up to 4.0e-2 of the gradient's magnitude (median over its parameters 3.9e-3) —
/// an amplification of about 7e5 of float32's unit rounding (6e-8). So gradients are compared in float64, where the
/// same amplification of 1.1e-16 leaves about 1e-10; two libtorch builds summing in other orders stay there.
/// 1e-6 keeps four orders of margin and still catches any real error (an activation overwritten before backward read
/// it, a mis-wired shortcut), which moves a gradient by a large fraction of its magnitude. The bound is relative to
/// each parameter's gradient alone: gradients are small (1e-6 to 1e-1), and an absolute floor would pass them all.
/// </remarks>
public static class GradientTolerance
{
    public const double Relative = 1e-6;

    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (actual - expected).abs().max();
        using var magnitude = expected.abs().max();
        double d = diff.item<double>(), m = magnitude.item<double>(), bound = Relative * m;
        Assert.True(d <= bound,
            $"{what}: max |difference| = {d:E3} > {bound:E3} ({Relative:E0} of the reference gradient's magnitude {m:E3})");
    }
}
