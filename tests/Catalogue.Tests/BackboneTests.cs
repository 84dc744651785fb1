using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>Generated networks as backbones: the features they return have the shapes their static taps declare, the
/// head applied to the body is the forward, and a reset classifier leaves the body as it was.</summary>
public class BackboneTests
{
    static (nn.Module<Tensor, Tensor> Model, IBackbone Backbone, NetworkMetadata Meta) Build(string name)
    {
        var type = typeof(BackboneTests).Assembly.GetTypes().Single(t => t.Namespace == "ArchDsl.Catalogue" && t.Name == name);
        var model = CatalogueVariants.Create(name);
        model.eval();
        return (model, (IBackbone)model, TrainingStepTests.Metadata(type));
    }

    static Tensor Input(NetworkMetadata meta, long batch = 2)
    {
        manual_seed(3);
        return randn(new[] { batch }.Concat(meta.InputShape).ToArray());
    }

    [Theory]
    [InlineData("ResNet50", new long[] { 64, 256, 512, 1024, 2048 })]
    [InlineData("MobileNetV2_100", new long[] { 16, 24, 32, 96, 1280 })]
    [InlineData("DenseNet121", new long[] { 64, 256, 512, 1024, 1024 })]
    [InlineData("EfficientNetB0", new long[] { 16, 24, 40, 112, 1280 })]
    [InlineData("GoogLeNetNoAux", new long[] { 64, 192, 480, 832, 1024 })]
    public void Features_have_the_static_channels_and_reductions(string name, long[] channels)
    {
        var (model, backbone, meta) = Build(name);
        using var _ = model;
        using var scope = NewDisposeScope();
        var x = Input(meta);
        var features = backbone.Features(x);

        Assert.Equal(channels, backbone.FeatureTaps.Select(t => t.Channels));
        Assert.Equal(new long[] { 2, 4, 8, 16, 32 }, backbone.FeatureTaps.Select(t => t.Reduction));
        Assert.Equal(backbone.FeatureTaps.Count, features.Count);
        foreach (var f in features)
        {
            Assert.Equal(new long[] { 2 }.Concat(f.Tap.Shape), f.Tensor.shape);
            Assert.Equal(f.Tap.Channels, f.Tensor.shape[1]);
            Assert.Equal(meta.InputShape[1] / f.Tap.Reduction, f.Tensor.shape[2]);
        }
        // The last tap is the body's output.
        using var body = backbone.forward_features(x);
        Assert.True(body.allclose(features[^1].Tensor, rtol: 0, atol: 0), "the last tap differs from forward_features");
    }

    /// <summary>A tap's feature is its module's output as that module made it. Features keeps an alias of the output,
    /// not a copy, so an activation that later ran in place on that tensor would change the feature silently; this
    /// compares every tap of every fast network against copies taken by hooks of its own.</summary>
    [Theory]
    [MemberData(nameof(TrainingStepTests.Fast), MemberType = typeof(TrainingStepTests))]
    public void Features_are_the_tap_outputs_as_made(string name)
    {
        var (model, backbone, meta) = Build(name);
        using var _ = model;
        if (backbone.FeatureTaps.Count == 0) return;  // nothing to tap: A_network_without_a_pooled_head_is_all_body covers it
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var x = Input(meta, 1);
        var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
        var copies = new Dictionary<string, Tensor>();
        var removers = backbone.FeatureTaps.Select(tap => ((nn.Module<Tensor, Tensor>)modules[tap.Module]).register_forward_hook((m, _, output) =>
        {
            // Detached: the forward's own dispose scope would free the copy when it ends.
            if (!copies.ContainsKey(tap.Module)) copies[tap.Module] = output.clone().DetachFromDisposeScope();
            return output;
        })).ToList();
        backbone.forward_features(x);
        foreach (var r in removers) r.remove();
        foreach (var copy in copies.Values) scope.Attach(copy);

        var features = backbone.Features(x);
        Assert.Equal(backbone.FeatureTaps.Count, features.Count);
        foreach (var f in features)
            Assert.True(f.Tensor.allclose(copies[f.Tap.Module], rtol: 0, atol: 0), $"{name}: tap {f.Tap} changed after its module made it");
    }

    [Theory]
    [InlineData("ResNet50")]
    [InlineData("MobileNetV2_100")]
    [InlineData("DenseNet121")]
    [InlineData("EfficientNetB0")]
    [InlineData("GoogLeNetAux")]
    [InlineData("SqueezeNet1_1")]
    public void Head_of_the_features_is_the_forward(string name)
    {
        var (model, backbone, meta) = Build(name);
        using var _ = model;
        using var scope = NewDisposeScope();
        using var grad = no_grad();
        var x = Input(meta);
        var expected = model.call(x);
        var actual = backbone.forward_head(backbone.forward_features(x));
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 0), $"max difference {(expected - actual).abs().max().item<float>()}");
    }

    [Fact]
    public void Out_indices_choose_taps_and_count_from_the_end()
    {
        var (model, backbone, meta) = Build("ResNet18");
        using var _ = model;
        using var scope = NewDisposeScope();
        var features = backbone.Features(Input(meta, 1), 1, -1);
        Assert.Equal(new[] { "layer1", "layer4" }, features.Select(f => f.Tap.Module));
        Assert.Equal(new long[] { 1, 512, 7, 7 }, features[1].Tensor.shape);
        Assert.Same(ResNet18.FeatureInfo, backbone.FeatureTaps);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => backbone.Features(Input(meta, 1), 5));
        Assert.Contains("0..4", error.Message);
        Assert.Contains("layer4", error.Message);
        Assert.Throws<ArgumentException>(() => backbone.Features(Input(meta, 1), 4, -1));
    }

    [Theory]
    [InlineData("ResNet18", "fc")]
    [InlineData("MobileNetV2_100", "classifier.1")]
    [InlineData("SqueezeNet1_1", "classifier.1")]
    public void ResetClassifier_changes_the_head_alone(string name, string classifier)
    {
        var (model, backbone, meta) = Build(name);
        using var _ = model;
        using var scope = NewDisposeScope();
        Assert.Equal(classifier, backbone.ClassifierPath);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        backbone.ResetClassifier(5);

        var after = model.state_dict();
        Assert.Equal(before.Keys.OrderBy(k => k), after.Keys.OrderBy(k => k));
        foreach (var (key, value) in after)
        {
            if (key.StartsWith(classifier + ".", StringComparison.Ordinal))
                Assert.Equal(5, value.shape[0]);
            else
                Assert.True(value.equal(before[key]).all().item<bool>(), key + " changed");
        }
        Assert.Equal(5, ((IArchModule)model).OutputShape.Channels);
        using var output = model.call(Input(meta));
        Assert.Equal(new long[] { 2, 5 }, output.shape);
    }

    [Fact]
    public void Fine_tuning_a_frozen_body_trains_the_new_head_only()
    {
        var (model, backbone, meta) = Build("ResNet18");
        using var _ = model;
        using var scope = NewDisposeScope();
        backbone.ResetClassifier(3);
        foreach (var (key, p) in model.named_parameters())
            p.requires_grad = key.StartsWith("fc.", StringComparison.Ordinal);
        var body = model.named_parameters().Where(p => !p.name.StartsWith("fc.", StringComparison.Ordinal)).ToDictionary(p => p.name, p => p.parameter.clone());
        var head = model.named_parameters().Where(p => p.name.StartsWith("fc.", StringComparison.Ordinal)).ToDictionary(p => p.name, p => p.parameter.clone());
        var optimizer = optim.SGD(model.parameters().Where(p => p.requires_grad), 0.1);
        model.train();
        var x = Input(meta, 4);
        var y = tensor(new long[] { 0, 1, 2, 1 });
        for (int step = 0; step < 2; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
        }
        // Batch-norm statistics move in training mode; parameters of the body do not.
        foreach (var (key, p) in model.named_parameters())
            if (body.TryGetValue(key, out var old)) Assert.True(p.equal(old).all().item<bool>(), key + " changed");
            else Assert.False(p.equal(head[key]).all().item<bool>(), key + " did not train");
    }

    [Fact]
    public void ResetClassifier_needs_a_class()
    {
        var (model, backbone, _) = Build("ResNet18");
        using var __ = model;
        Assert.Throws<ArgumentOutOfRangeException>(() => backbone.ResetClassifier(0));
    }

    [Fact]
    public void A_network_without_a_pooled_head_is_all_body()
    {
        var (model, backbone, meta) = Build("CliqueNetT12K36");
        using var __ = model;
        using var scope = NewDisposeScope();
        Assert.Null(backbone.ClassifierPath);
        var x = Input(meta);
        Assert.True(model.call(x).allclose(backbone.forward_features(x), rtol: 0, atol: 0));
        Assert.Same(x, backbone.forward_head(x));
        var error = Assert.Throws<NotSupportedException>(() => backbone.ResetClassifier(3));
        Assert.Contains("no classifier head", error.Message);
    }
}
