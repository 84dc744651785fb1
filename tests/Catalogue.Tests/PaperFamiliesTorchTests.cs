using System;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>References that are not the front end: the same networks built independently with plain torch.nn
/// (a few lines per paper, below) and counted there; and the highway gate's initialisation in the generated class.</summary>
public class PaperFamiliesTorchTests
{
    /// <summary>Each family rebuilt from its paper in plain torch.nn; prints params, BN params and conv/linear MACs.</summary>
    const string TorchNetworks = """
# Plain torch.nn versions of the paper families, written from the papers' tables; prints params and MACs.
import json, math, sys
import torch
from torch import nn

def cbr(i, o, k=1, s=1, p=0, eps=1e-5):
    return nn.Sequential(nn.Conv2d(i, o, k, s, p, bias=False), nn.BatchNorm2d(o, eps=eps), nn.ReLU())

def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
                         nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10)), (1, 32, 32)

def zfnet():
    return nn.Sequential(nn.Conv2d(3, 96, 7, 2, 1), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
                         nn.Conv2d(96, 256, 5, 2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
                         nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(), nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(),
                         nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(),
                         nn.Linear(9216, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000)), (3, 224, 224)

class Res(nn.Module):
    def __init__(self, body, short=None, post=None, pad=False):
        super().__init__(); self.body, self.short, self.post, self.pad = body, short, post, pad
    def forward(self, x):
        y = self.body(x); s = x if self.short is None else self.short(x)
        if self.pad and s.shape[1] < y.shape[1]:
            s = torch.cat([s, s.new_zeros(s.shape[0], y.shape[1] - s.shape[1], *s.shape[2:])], 1)
        y = y + s
        return y if self.post is None else self.post(y)

def sep(i, o):
    return nn.Sequential(nn.Conv2d(i, i, 3, 1, 1, groups=i, bias=False), nn.Conv2d(i, o, 1, bias=False), nn.BatchNorm2d(o))

def xception():
    def down(i, o, relu_first=True):
        body = ([nn.ReLU()] if relu_first else []) + [sep(i, o), nn.ReLU(), sep(o, o), nn.MaxPool2d(3, 2, 1)]
        return Res(nn.Sequential(*body), nn.Sequential(nn.Conv2d(i, o, 1, 2, bias=False), nn.BatchNorm2d(o)))
    def down2(i, a, b):
        return Res(nn.Sequential(nn.ReLU(), sep(i, a), nn.ReLU(), sep(a, b), nn.MaxPool2d(3, 2, 1)),
                   nn.Sequential(nn.Conv2d(i, b, 1, 2, bias=False), nn.BatchNorm2d(b)))
    mid = [Res(nn.Sequential(*[m for _ in range(3) for m in (nn.ReLU(), sep(728, 728))])) for _ in range(8)]
    return nn.Sequential(cbr(3, 32, 3, 2), cbr(32, 64, 3), down(64, 128, False), down(128, 256), down(256, 728), *mid,
                         down2(728, 728, 1024), sep(1024, 1536), nn.ReLU(), sep(1536, 2048), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000)), (3, 299, 299)

class SE(nn.Module):
    def __init__(self, c, r):
        super().__init__(); self.f = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, c // r, 1), nn.ReLU(), nn.Conv2d(c // r, c, 1), nn.Sigmoid())
    def forward(self, x): return x * self.f(x)

class CBAM(nn.Module):
    def __init__(self, c, r):
        super().__init__(); self.mlp = nn.Sequential(nn.Conv2d(c, c // r, 1), nn.ReLU(), nn.Conv2d(c // r, c, 1))
        self.spatial = nn.Sequential(nn.Conv2d(2, 1, 7, 1, 3, bias=False), nn.BatchNorm2d(1, momentum=0.01))
    def forward(self, x):
        x = x * torch.sigmoid(self.mlp(x.mean((2, 3), keepdim=True)) + self.mlp(x.amax((2, 3), keepdim=True)))
        return x * torch.sigmoid(self.spatial(torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], 1)))

def se_resnet(groups=1, wpg=64, se=True, s1=True, attention=SE):
    layers, blocks, i = [cbr(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, 1)], [3, 4, 6, 3], 64
    for st, n in enumerate(blocks):
        planes = 64 * 2 ** st
        for j in range(n):
            s = 2 if st > 0 and j == 0 else 1
            w, o = planes * wpg // 64 * groups, planes * 4
            body = [cbr(i, w, 1, s if s1 else 1), cbr(w, w, 1, 1)]
            body[1] = nn.Sequential(nn.Conv2d(w, w, 3, 1 if s1 else s, 1, groups=groups, bias=False), nn.BatchNorm2d(w), nn.ReLU())
            body += [nn.Conv2d(w, o, 1, bias=False), nn.BatchNorm2d(o)] + ([attention(o, 16)] if se else [])
            short = nn.Sequential(nn.Conv2d(i, o, 1, s, bias=False), nn.BatchNorm2d(o)) if s != 1 or i != o else None
            layers.append(Res(nn.Sequential(*body), short, nn.ReLU())); i = o
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000)), (3, 224, 224)

class PreAct(nn.Module):
    def __init__(self, i, o, s, s1, after_stem):
        super().__init__(); m = o // 4
        self.changes = s != 1 or i != o
        self.pre = nn.Sequential(nn.BatchNorm2d(i), nn.ReLU()) if not (self.changes and after_stem) else nn.Identity()
        self.body = nn.Sequential(nn.Conv2d(i, m, 1, s if s1 else 1, bias=False), nn.BatchNorm2d(m), nn.ReLU(),
                                  nn.Conv2d(m, m, 3, 1 if s1 else s, 1, bias=False), nn.BatchNorm2d(m), nn.ReLU(), nn.Conv2d(m, o, 1, bias=False))
        self.short = nn.Conv2d(i, o, 1, s, bias=False) if self.changes else None
    def forward(self, x):
        if self.changes:
            x = self.pre(x); return self.body(x) + self.short(x)
        return self.body(self.pre(x)) + x

def preact_cifar(depth):
    n, layers, i = (depth - 2) // 9, [nn.Conv2d(3, 16, 3, 1, 1, bias=False)], 16
    for st in range(3):
        for j in range(n):
            o = 64 * 2 ** st; layers.append(PreAct(i, o, 2 if st > 0 and j == 0 else 1, True, False)); i = o
    return nn.Sequential(*layers, nn.BatchNorm2d(256), nn.ReLU(), nn.AvgPool2d(8), nn.Flatten(), nn.Linear(256, 10)), (3, 32, 32)

def preact_imagenet():
    layers, i = [cbr(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, 1)], 64
    for st, n in enumerate([3, 4, 6, 3]):
        for j in range(n):
            o = 256 * 2 ** st; layers.append(PreAct(i, o, 2 if st > 0 and j == 0 else 1, False, st == 0 and j == 0)); i = o
    return nn.Sequential(*layers, nn.BatchNorm2d(2048), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, 1000)), (3, 224, 224)

def pyramidnet(depth, alpha):
    n, layers, i = (depth - 2) // 6, [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16)], 16
    for k in range(1, 3 * n + 1):
        o, s = int(math.floor(16 + k * alpha / (3 * n))), 2 if k in (n + 1, 2 * n + 1) else 1
        body = nn.Sequential(nn.BatchNorm2d(i), nn.Conv2d(i, o, 3, s, 1, bias=False), nn.BatchNorm2d(o), nn.ReLU(),
                             nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o))
        layers.append(Res(body, nn.AvgPool2d(2, 2, ceil_mode=True) if s == 2 else None, pad=True)); i = o
    return nn.Sequential(*layers, nn.BatchNorm2d(i), nn.ReLU(), nn.AvgPool2d(8), nn.Flatten(), nn.Linear(i, 10)), (3, 32, 32)

class Cat(nn.Module):
    def __init__(self, *b): super().__init__(); self.b = nn.ModuleList(b)
    def forward(self, x): return torch.cat([m(x) for m in self.b], 1)

class Scaled(nn.Module):
    def __init__(self, branches, width, inner, scale, relu=True):
        super().__init__(); self.cat, self.up, self.scale = branches, nn.Conv2d(inner, width, 1), scale
        self.relu = nn.ReLU() if relu else nn.Identity()
    def forward(self, x): return self.relu(x + self.scale * self.up(self.cat(x)))

def inception_resnet_v2():
    c = lambda i, o, k=1, s=1, p=0: cbr(i, o, k, s, p, eps=1e-3)
    S = nn.Sequential
    layers = [c(3, 32, 3, 2), c(32, 32, 3), c(32, 64, 3, 1, 1), nn.MaxPool2d(3, 2), c(64, 80), c(80, 192, 3), nn.MaxPool2d(3, 2),
              Cat(c(192, 96), S(c(192, 48), c(48, 64, 5, 1, 2)), S(c(192, 64), c(64, 96, 3, 1, 1), c(96, 96, 3, 1, 1)),
                  S(nn.AvgPool2d(3, 1, 1, count_include_pad=False), c(192, 64)))]
    layers += [Scaled(Cat(c(320, 32), S(c(320, 32), c(32, 32, 3, 1, 1)), S(c(320, 32), c(32, 48, 3, 1, 1), c(48, 64, 3, 1, 1))), 320, 128, 0.17) for _ in range(10)]
    layers.append(Cat(c(320, 384, 3, 2), S(c(320, 256), c(256, 256, 3, 1, 1), c(256, 384, 3, 2)), nn.MaxPool2d(3, 2)))
    layers += [Scaled(Cat(c(1088, 192), S(c(1088, 128), c(128, 160, (1, 7), 1, (0, 3)), c(160, 192, (7, 1), 1, (3, 0)))), 1088, 384, 0.1) for _ in range(20)]
    layers.append(Cat(S(c(1088, 256), c(256, 384, 3, 2)), S(c(1088, 256), c(256, 288, 3, 2)),
                      S(c(1088, 256), c(256, 288, 3, 1, 1), c(288, 320, 3, 2)), nn.MaxPool2d(3, 2)))
    layers += [Scaled(Cat(c(2080, 192), S(c(2080, 192), c(192, 224, (1, 3), 1, (0, 1)), c(224, 256, (3, 1), 1, (1, 0)))), 2080, 448, 0.2 if k < 9 else 1.0, k < 9) for k in range(10)]
    layers += [c(2080, 1536), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(1536, 1000)]
    return S(*layers), (3, 299, 299)

class Highway(nn.Module):
    def __init__(self, c, bias):
        super().__init__(); self.h, self.t = nn.Conv2d(c, c, 3, 1, 1), nn.Conv2d(c, c, 3, 1, 1); nn.init.constant_(self.t.bias, bias)
    def forward(self, x):
        t = torch.sigmoid(self.t(x)); return torch.relu(self.h(x)) * t + x * (1 - t)

def highway():
    w, layers = [32, 80, 128], [nn.Conv2d(3, 32, 3, 1, 1), nn.ReLU()]
    for i in range(3):
        if i > 0: layers += [nn.MaxPool2d(2), nn.Conv2d(w[i - 1], w[i], 1), nn.ReLU()]
        layers += [Highway(w[i], -2.0) for _ in range(4)]
    return nn.Sequential(*layers, nn.Conv2d(128, 10, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten()), (3, 32, 32)

def nin(cifar):
    def mlp(i, w, k, s=1, p=0):
        return [nn.Conv2d(i, w[0], k, s, p), nn.ReLU(), nn.Conv2d(w[0], w[1], 1), nn.ReLU(), nn.Conv2d(w[1], w[2], 1), nn.ReLU()]
    mp = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)
    tail = [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    if cifar:
        return nn.Sequential(*mlp(3, [192, 160, 96], 5, 1, 2), mp(), nn.Dropout(0.5), *mlp(96, [192] * 3, 5, 1, 2),
                             nn.AvgPool2d(3, 2, ceil_mode=True), nn.Dropout(0.5), *mlp(192, [192, 192, 10], 3, 1, 1), *tail), (3, 32, 32)
    return nn.Sequential(*mlp(3, [96] * 3, 11, 4), mp(), *mlp(96, [256] * 3, 5, 1, 2), mp(), *mlp(256, [384] * 3, 3, 1, 1), mp(),
                         nn.Dropout(0.5), *mlp(384, [1024, 1024, 1000], 3, 1, 1), *tail), (3, 224, 224)

NETS = {
    "LeNet5": lenet, "ZFNet": zfnet, "Xception": xception,
    "SEResNet50": lambda: se_resnet(), "SEResNeXt50_32x4d": lambda: se_resnet(32, 4, True, False),
    "ResNet50v1": lambda: se_resnet(se=False), "ResNeXt50v1": lambda: se_resnet(32, 4, False, False),
    "PreActResNet164": lambda: preact_cifar(164), "PreActResNet1001": lambda: preact_cifar(1001), "PreActResNet50": preact_imagenet,
    "PyramidNet110_48": lambda: pyramidnet(110, 48), "PyramidNet110_84": lambda: pyramidnet(110, 84),
    "InceptionResNetV2": inception_resnet_v2, "HighwayCifar": highway,
    "NIN": lambda: nin(False), "NINCifar10": lambda: nin(True),
    "CBAMResNet50": lambda: se_resnet(attention=CBAM),
}

def count(name):
    net, shape = NETS[name]()
    macs = [0]
    def hook(m, i, o):
        if isinstance(m, nn.Conv2d): macs[0] += o.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        else: macs[0] += m.in_features * m.out_features
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)): m.register_forward_hook(hook)
    net.eval()
    with torch.no_grad(): y = net(torch.zeros(1, *shape))
    bn = sum(p.numel() for m in net.modules() if isinstance(m, nn.BatchNorm2d) for p in m.parameters())
    return {"params": sum(p.numel() for p in net.parameters()), "bn_params": bn, "macs": macs[0], "output": list(y.shape[1:])}

torch.set_num_threads(1)
print(json.dumps({n: count(n) for n in (sys.argv[1:] or NETS)}))
""";

    static readonly Lazy<JsonDocument> counts = new(() => JsonDocument.Parse(Python.RunCode(TorchNetworks).Stdout));

    public static TheoryData<string> Names() => new(
        "LeNet5", "ZFNet", "Xception", "SEResNet50", "SEResNeXt50_32x4d", "PreActResNet164", "PreActResNet1001",
        "PreActResNet50", "PyramidNet110_48", "PyramidNet110_84", "InceptionResNetV2", "HighwayCifar", "NIN", "NINCifar10", "CBAMResNet50");

    [PythonTheory]
    [MemberData(nameof(Names))]
    public void Params_macs_and_output_equal_a_plain_torch_build(string name)
    {
        var net = CatalogueVariants.Get(name);
        var row = counts.Value.RootElement.GetProperty(name);
        Assert.Equal(row.GetProperty("params").GetInt64(), net.Params);
        Assert.Equal(row.GetProperty("macs").GetInt64(), net.Macs);
        Assert.Equal(row.GetProperty("output").EnumerateArray().Select(e => e.GetInt64()).ToArray(), net.Output.ToArray());
        long bn = net.Layers.Where(r => r.Operation.StartsWith("batchnorm", StringComparison.Ordinal)).Sum(r => r.Params);
        Assert.Equal(row.GetProperty("bn_params").GetInt64(), bn);
    }

    static nn.Module<Tensor, Tensor> Highway(double? gateBias)
    {
        var type = typeof(PaperFamiliesTorchTests).Assembly.GetTypes().Single(t => t.Namespace == "ArchDsl.Catalogue" && t.Name == "HighwayCifar");
        var ctor = type.GetConstructors().Single(c => c.GetParameters().Any(p => p.Name == "gateBias"));
        var args = ctor.GetParameters().Select(p => p.Name == "gateBias" && gateBias != null ? (object)gateBias.Value : Type.Missing).ToArray();
        return (nn.Module<Tensor, Tensor>)ctor.Invoke(BindingFlags.OptionalParamBinding, null, args, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(null, -2.0)]
    [InlineData(-1.0, -1.0)]
    [InlineData(-3.0, -3.0)]
    public void Highway_transform_gate_bias_starts_negative_in_the_generated_class(double? argument, double expected)
    {
        using var model = Highway(argument);
        var gates = model.named_parameters().Where(p => p.name.EndsWith("gate.bias", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, gates.Count);
        foreach (var (name, p) in gates)
        {
            Assert.Equal(expected, p.min().item<float>(), 6);
            Assert.Equal(expected, p.max().item<float>(), 6);
        }
        // The transform H keeps PyTorch's default initialisation (uniform in +-1/sqrt(fan_in)), not the gate's constant.
        var plain = model.named_parameters().Where(p => p.name.EndsWith("plain.bias", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, plain.Count);
        Assert.All(plain, p => Assert.True(p.parameter.abs().max().item<float>() < 1.0f));
    }

    [Fact]
    public void Highway_layers_start_close_to_carrying_their_input()
    {
        // With T(x) = sigmoid(about -2) = 0.12, a highway layer's output is mostly x: train-time behaviour the
        // negative bias exists for. The stage's output stays within a small distance of its input.
        torch.manual_seed(1);
        using var model = Highway(-6.0);
        model.eval();
        using var _ = torch.no_grad();
        var stage = model.named_children().Single(c => c.name == "stage1").module;
        using var x = torch.randn(2, 32, 8, 8);
        var y = x;
        foreach (var m in stage.children()) y = ((nn.Module<Tensor, Tensor>)m).call(y);
        double relative = (y - x).norm().item<float>() / x.norm().item<float>();
        Assert.InRange(relative, 0.0, 0.1);
    }

    [Fact]
    public void Highway_forward_and_backward_at_32x32_reach_every_gate()
    {
        using var model = Highway(null);
        model.train();
        using var x = torch.randn(2, 3, 32, 32);
        using var loss = model.call(x).square().mean();
        loss.backward();
        var gates = model.named_parameters().Where(p => p.name.EndsWith("gate.weight", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, gates.Count);
        Assert.All(gates, g => Assert.True(g.parameter.grad is { } grad && grad.abs().sum().item<float>() > 0, g.name));
    }

    // ---------------------------------------------------------------- Network in Network on TorchSharp

    [Fact]
    public void NIN_cifar10_scores_are_the_average_of_its_last_mlpconv_maps()
    {
        torch.manual_seed(0);
        using var model = CatalogueVariants.Create("NINCifar10");
        model.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(3, 3, 32, 32);
        var scores = model.call(x);
        Assert.Equal(new long[] { 3, 10 }, scores.shape);
        // Run the children in order up to the last mlpconv: its ReLU maps, one per class, averaged over 8x8.
        var maps = x;
        foreach (var (name, child) in model.named_children())
        {
            maps = ((nn.Module<Tensor, Tensor>)child).call(maps);
            if (name == "mlpconv3") break;
        }
        Assert.Equal(new long[] { 3, 10, 8, 8 }, maps.shape);
        Assert.True(maps.min().item<float>() >= 0f, "the last mlpconv ends in ReLU");
        Assert.True(torch.allclose(scores, maps.mean(new long[] { 2, 3 }), 1e-5, 1e-6));
    }

    [Fact]
    public void NIN_cifar10_trains_on_TorchSharp_every_convolution_gets_a_gradient_and_the_loss_falls()
    {
        torch.manual_seed(0);
        using var model = CatalogueVariants.Create("NINCifar10");
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(8, 3, 32, 32);
        var labels = torch.arange(8, dtype: ScalarType.Int64) % 10;
        double EvalLoss()
        {
            model.eval();
            using var _ = torch.no_grad();
            return nn.functional.cross_entropy(model.call(x), labels).item<float>();
        }
        double before = EvalLoss();
        var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        for (int step = 0; step < 10; step++)
        {
            model.train();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), labels);
            loss.backward();
            if (step == 0)
            {
                var weights = model.named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal)).ToList();
                Assert.Equal(9, weights.Count);
                Assert.All(weights, w => Assert.True(w.parameter.grad is { } g && g.abs().sum().item<float>() > 0, w.name));
            }
            optimizer.step();
        }
        double after = EvalLoss();
        Assert.True(after < before, $"loss {before} -> {after}");
    }

    // ---------------------------------------------------------------- CBAM's gates on TorchSharp

    static nn.Module<Tensor, Tensor> Child(nn.Module model, string path) =>
        (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == path).module;

    [Fact]
    public void CBAM_gates_compute_the_papers_channel_and_spatial_attention()
    {
        torch.manual_seed(0);
        using var model = CatalogueVariants.Create("CBAMResNet50");
        model.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        const string block = "layer3.1.";
        var x = torch.randn(2, 1024, 14, 14);

        // Equation 2: one MLP shared by the average- and max-pooled descriptors, summed, sigmoid.
        var fc1 = Child(model, block + "channel_gate.fc1");
        var fc2 = Child(model, block + "channel_gate.fc2");
        Tensor Mlp(Tensor d) => fc2.call(nn.functional.relu(fc1.call(d)));
        var channel = torch.sigmoid(Mlp(x.mean(new long[] { 2, 3 }, true)) + Mlp(x.amax(new long[] { 2, 3 }, true)));
        var refined = Child(model, block + "channel_gate").call(x);
        Assert.True(torch.allclose(refined, x * channel, 1e-5, 1e-6));

        // Equation 3: a 7x7 convolution (and the released code's batch norm) over [mean; max] across channels.
        var conv = Child(model, block + "spatial_gate.conv");
        var bn = Child(model, block + "spatial_gate.bn");
        var pooled = torch.cat(new[] { refined.mean(new long[] { 1 }, true), refined.amax(new long[] { 1 }, true) }, 1);
        var spatial = torch.sigmoid(bn.call(conv.call(pooled)));
        Assert.Equal(new long[] { 2, 1, 14, 14 }, spatial.shape);
        Assert.True(torch.allclose(Child(model, block + "spatial_gate").call(refined), refined * spatial, 1e-5, 1e-6));

        // The whole network: 1000 scores per image.
        Assert.Equal(new long[] { 1, 1000 }, model.call(torch.randn(1, 3, 224, 224)).shape);
    }
}
