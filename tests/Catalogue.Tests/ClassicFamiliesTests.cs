using System;
using System.IO;
using System.Linq;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>AlexNet, VGG, SqueezeNet, GoogLeNet and Inception v3 beyond the generic oracle tests: the VGG batch-norm
/// variants the oracle file lacks (against torchvision built here), the auxiliary heads in training mode, and the
/// two-tower AlexNet against Caffe's figure and a PyTorch build of the same layers.</summary>
public class ClassicFamiliesTests
{
    /// <summary>Loads the weights written in DIR strictly (same keys and shapes) and sets the mode; returns the input.</summary>
    static Tensor Prepare(nn.Module model, string dir, bool train)
    {
        model.load(Path.Combine(dir, "weights.dat"), strict: true);
        if (train) model.train(); else model.eval();
        return Reference.ReadTensor(dir, "input");
    }

    /// <summary>Asserts that ACTUAL equals the reference output file OUTPUT (output0, output1 …) within the tolerance.</summary>
    static void AssertMatches(Tensor? actual, string dir, string output, string what)
    {
        Assert.True(actual is not null, what + " is missing");
        using var expected = Reference.ReadTensor(dir, output);
        OutputTolerance.AssertClose(expected, actual!, what + ", C# against the reference");
    }

    // ---------------------------------------------------------------- auxiliary heads

    [PythonFact]
    public void GoogLeNet_training_outputs_equal_torchvision_for_every_head()
    {
        var net = CatalogueVariants.Get("GoogLeNetAux");
        var dir = Reference.Produce(net.Reference!, net.Input, train: true);
        // torchvision's dropout is set to 0 for the reference; the same here, so training mode is deterministic.
        using var model = new GoogLeNetAux(dropoutP: 0, auxDropoutP: 0);
        using var _ = torch.no_grad();
        using var x = Prepare(model, dir, train: true);
        var y = model.forward_with_aux(x);
        // torchvision 0.14 declares GoogLeNetOutputs(logits, aux_logits2, aux_logits1), but its forward unpacks
        // _forward's (x, aux2, aux1) as (x, aux1, aux2) before building the tuple, so the tuple's second element is
        // the head after inception4a (aux1) and the third the head after inception4d (aux2).
        AssertMatches(y.Output, dir, "output0", "main logits");
        AssertMatches(y.Aux1, dir, "output1", "aux1");
        AssertMatches(y.Aux2, dir, "output2", "aux2");
    }

    [PythonFact]
    public void InceptionV3_training_outputs_equal_torchvision_for_every_head()
    {
        var net = CatalogueVariants.Get("InceptionV3Aux");
        var dir = Reference.Produce(net.Reference!, net.Input, train: true);
        using var model = new InceptionV3Aux(dropoutP: 0);
        using var _ = torch.no_grad();
        using var x = Prepare(model, dir, train: true);
        var y = model.forward_with_aux(x);
        // torchvision returns InceptionOutputs(logits, aux_logits).
        AssertMatches(y.Output, dir, "output0", "main logits");
        AssertMatches(y.AuxLogits, dir, "output1", "AuxLogits");
    }

    [Fact]
    public void Auxiliary_heads_run_only_in_training_and_forward_returns_the_main_output()
    {
        using var model = new GoogLeNetAux(numClasses: 7, dropoutP: 0, auxDropoutP: 0);
        using var x = torch.randn(2, 3, 224, 224);
        model.eval();
        var eval = model.forward_with_aux(x);
        Assert.Null(eval.Aux1);
        Assert.Null(eval.Aux2);
        Assert.Equal(new long[] { 2, 7 }, eval.Output.shape);
        model.train();
        var train = model.forward_with_aux(x);
        Assert.Equal(new long[] { 2, 7 }, train.Aux1!.shape);
        Assert.Equal(new long[] { 2, 7 }, train.Aux2!.shape);
        using var plain = model.call(x);
        OutputTolerance.AssertClose(train.Output, plain, "forward against forward_with_aux");
        // Without aux_logits the heads are not built at all.
        using var noAux = new GoogLeNetNoAux();
        Assert.DoesNotContain(noAux.state_dict().Keys, k => k.StartsWith("aux", StringComparison.Ordinal));
    }

    [Fact]
    public void Auxiliary_heads_add_parameters_but_not_inference_macs()
    {
        // torchvision.csv: the aux heads' parameters count, the eval-mode MACs are the same with and without them.
        Assert.Equal(13_004_888 - 6_624_904, CatalogueVariants.Get("GoogLeNetAux").Params - CatalogueVariants.Get("GoogLeNetNoAux").Params);
        Assert.Equal(CatalogueVariants.Get("GoogLeNetNoAux").Macs, CatalogueVariants.Get("GoogLeNetAux").Macs);
        Assert.Equal(27_161_264 - 23_834_568, CatalogueVariants.Get("InceptionV3Aux").Params - CatalogueVariants.Get("InceptionV3NoAux").Params);
        Assert.Equal(CatalogueVariants.Get("InceptionV3NoAux").Macs, CatalogueVariants.Get("InceptionV3Aux").Macs);
    }

    // ---------------------------------------------------------------- two-tower AlexNet (paper / Caffe)

    [Fact]
    public void Two_tower_alexnet_has_caffes_parameter_count_and_the_derived_macs()
    {
        var net = CatalogueVariants.Get("AlexNetTwoTower");
        Assert.Equal(new long[] { 3, 227, 227 }, net.Input);
        Assert.Equal(60_965_224, net.Params);       // Caffe's bvlc_alexnet
        Assert.Equal(724_406_816, net.Macs);        // derived layer by layer in docs/catalogue/alexnet.md
        Assert.Equal(AlexNetTwoTower.ParameterCount, net.Params);
        using var model = new AlexNetTwoTower();
        Assert.Equal(60_965_224, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Two_tower_alexnet_runs_forward_and_backward_at_227()
    {
        using var model = new AlexNetTwoTower(numClasses: 10);
        model.train();
        using var x = torch.randn(2, 3, 227, 227);
        using var y = model.call(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
        using var loss = y.square().mean();
        loss.backward();
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, name + " got no gradient");
    }

    /// <summary>The same layers built with torch.nn (grouped convolutions, LocalResponseNorm(5, 1e-4, 0.75, 2)),
    /// exported under the .arch names.</summary>
    const string TwoTowerInTorch = @"
import json, os, sys, torch
from torch import nn
sys.path.insert(0, sys.argv[1])
import torchsharp_format
torch.manual_seed(0)
m = nn.Module()
layers = [
    ('conv1', nn.Conv2d(3, 96, 11, stride=4)), ('relu1', nn.ReLU()), ('norm1', nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0)),
    ('pool1', nn.MaxPool2d(3, 2)), ('conv2', nn.Conv2d(96, 256, 5, padding=2, groups=2)), ('relu2', nn.ReLU()),
    ('norm2', nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0)), ('pool2', nn.MaxPool2d(3, 2)),
    ('conv3', nn.Conv2d(256, 384, 3, padding=1)), ('relu3', nn.ReLU()),
    ('conv4', nn.Conv2d(384, 384, 3, padding=1, groups=2)), ('relu4', nn.ReLU()),
    ('conv5', nn.Conv2d(384, 256, 3, padding=1, groups=2)), ('relu5', nn.ReLU()), ('pool5', nn.MaxPool2d(3, 2)),
    ('flatten', nn.Flatten()), ('fc6', nn.Linear(9216, 4096)), ('relu6', nn.ReLU()), ('fc7', nn.Linear(4096, 4096)),
    ('relu7', nn.ReLU()), ('fc8', nn.Linear(4096, 1000))]
seq = nn.Sequential()
for name, layer in layers:
    seq.add_module(name, layer)
seq.eval()
out = sys.argv[2]
torchsharp_format.write_state_dict(seq.state_dict(), os.path.join(out, 'weights.dat'))
torch.manual_seed(1)
x = torch.randn(2, 3, 227, 227)
with torch.no_grad():
    y = seq(x)
x.numpy().astype('<f4').tofile(os.path.join(out, 'input.bin'))
y.numpy().astype('<f4').tofile(os.path.join(out, 'output0.bin'))
json.dump({'input': list(x.shape), 'outputs': [list(y.shape)]}, open(os.path.join(out, 'meta.json'), 'w'))
";

    [PythonFact]
    public void Two_tower_alexnet_eval_outputs_equal_the_same_layers_in_pytorch()
    {
        var dir = Path.Combine(Path.GetTempPath(), "archdsl-alexnet-two-tower-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Python.RunCode(TwoTowerInTorch, Path.Combine(RepoPaths.Root, "tools", "weights"), dir);
            using var model = new AlexNetTwoTower();
            using var _ = torch.no_grad();
            using var x = Prepare(model, dir, train: false);
            using var y = model.call(x);
            AssertMatches(y, dir, "output0", "two-tower AlexNet");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
