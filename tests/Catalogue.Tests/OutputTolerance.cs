using System;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>
/// The one rule by which two float32 runs of a network are "the same output" in this suite: the largest difference
/// is at most <see cref="Relative"/> times the reference output's largest magnitude (or times 1, for outputs below 1).
/// </summary>
/// <remarks>
/// Float32 rounding error is relative: a sum's error grows with the magnitude of what is summed. Two libtorch builds
/// (libtorch 2.10 under TorchSharp, Debian's 1.13 under torchvision) pick different kernels and summation orders, so
/// their outputs differ by a few units of float32's precision (about 6e-8) per layer, accumulated over depth, and
/// scaled by the output's size. At torchvision's random initialisation some networks' outputs reach 1e12 (Inception
/// v3) or 1e8 (ResNet-152), where an absolute bound means nothing; observed differences there are 1–3e-6 of the
/// output's magnitude. 1e-4 of it leaves room for depth while still catching any real error: a wrong weight, a
/// missed layer or a mis-ordered channel moves the output by a large fraction of its magnitude. The floor of 1 keeps
/// outputs near zero (a softmax-free head at small weights) from demanding more than 1e-4 absolute.
/// </remarks>
public static class OutputTolerance
{
    public const double Relative = 1e-4;

    /// <summary>The allowed difference for a reference whose largest |value| is <paramref name="magnitude"/>.</summary>
    public static double Bound(double magnitude) => Relative * Math.Max(1.0, magnitude);

    /// <summary>Asserts <paramref name="actual"/> equals <paramref name="expected"/> (the reference) within the bound.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (actual - expected).abs().max();
        using var magnitude = expected.abs().max();
        AssertClose(diff.item<float>(), magnitude.item<float>(), what);
    }

    /// <summary>The same for a difference and a magnitude measured elsewhere (a Python report).</summary>
    public static void AssertClose(double maxDiff, double magnitude, string what)
    {
        var bound = Bound(magnitude);
        Assert.True(maxDiff <= bound,
            $"{what}: max |difference| = {maxDiff:E3} > {bound:E3} ({Relative:E0} of the reference's magnitude {magnitude:E3}, at least 1)");
    }
}
