using System.IO;
using System.Linq;
using ArchDsl.Catalogue.Blocks.Efficientnet;
using ArchDsl.Catalogue.Blocks.ShufflenetV2;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>What the generic parity tests (eval mode, static figures) cannot see in ShuffleNet V2 and EfficientNet:
/// the order in which channel shuffle interleaves the branches, and stochastic depth, which acts only in training.</summary>
/// <remarks>Runs outside the parallel test classes: the stochastic-depth comparison replays torchvision's draws from
/// the process-wide generator, and another class drawing random numbers at the same time would shift them.</remarks>
[Collection(GlobalRandomState.Name)]
public class ModernFamiliesTests
{

    // ------------------------------------------------------------ ShuffleNet V2: channel split and shuffle

    /// <summary>torchvision's InvertedResidual(in, out, stride) in training mode (batch statistics, nothing random)
    /// against the generated unit on its weights. A shuffle that interleaved the two halves in any other order,
    /// or a split that sent the other half through the branch, would permute the output's channels.</summary>
    [PythonTheory]
    [InlineData(116, 116, 1, 14)]
    [InlineData(24, 116, 2, 28)]
    [InlineData(48, 48, 1, 7)]
    public void Shuffle_unit_equals_torchvision_in_training_mode(int inChannels, int outChannels, int stride, int size)
    {
        var dir = ScratchFolder.DeletedAtExit(Path.Combine(Path.GetTempPath(), $"archdsl-shufflenet-unit-{System.Environment.ProcessId}-{inChannels}-{outChannels}-{stride}-{size}"));
        Python.RunScript(Path.Combine(RepoPaths.Root, "tests", "Catalogue.Tests", "python", "shufflenet_unit_reference.py"),
            inChannels.ToString(), outChannels.ToString(), stride.ToString(), size.ToString(), dir);
        var input = new FeatureShape(inChannels, size, size);
        using nn.Module<Tensor, Tensor> unit = stride == 1 ? new ShuffleV2Unit(input, outChannels) : new ShuffleV2DownsampleUnit(input, outChannels);
        unit.load(Path.Combine(dir, "weights.dat"), strict: true);
        unit.train();
        using var _ = torch.no_grad();
        using var x = Reference.ReadTensor(dir, "input");
        using var y = unit.call(x);
        using var expected = Reference.ReadTensor(dir, "output0");
        Assert.Equal(expected.shape, y.shape);
        AssertClose(expected, y, $"ShuffleNet V2 unit {inChannels}->{outChannels}/{stride}");
        // The check can tell shuffle orders apart: the unshuffled concatenation is far from torchvision's output.
        using var unshuffled = y.reshape(y.shape[0], y.shape[1] / 2, 2, size / stride, size / stride).transpose(1, 2).reshape(y.shape);
        Assert.True(MaxDiff(expected, unshuffled) > 0.1, "the output does not depend on the channel order");
    }

    /// <summary>The whole network in training mode (batch statistics in every unit), on torchvision's weights.</summary>
    [PythonFact]
    public void ShuffleNetV2_training_mode_output_equals_torchvision()
    {
        var net = CatalogueVariants.Get("ShuffleNetV2_x0_5");
        var dir = Reference.Produce(net.Reference!, net.Input, train: true);
        using var model = CatalogueVariants.Create(net.Name);
        model.load(Path.Combine(dir, "weights.dat"), strict: true);
        model.train();
        using var _ = torch.no_grad();
        using var x = Reference.ReadTensor(dir, "input");
        using var y = model.call(x);
        using var expected = Reference.ReadTensor(dir, "output0");
        AssertClose(expected, y, net.Name);
    }

    // ------------------------------------------------------------ EfficientNet: stochastic depth

    /// <summary>Drop probability 1: in training every sample's branch is dropped, so a shape-keeping MBConv is
    /// exactly the identity; in evaluation the branch is always added.</summary>
    [Fact]
    public void MBConv_with_drop_probability_one_is_the_identity_in_training_only()
    {
        torch.manual_seed(0);
        using var block = new MBConv(new FeatureShape(16, 8, 8), 16, 3, 1, 6, 1.0, 1e-5, 0.1);
        using var _ = torch.no_grad();
        using var x = torch.randn(4, 16, 8, 8);
        block.train();
        using (var y = block.call(x)) Assert.True(y.Equals(x), "training: the branch should have been dropped for every sample");
        block.eval();
        using (var y = block.call(x)) Assert.True(MaxDiff(x, y) > 1e-3, "evaluation: the branch should be added");
    }

    /// <summary>Drop probability 0.5 in training: each sample independently keeps its input alone or gets the branch
    /// scaled by 1/(1-p) = 2 (torchvision's "row" mode); over 32 samples both happen. In evaluation the branch is added
    /// unscaled, whatever the random state.</summary>
    [Fact]
    public void MBConv_stochastic_depth_drops_per_sample_and_rescales_survivors()
    {
        var shape = new FeatureShape(16, 6, 6);
        torch.manual_seed(0);
        using var dropping = new MBConv(shape, 16, 5, 1, 6, 0.5, 1e-5, 0.1);
        using var keeping = new MBConv(shape, 16, 5, 1, 6, 0.0, 1e-5, 0.1);
        keeping.load_state_dict(dropping.state_dict());
        using var _ = torch.no_grad();
        using var x = torch.randn(32, 16, 6, 6);
        dropping.train();
        keeping.train();
        using var branch = keeping.call(x) - x;    // batch statistics are the batch's, so the same in both blocks
        torch.manual_seed(7);
        using var y = dropping.call(x);
        int dropped = 0, kept = 0;
        for (long i = 0; i < x.shape[0]; i++)
        {
            using var yi = y[i];
            using var xi = x[i];
            using var scaled = xi + 2 * branch[i];
            if (MaxDiff(yi, xi) <= 1e-6) dropped++;
            else if (MaxDiff(yi, scaled) <= 1e-5) kept++;
            else Assert.Fail($"sample {i} is neither the input nor the input plus twice the branch");
        }
        Assert.True(dropped > 0 && kept > 0, $"dropped {dropped}, kept {kept} of 32 samples");

        dropping.eval();
        keeping.eval();
        torch.manual_seed(1);
        using var first = dropping.call(x);
        torch.manual_seed(2);
        using var second = dropping.call(x);
        using var reference = keeping.call(x);
        Assert.True(first.Equals(second) && first.Equals(reference), "evaluation must not drop anything");
    }

    /// <summary>EfficientNet-B0 in training mode against torchvision on the same weights, input and random state:
    /// both draw the per-sample masks with bernoulli_ from the same generator, block by block, so the outputs agree
    /// only if every block's drop probability (0.2 · block index / 16) and the order of the draws are torchvision's.
    /// Dropout before the classifier is disabled on both sides.</summary>
    [PythonFact]
    public void EfficientNetB0_training_mode_output_equals_torchvision_stochastic_depth_included()
    {
        var net = CatalogueVariants.Get("EfficientNetB0");
        var dir = Reference.Produce(net.Reference!, net.Input, train: true);
        using var model = new EfficientNet(1.0, 1.0, 0.0);
        model.load(Path.Combine(dir, "weights.dat"), strict: true);
        model.train();
        using var _ = torch.no_grad();
        using var input = Reference.ReadTensor(dir, "input");
        using var expected = Reference.ReadTensor(dir, "output0");

        // torchvision_reference.py seeds 1, draws the input, then runs the model: replay that random state.
        torch.manual_seed(1);
        using var x = torch.randn(input.shape);
        Assert.True(x.Equals(input), "the engine's generator does not replay torchvision's input");
        using var y = model.call(x);
        AssertClose(expected, y, "EfficientNetB0 (training)");

        // Other masks give another output, so the comparison above did check stochastic depth.
        torch.manual_seed(2);
        using var other = model.call(x);
        Assert.True(MaxDiff(expected, other) > 1e-2, "a different random state should drop different branches");

        // In evaluation the random state is irrelevant.
        model.eval();
        torch.manual_seed(1);
        using var eval1 = model.call(x);
        torch.manual_seed(2);
        using var eval2 = model.call(x);
        Assert.True(eval1.Equals(eval2), "stochastic depth must be the identity in evaluation");
    }

    static double MaxDiff(Tensor a, Tensor b)
    {
        using var d = (a - b).abs().max();
        return d.item<float>();
    }

    static void AssertClose(Tensor expected, Tensor actual, string what) =>
        OutputTolerance.AssertClose(expected, actual, what + ", C# against torchvision");
}

/// <summary>Tests that depend on process-wide state — an exact sequence from libtorch's random generator, the engine's
/// convolution kernel setting: run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomState
{
    public const string Name = "Global random state";
}
