using System;
using System.Linq;
using System.Text.Json;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>CliqueNet (Yang et al., CVPR 2018), a group B family: the front end's figures against the derivation in
/// docs/catalogue/cliquenet.md and the paper's rounded Table 3 / Table 4 figures, against a plain torch.nn build
/// written from the paper's equations (one convolution over each update's concatenated inputs, its weight assembled
/// from the per-pair weights), and the structure: blocks, layers, growth rate, stage II on stage I's weights.</summary>
public class CliqueNetTests
{
    /// <summary>Params, BN params and MACs derived by formula (docs/catalogue/cliquenet.md).</summary>
    public static TheoryData<string, long, long, long> Derived() => new()
    {
        { "CliqueNetT12K36", 935_994, 8_848, 455_149_216 },
        { "CliqueNetT15K64", 4_485_706, 23_168, 2_102_870_272 },
        { "CliqueNetT15K80", 6_937_546, 28_768, 3_225_751_712 },
        { "CliqueNetT18K80", 10_135_594, 40_736, 4_727_021_632 },
        { "CliqueNetT36K12", 1_045_306, 24_848, 517_854_880 },
        { "CliqueNetT18K24", 986_650, 12_848, 486_502_048 },
        { "CliqueNetT36K64", 27_003_082, 125_312, 12_718_413_952 },
        { "CliqueNetT12K36Attention", 977_898, 8_848, 455_190_688 },
    };

    static long BatchNormParams(NetworkSummary net) =>
        net.Layers.Where(r => r.Operation.StartsWith("batchnorm", StringComparison.Ordinal)).Sum(r => r.Params);

    [Theory]
    [MemberData(nameof(Derived))]
    public void Params_and_macs_equal_the_derivation(string name, long parameters, long batchNorm, long macs)
    {
        var net = CatalogueVariants.Get(name);
        Assert.Equal(parameters, net.Params);
        Assert.Equal(batchNorm, BatchNormParams(net));
        Assert.Equal(macs, net.Macs);
        Assert.Equal(new long[] { 10 }, net.Output.ToArray());
    }

    /// <summary>The paper's figures (Table 3: params in M and FLOPs in G with two decimals, FLOPs = 2 MACs;
    /// Table 4: params only).</summary>
    [Theory]
    [InlineData("CliqueNetT12K36", 0.94, 0.91)]
    [InlineData("CliqueNetT15K64", 4.49, 4.21)]
    [InlineData("CliqueNetT15K80", 6.94, 6.45)]
    [InlineData("CliqueNetT18K80", 10.14, 9.45)]
    [InlineData("CliqueNetT36K12", 1.05, null)]
    [InlineData("CliqueNetT18K24", 0.99, null)]
    public void Params_and_flops_round_to_the_papers_figures(string name, double millions, double? gigaFlops)
    {
        var net = CatalogueVariants.Get(name);
        Assert.True(Math.Abs(net.Params / 1e6 - millions) <= 0.005, name + ": " + net.Params);
        if (gigaFlops != null) Assert.True(Math.Abs(2.0 * net.Macs / 1e9 - gigaFlops.Value) <= 0.005, name + ": " + net.Macs);
    }

    /// <summary>Per block: one convolution per ordered pair of layers plus one from X0 per layer, each k channels
    /// out; stage I applies X0's and the forward pairs', stage II every pair's, the forward ones re-applied.</summary>
    [Theory]
    [InlineData("CliqueNetT12K36", 4, 36)]
    [InlineData("CliqueNetT15K64", 5, 64)]
    [InlineData("CliqueNetT36K12", 12, 12)]
    public void Each_block_has_one_conv_per_ordered_pair_and_stage_two_reuses_the_forward_ones(string name, int layers, int k)
    {
        var net = CatalogueVariants.Get(name);
        for (int b = 1; b <= 3; b++)
        {
            var convs = net.Layers.Where(r => r.Path.StartsWith("block" + b + ".w", StringComparison.Ordinal)).ToList();
            var modules = convs.GroupBy(r => r.Path).ToList();
            Assert.Equal(layers * (layers - 1) + layers, modules.Count);
            Assert.All(convs, r => Assert.Equal(k, r.OutputShape[0]));
            for (int i = 1; i <= layers; i++)
                for (int j = 0; j <= layers; j++)
                {
                    if (j == i) continue;
                    var uses = convs.Count(r => r.Path == "block" + b + ".w" + j + "_" + i);
                    // Forward pairs (j < i, X0 excluded) run in both stages with the same weights; the rest once.
                    Assert.Equal(j > 0 && j < i ? 2 : 1, uses);
                }
        }
        Assert.Equal(new[] { 64L + layers * k, 2L * layers * k, 2L * layers * k },
            Enumerable.Range(1, 3).Select(b => net.Layers.First(r => r.Path == "pool" + b + ".0").OutputShape[0]).ToArray());
    }

    [Fact]
    public void Generated_model_has_the_front_ends_keys_and_stage_two_adds_no_weights()
    {
        var net = CatalogueVariants.Get("CliqueNetT12K36");
        using var model = CatalogueVariants.Create("CliqueNetT12K36");
        var keys = model.state_dict().Keys.ToHashSet();
        var convKeys = keys.Where(k => k.StartsWith("block1.w", StringComparison.Ordinal)).ToList();
        Assert.Equal(4 * 3 + 4, convKeys.Count);
        Assert.Equal(net.Params, model.parameters().Sum(p => p.numel()));
        model.eval();
        using var _ = torch.no_grad();
        using var x = torch.randn(2, 3, 32, 32);
        using var y = model.call(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    /// <summary>CliqueNet from the paper's equations in plain torch.nn, the way the authors' code computes an
    /// update: the concatenated inputs batch-normalised and rectified as one tensor, then one convolution whose
    /// weight is the per-pair weights concatenated along the input channels.</summary>
    const string TorchCliqueNet = """
import json, sys
import torch
from torch import nn
import torch.nn.functional as F

class Block(nn.Module):
    def __init__(self, c0, n, k):
        super().__init__()
        self.n = n
        self.w = nn.ParameterDict({f"{j}_{i}": nn.Parameter(torch.randn(k, c0 if j == 0 else k, 3, 3) * 0.05)
                                   for i in range(1, n + 1) for j in range(0, n + 1) if j != i})
        self.bn1 = nn.ModuleList([nn.BatchNorm2d(c0 + i * k) for i in range(n)])
        self.bn2 = nn.ModuleList([nn.BatchNorm2d((n - 1) * k) for i in range(n)])
    def update(self, bn, inputs, sources, i):
        weight = torch.cat([self.w[f"{j}_{i}"] for j in sources], 1)
        return F.conv2d(F.relu(bn(torch.cat(inputs, 1))), weight, padding=1)
    def forward(self, x0):
        x = {0: x0}
        for i in range(1, self.n + 1):
            x[i] = self.update(self.bn1[i - 1], [x[j] for j in range(i)], range(i), i)
        y = dict(x)
        for i in range(1, self.n + 1):
            others = [j for j in range(1, self.n + 1) if j != i]
            y[i] = self.update(self.bn2[i - 1], [y[j] for j in others], others, i)
        return torch.cat([y[i] for i in range(1, self.n + 1)], 1)

class CliqueNet(nn.Module):
    def __init__(self, T, k, classes=10):
        super().__init__()
        n = T // 3
        self.stem = nn.Conv2d(3, 64, 3, padding=1, bias=False)
        c = [64, n * k, n * k]
        self.blocks = nn.ModuleList([Block(c[b], n, k) for b in range(3)])
        self.pools = nn.ModuleList([nn.BatchNorm2d(c[b] + n * k) for b in range(3)])
        self.trans = nn.ModuleList([nn.Sequential(nn.BatchNorm2d(n * k), nn.ReLU(), nn.Conv2d(n * k, n * k, 1, bias=False), nn.AvgPool2d(2)) for b in range(2)])
        self.fc = nn.Linear(sum(c) + 3 * n * k, classes)
    def forward(self, x):
        x = self.stem(x)
        feats = []
        for b in range(3):
            y = self.blocks[b](x)
            feats.append(F.adaptive_avg_pool2d(F.relu(self.pools[b](torch.cat([x, y], 1))), 1).flatten(1))
            if b < 2: x = self.trans[b](y)
        return self.fc(torch.cat(feats, 1))

def count(T, k):
    net = CliqueNet(T, k).eval()
    macs = [0]
    # Convolutions are counted where F.conv2d runs (nn.Conv2d calls it too); linear layers by a hook.
    for m in net.modules():
        if isinstance(m, nn.Linear): m.register_forward_hook(lambda m, i, o: macs.__setitem__(0, macs[0] + m.in_features * m.out_features))
    real_conv = F.conv2d
    def counting_conv(x, w, *a, **kw):
        y = real_conv(x, w, *a, **kw)
        macs[0] += y.numel() * w.shape[1] * w.shape[2] * w.shape[3]
        return y
    F.conv2d = counting_conv
    with torch.no_grad(): y = net(torch.zeros(1, 3, 32, 32))
    F.conv2d = real_conv
    bn = sum(p.numel() for m in net.modules() if isinstance(m, nn.BatchNorm2d) for p in m.parameters())
    return {"params": sum(p.numel() for p in net.parameters()), "bn_params": bn, "macs": macs[0], "output": list(y.shape[1:])}

torch.set_num_threads(1)
print(json.dumps({a: count(*map(int, a.split(","))) for a in sys.argv[1:]}))
""";

    [PythonTheory]
    [InlineData("CliqueNetT12K36", 12, 36)]
    [InlineData("CliqueNetT15K64", 15, 64)]
    [InlineData("CliqueNetT18K24", 18, 24)]
    public void Params_macs_and_output_equal_a_plain_torch_build(string name, int t, int k)
    {
        var net = CatalogueVariants.Get(name);
        var key = t + "," + k;
        var row = JsonDocument.Parse(Python.RunCode(TorchCliqueNet, key).Stdout).RootElement.GetProperty(key);
        Assert.Equal(row.GetProperty("params").GetInt64(), net.Params);
        Assert.Equal(row.GetProperty("bn_params").GetInt64(), BatchNormParams(net));
        Assert.Equal(row.GetProperty("macs").GetInt64(), net.Macs);
        Assert.Equal(row.GetProperty("output").EnumerateArray().Select(e => e.GetInt64()).ToArray(), net.Output.ToArray());
    }
}
