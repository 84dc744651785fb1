using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The runtime's stochastic depth (torchvision's <c>StochasticDepth(p, "row")</c>): in training each sample's
/// branch is dropped with probability p and kept ones are scaled by 1 / (1 - p), so the expectation is unchanged; in
/// evaluation it passes its input through.</summary>
public class StochasticDepthTests
{
    [Fact]
    public void Training_drops_whole_samples_and_scales_the_rest_by_the_survival_rate()
    {
        torch.manual_seed(0);
        using var depth = new StochasticDepth(0.25);
        depth.train();
        using var x = torch.ones(4000, 2, 3, 3);
        using var y = depth.call(x);
        var perSample = y.reshape(4000, -1);
        // Every sample is all zeros or all 1 / 0.75: the draw is per sample, not per element.
        using var min = perSample.amin(1);
        using var max = perSample.amax(1);
        Assert.True(Same(min, max), "a sample was partly dropped");
        var values = max.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0f || System.Math.Abs(v - 1f / 0.75f) < 1e-6f, $"sample value {v}"));
        double dropped = values.Count(v => v == 0f) / (double)values.Length;
        // 4,000 Bernoulli(0.25) draws: the standard deviation of the share is 0.0068; 0.04 is about six of them.
        Assert.InRange(dropped, 0.21, 0.29);
    }

    [Fact]
    public void Evaluation_and_zero_probability_pass_the_input_through()
    {
        using var x = torch.randn(8, 4, 5, 5);
        using var depth = new StochasticDepth(0.5);
        depth.eval();
        using var y = depth.call(x);
        Assert.True(Same(x, y));
        using var never = new StochasticDepth(0.0);
        never.train();
        using var z = never.call(x);
        Assert.True(Same(x, z));
    }

    // Tensor.Equals is TorchSharp's whole-tensor comparison (torch.equal there is element-wise).
    static bool Same(Tensor a, Tensor b) => a.Equals(b);
}
