using System;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The generated registry of the catalogue project: every network that builds at its declared arguments, by
/// name, with its static figures.</summary>
public class ModelRegistryTests
{
    [Fact]
    public void Every_generated_network_has_a_card_with_its_static_figures()
    {
        foreach (var type in TrainingStepTests.Networks)
        {
            var meta = TrainingStepTests.Metadata(type);
            var card = ArchModels.All.Single(c => c.Name == type.Name);
            Assert.Equal(meta.Params, card.Params);
            Assert.Equal(meta.Macs, card.Macs);
            Assert.Equal(meta.InputShape, card.InputShape);
            Assert.Equal(meta.SourceFile, card.SourceFile);
        }
        Assert.Equal(ArchModels.All.Count, ArchModels.All.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void List_matches_wildcards_without_regard_to_case()
    {
        var resnets = ArchModels.List("resnet*").Select(c => c.Name).ToList();
        Assert.Contains("ResNet50", resnets);
        Assert.Contains("ResNet18", resnets);
        Assert.DoesNotContain("ResNeXt50_32x4d", resnets);
        Assert.Equal(new[] { "ResNet101", "ResNet152" }, ArchModels.List("RESNET1?1").Select(c => c.Name).Concat(ArchModels.List("resnet15?").Select(c => c.Name)));
        Assert.Equal(ArchModels.All.Count, ArchModels.List().Count);
        Assert.Empty(ArchModels.List("no-such-*"));
    }

    [Fact]
    public void Create_by_name_with_a_class_count()
    {
        using var scope = NewDisposeScope();
        using var model = ArchModels.Create("resnet50", numClasses: 10);
        Assert.IsType<ResNet50>(model);
        Assert.Equal(new long[] { 10, 2048 }, model.named_parameters().Single(p => p.name == "fc.weight").parameter.shape);
        using var defaults = ArchModels.Create("mobilenet_v2_100");
        Assert.IsType<MobileNetV2_100>(defaults);
        Assert.Equal(1000, ((IArchModule)defaults).OutputShape.Channels);
        model.eval();
        Assert.Equal(new long[] { 1, 10 }, model.call(zeros(1, 3, 224, 224)).shape);
    }

    [Fact]
    public void An_unknown_name_lists_the_close_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => ArchModels.Create("resnet5"));
        Assert.Contains("no model named 'resnet5'", error.Message);
        Assert.Contains("ResNet50", error.Message);
        error = Assert.Throws<ArgumentException>(() => ArchModels.Create("efficentnet_b0"));
        Assert.Contains("EfficientNetB0", error.Message);
        error = Assert.Throws<ArgumentException>(() => ArchModels.Create("zzzzzzzzzzzz"));
        Assert.Contains("ArchModels.List()", error.Message);
    }

    [Fact]
    public void A_fixed_class_count_is_reset_through_the_classifier()
    {
        using var model = ModelRegistry.WithClasses(new ResNet18(), 7);
        Assert.Equal(7, model.OutputShape.Channels);
        Assert.Equal(new long[] { 7, 512 }, model.named_parameters().Single(p => p.name == "fc.weight").parameter.shape);
    }
}
