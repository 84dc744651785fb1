using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;
using static ArchDsl.Weights.Tests.TestSupport;

namespace ArchDsl.Weights.Tests;

public class TrainingAndLoadingTests
{
    /// <summary>Two classes: a bright upper half or a bright lower half, under noise.</summary>
    private static (Tensor x, Tensor y) SeparableSet(int n)
    {
        using var scope = NewDisposeScope();
        var labels = arange(n, dtype: ScalarType.Int64).remainder(2);
        var x = randn(n, 1, 8, 8).mul(0.3);
        var top = x.narrow(2, 0, 4);
        var bottom = x.narrow(2, 4, 4);
        var isTop = labels.eq(0).to(ScalarType.Float32).view(n, 1, 1, 1);
        top.add_(isTop.mul(2));
        bottom.add_(isTop.neg().add(1).mul(2));
        return (x.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    [Fact]
    public void Small_cnn_trained_with_sgd_fits_a_separable_set()
    {
        manual_seed(0);
        var (x, y) = SeparableSet(64);
        using var _x = x;
        using var _y = y;
        using var model = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, padding: 1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2));
        using var loss_fn = nn.CrossEntropyLoss();
        using var opt = optim.SGD(model.parameters(), 0.1, momentum: 0.9);

        double accuracy = 0;
        for (int epoch = 0; epoch < 60 && accuracy < 1.0; epoch++) {
            using var scope = NewDisposeScope();
            model.train();
            opt.zero_grad();
            var loss = loss_fn.call(model.call(x), y);
            // Says why when training breaks down: on this AVX-512 machine libtorch 2.10's oneDNN 3.7.1 convolution
            // backward (jit:avx512_core) now and then returns NaN gradients; with ONEDNN_MAX_CPU_ISA=AVX2 it does not.
            var lossValue = loss.ToDouble();
            Assert.True(double.IsFinite(lossValue), $"the loss is {lossValue} at epoch {epoch}: an earlier step produced a non-finite gradient");
            loss.backward();
            opt.step();

            model.eval();
            using var _ = no_grad();
            var predicted = model.call(x).argmax(1);
            accuracy = predicted.eq(y).to(ScalarType.Float32).mean().ToDouble();
        }
        Assert.Equal(1.0, accuracy);
    }

    private static Dictionary<string, Tensor> Copy(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().add_(1).to(kv.Value.dtype));

    private static void AssertUnchanged(Dictionary<string, byte[]> before, nn.Module m)
    {
        foreach (var (k, v) in m.state_dict()) Assert.True(before[k].SequenceEqual(v.bytes.ToArray()), $"{k} was modified by a failed load");
    }

    [Fact]
    public void Load_state_dict_with_a_missing_key_names_it_and_changes_nothing()
    {
        using var model = new SmallNet();
        var before = Snapshot(model);
        var source = Copy(model);
        source.Remove("bn1.running_var");
        var ex = Assert.Throws<WeightMismatchException>(() => model.LoadWeights(source));
        Assert.Contains("Missing key(s): 'bn1.running_var'", ex.Message);
        Assert.Equal(new[] { "bn1.running_var" }, ex.Missing);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void Load_state_dict_with_an_extra_key_names_it_and_changes_nothing()
    {
        using var model = new SmallNet();
        var before = Snapshot(model);
        var source = Copy(model);
        source["head.3.weight"] = zeros(2, 2);
        var ex = Assert.Throws<WeightMismatchException>(() => model.LoadWeights(source));
        Assert.Contains("Unexpected key(s): 'head.3.weight'", ex.Message);
        Assert.Equal(new[] { "head.3.weight" }, ex.Unexpected);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void Load_state_dict_with_a_wrong_shape_names_it_and_changes_nothing()
    {
        using var model = new SmallNet();
        var before = Snapshot(model);
        var source = Copy(model);
        source["head.2.weight"] = zeros(5, 8);
        var ex = Assert.Throws<WeightMismatchException>(() => model.LoadWeights(source, strict: false));
        Assert.Contains("size mismatch for 'head.2.weight'", ex.Message);
        Assert.Contains("[5, 8]", ex.Message);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void Load_state_dict_copies_every_value()
    {
        using var model = new SmallNet();
        var source = Copy(model);
        model.LoadWeights(source);
        // Tensor.Equals(Tensor) is TorchSharp's whole-tensor equality (shape, dtype and every element).
        foreach (var (k, v) in model.state_dict()) Assert.True(source[k].Equals(v), k);
    }

    [Fact]
    public void Loading_a_file_with_a_wrong_shape_fails_and_changes_nothing()
    {
        var path = TempPath("wrong.dat");
        try {
            using var small = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2));
            using var other = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 5));
            other.save(path);
            var before = Snapshot(small);
            var ex = Assert.Throws<WeightMismatchException>(() => small.LoadWeights(path));
            Assert.Contains("'1.weight'", ex.Message);
            Assert.Contains("'1.bias'", ex.Message);
            AssertUnchanged(before, small);
        } finally {
            System.IO.File.Delete(path);
        }
    }
}
