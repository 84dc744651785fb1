using System;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>
/// When two float32 runs of a training step give "the same gradient": the largest difference is at most
/// <see cref="OutputTolerance.Relative"/> times that gradient's own largest magnitude.
/// </summary>
/// <remarks>
/// The reasoning of <see cref="OutputTolerance"/> carries over: two libtorch builds sum in other orders, a few units
/// of float32's precision per layer, accumulated over the depth the gradient travels back. Unlike outputs, gradients
/// are small (1e-6 to 1e-2 at initialisation), so the bound is relative to each parameter's gradient alone, without
/// the floor of 1 (which would pass any gradient below 1e-4). A gradient that is exactly zero in the reference must be
/// exactly zero here too. A wrong step (an activation overwritten before backward read it, a mis-wired shortcut)
/// moves a gradient by a large fraction of its magnitude.
/// </remarks>
public static class GradientTolerance
{
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (actual - expected).abs().max();
        using var magnitude = expected.abs().max();
        double d = diff.item<float>(), m = magnitude.item<float>(), bound = OutputTolerance.Relative * m;
        Assert.True(d <= bound,
            $"{what}: max |difference| = {d:E3} > {bound:E3} ({OutputTolerance.Relative:E0} of the reference gradient's magnitude {m:E3})");
    }
}
