using System;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The forward-pass summary of a module (any TorchSharp module) against what the front end computed
/// statically for the generated class: two independent counts of the same network.</summary>
public class ModuleSummaryTests
{
    [Theory]
    [InlineData("ResNet50")]
    [InlineData("MobileNetV2_100")]
    [InlineData("GoogLeNetNoAux")]
    [InlineData("DenseNet121")]
    [InlineData("SqueezeNet1_1")]
    public void Forward_pass_counts_equal_the_static_ones(string name)
    {
        var type = TrainingStepTests.Networks.Single(t => t.Name == name);
        var meta = TrainingStepTests.Metadata(type);
        using var model = CatalogueVariants.Create(name);
        var summary = ModuleSummary.Of(model, new long[] { 2 }.Concat(meta.InputShape).ToArray());

        Assert.Equal(meta.Params, summary.Params);
        Assert.Equal(meta.Params, summary.TrainableParams);
        Assert.Equal(meta.Buffers, model.buffers().Count());   // the static figure counts buffer tensors
        Assert.Equal(model.buffers().Sum(b => b.numel()), summary.Buffers);
        Assert.Equal(2 * meta.Macs, summary.Macs);   // the static count is per image
        Assert.Equal(new long[] { 2 }.Concat(meta.OutputShape), summary.OutputShape);
        // Every layer the static table names has the same output shape in the forward pass (a module called more
        // than once, as torchvision's ResNet calls one ReLU three times, shows its first call's).
        var rows = summary.Rows.ToDictionary(r => r.Path);
        int compared = 0;
        foreach (var layer in meta.Layers)
            if (rows.TryGetValue(layer.Path, out var row) && row.OutputShape is not null && row.Calls == 1) {
                Assert.True(new long[] { 2 }.Concat(layer.OutputShape).SequenceEqual(row.OutputShape),
                    $"{layer.Path}: static [{string.Join(", ", layer.OutputShape)}], forward [{string.Join(", ", row.OutputShape)}]");
                compared++;
            }
        Assert.True(compared >= meta.Layers.Count / 2, $"only {compared} of {meta.Layers.Count} layers compared");
    }

    [Fact]
    public void Frozen_parameters_depth_folding_and_the_module_mode()
    {
        using var model = CatalogueVariants.Create("ResNet18");
        model.train();
        foreach (var (name, p) in model.named_parameters())
            if (!name.StartsWith("fc.", StringComparison.Ordinal)) p.requires_grad = false;

        var summary = ModuleSummary.Of(model, 1, 3, 64, 64);
        Assert.Equal(512 * 1000 + 1000, summary.TrainableParams);
        Assert.Equal(11_689_512 - 513_000, summary.FrozenParams);
        Assert.True(model.training, "the summary left the module in eval mode");

        var layer1 = summary.Rows.Single(r => r.Path == "layer1");
        Assert.Equal(1, layer1.Depth);
        Assert.Equal(new long[] { 1, 64, 16, 16 }, layer1.OutputShape);
        // A row counts everything below it: layer1's MACs are its four convolutions'.
        Assert.Equal(4 * 16 * 16 * 64 * 64 * 9L, layer1.Macs);

        var folded = summary.ToTable(depth: 1);
        Assert.Contains("layer1", folded);
        Assert.DoesNotContain("conv2", folded);
        Assert.Contains("conv2", summary.ToTable());
        Assert.Contains("frozen 11,176,512", folded);
    }

    [Fact]
    public void A_hand_written_module_is_summarised_too()
    {
        using var model = nn.Sequential(
            ("conv", nn.Conv2d(3, 8, 3, padding: 1, groups: 1)),
            ("relu", nn.ReLU()),
            ("pool", nn.AdaptiveAvgPool2d(1)),
            ("flat", nn.Flatten()),
            ("head", nn.Linear(8, 4)));
        var summary = ModuleSummary.Of(model, 2, 3, 10, 10);
        Assert.Equal(3 * 8 * 9 + 8 + 8 * 4 + 4, summary.Params);
        Assert.Equal(2 * 8 * 10 * 10 * 27L + 2 * 4 * 8L, summary.Macs);
        Assert.Equal(new long[] { 2, 4 }, summary.OutputShape);
        Assert.Equal(new[] { "conv", "relu", "pool", "flat", "head" }, summary.Rows.Select(r => r.Path));
    }
}
