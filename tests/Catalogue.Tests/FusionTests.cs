using System;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>Inference fusion (<see cref="Fusion.FoldBatchNorms"/>) on every generated network: eval outputs of the
/// folded model equal the unfused model's, with batch norm statistics and affine parameters randomised so the
/// fold has something to fold.</summary>
public class FusionTests
{

    public static TheoryData<string> Fast() => TrainingStepTests.Fast();
    public static TheoryData<string> Slow() => TrainingStepTests.Slow();

    [Theory]
    [MemberData(nameof(Fast))]
    public void Folded_outputs_equal_unfused(string name) => CompareFolded(name);

    [Theory]
    [MemberData(nameof(Slow))]
    [Trait("Category", "Slow")]
    public void Folded_outputs_equal_unfused_large(string name) => CompareFolded(name, reduced: true);

    /// <summary>Every batch norm of ResNet-50 follows a convolution (53: one in the stem, three in each of the 16
    /// bottlenecks, one in each of the 4 projection shortcuts); all fold away.</summary>
    [Fact]
    public void ResNet50_folds_every_batch_norm()
    {
        using var model = Build("ResNet50");
        Assert.Equal(53, BatchNorms(model));
        Assert.Equal(53, Fusion.FoldBatchNorms(model));
        Assert.Equal(0, BatchNorms(model));
        Assert.Contains(model.named_parameters(), p => p.name == "conv1.bias");
    }

    /// <summary>DenseNet-121's pre-activation norms read a concatenation, not a convolution: norm1 of each of the
    /// 58 dense layers, the 3 transitions' norms and norm5 stay; norm0 and each layer's norm2 fold.</summary>
    [Fact]
    public void DenseNet121_keeps_batch_norms_that_follow_a_concatenation()
    {
        using var model = Build("DenseNet121");
        Assert.Equal(58 + 58 + 3 + 2, BatchNorms(model));
        Assert.Equal(58 + 1, Fusion.FoldBatchNorms(model));
        Assert.Equal(58 + 3 + 1, BatchNorms(model));
    }

    /// <summary>A batch norm after a linear layer folds into it (BatchNorm1d on features).</summary>
    [Fact]
    public void Linear_then_batch_norm_folds()
    {
        torch.manual_seed(3);
        using var seq = nn.Sequential(("fc", nn.Linear(6, 4)), ("bn", nn.BatchNorm1d(4)), ("act", nn.ReLU()));
        Randomise(seq);
        seq.eval();
        using var x = torch.randn(5, 6);
        using var before = seq.call(x);
        Assert.Equal(1, Fusion.FoldBatchNorms(seq));
        Assert.IsType<Identity>(seq.named_children().Single(c => c.name == "bn").module);
        using var after = seq.call(x);
        Assert.True((before - after).abs().max().item<float>() <= 1e-6);
    }

    /// <param name="reduced">Run at a smaller input where the network accepts one: folding is exact per layer, so the
    /// resolution changes nothing the test checks, and the largest networks cost minutes at their declared size.</param>
    static void CompareFolded(string name, bool reduced = false)
    {
        using var model = Build(name);
        int norms = BatchNorms(model);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = SeededBatch(name, reduced);
        var before = TrainingStepTests.Forward(model, x);
        int folded = Fusion.FoldBatchNorms(model);
        Assert.Equal(norms - folded, BatchNorms(model));
        var after = TrainingStepTests.Forward(model, x);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            OutputTolerance.AssertClose(before[i], after[i], $"{name} output {i}, folded against unfused ({folded} of {norms} BNs folded)");
        }
    }

    /// <summary>Two inputs drawn with seed 1: of the network's declared size, or of <see cref="ReducedInput"/>.</summary>
    internal static Tensor SeededBatch(string name, bool reduced)
    {
        var type = TrainingStepTests.Networks.Single(t => t.Name == name);
        var declared = TrainingStepTests.Metadata(type).InputShape;
        var shape = reduced ? ReducedInput(type, declared) : declared;
        torch.manual_seed(1);
        return torch.randn(new long[] { 2 }.Concat(shape).ToArray());
    }

    /// <summary>The declared input, or a square of 96 (at least the network's minimum) when the size is not pinned
    /// by a flatten before a linear layer.</summary>
    internal static long[] ReducedInput(Type network, long[] declared)
    {
        const System.Reflection.BindingFlags flags = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.FlattenHierarchy;
        bool exact = (bool)network.GetField("ExactInputSize", flags)!.GetValue(null)!;
        long minimum = (long)network.GetField("MinimumHeight", flags)!.GetValue(null)!;
        if (exact) return declared;
        long side = Math.Min(declared[1], Math.Max(96, minimum));
        return new[] { declared[0], side, side };
    }

    internal static nn.Module Build(string name)
    {
        torch.manual_seed(0);
        var model = TrainingStepTests.Create(TrainingStepTests.Networks.Single(t => t.Name == name));
        Randomise(model);
        model.eval();
        return model;
    }

    /// <summary>Batch norm state away from its initial identity (as the torchvision reference script does),
    /// so a wrong fold changes the output.</summary>
    static void Randomise(nn.Module model)
    {
        using var _ = torch.no_grad();
        foreach (var bn in model.modules().OfType<BatchNorm>().Distinct())
        {
            bn.running_mean?.copy_(torch.rand(bn.num_features) * 0.2 - 0.1);
            bn.running_var?.copy_(torch.rand(bn.num_features) * 0.5 + 0.75);
            bn.weight?.copy_(torch.rand(bn.num_features) * 0.5 + 0.75);
            bn.bias?.copy_(torch.rand(bn.num_features) * 0.2 - 0.1);
        }
    }

    static int BatchNorms(nn.Module model) => model.modules().OfType<BatchNorm>().Distinct().Count();
}
