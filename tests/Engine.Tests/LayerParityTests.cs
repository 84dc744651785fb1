using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Testing;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;
using static ArchDsl.Engine.Tests.TestSupport;

namespace ArchDsl.Engine.Tests;

/// <summary>Runs python/layer_cases.py once and keeps its recorded tensors.</summary>
public sealed class LayerOracle : IDisposable
{
    private readonly Lazy<Dictionary<string, Tensor>> entries = new(() => {
        var path = TempPath("layers.dat");
        try {
            Python.RunScript(Path.Combine(PythonDir, "layer_cases.py"), path);
            return ReadWeightFile(path);
        } finally {
            File.Delete(path);
        }
    });

    public Dictionary<string, Tensor> Entries => entries.Value;

    public void Dispose()
    {
        if (!entries.IsValueCreated) return;
        foreach (var t in entries.Value.Values) t.Dispose();
    }
}

/// <summary>Every layer's forward and backward against PyTorch on the same inputs and weights.</summary>
public class LayerParityTests : IClassFixture<LayerOracle>
{
    private const double Tolerance = 1e-5;
    private readonly LayerOracle oracle;

    public LayerParityTests(LayerOracle oracle) => this.oracle = oracle;

    // Same layers as python/layer_cases.py, built through the TorchSharp API.
    private static readonly Dictionary<string, (Func<nn.Module<Tensor, Tensor>> build, bool train)> Cases = new() {
        ["conv3x3"] = (() => nn.Conv2d(4, 6, 3, padding: 1), false),
        ["conv_strided_dilated"] = (() => nn.Conv2d(4, 6, 3, stride: 2, padding: 2, dilation: 2, bias: false), false),
        ["conv_grouped"] = (() => nn.Conv2d(6, 9, 3, padding: 1, groups: 3), false),
        ["conv_depthwise"] = (() => nn.Conv2d(6, 6, 5, stride: 2, padding: 2, groups: 6), false),
        ["conv_1x7"] = (() => nn.Conv2d(4, 6, (1, 7), padding: (0, 3)), false),
        ["conv_same"] = (() => nn.Conv2d(4, 6, 3, Padding.Same, dilation: 2), false),
        ["bn2d_train"] = (() => nn.BatchNorm2d(6), true),
        ["bn2d_eval"] = (() => nn.BatchNorm2d(6), false),
        ["bn2d_momentum"] = (() => nn.BatchNorm2d(6, eps: 1e-3, momentum: 0.01), true),
        ["bn1d_train"] = (() => nn.BatchNorm1d(6), true),
        ["linear"] = (() => nn.Linear(10, 5), false),
        ["linear_nobias"] = (() => nn.Linear(10, 5, hasBias: false), false),
        ["relu"] = (() => nn.ReLU(), false),
        ["relu6"] = (() => nn.ReLU6(), false),
        ["silu"] = (() => nn.SiLU(), false),
        ["sigmoid"] = (() => nn.Sigmoid(), false),
        ["tanh"] = (() => nn.Tanh(), false),
        ["hardswish"] = (() => nn.Hardswish(), false),
        ["hardsigmoid"] = (() => nn.Hardsigmoid(), false),
        ["gelu"] = (() => nn.GELU(), false),
        ["leaky_relu"] = (() => nn.LeakyReLU(0.2), false),
        ["softmax"] = (() => nn.Softmax(1), false),
        ["maxpool"] = (() => nn.MaxPool2d(3, 2, 1), false),
        ["maxpool_ceil"] = (() => nn.MaxPool2d(3, 2, ceil_mode: true), false),
        ["avgpool"] = (() => nn.AvgPool2d(3, 2, 1), false),
        ["avgpool_nopad_ceil"] = (() => nn.AvgPool2d(3, 2, 1, ceil_mode: true, count_include_pad: false), false),
        ["adaptive_avg1"] = (() => nn.AdaptiveAvgPool2d(1), false),
        ["adaptive_avg32"] = (() => nn.AdaptiveAvgPool2d((3, 2)), false),
        ["adaptive_max2"] = (() => nn.AdaptiveMaxPool2d(2), false),
        ["dropout_eval"] = (() => nn.Dropout(0.3), false),
        ["dropout2d_eval"] = (() => nn.Dropout2d(0.3), false),
        ["flatten"] = (() => nn.Flatten(), false),
        ["identity"] = (() => nn.Identity(), false),
        ["lrn"] = (() => nn.LocalResponseNorm(5, alpha: 1e-2, beta: 0.75, k: 2.0), false),
        ["channel_shuffle"] = (() => nn.ChannelShuffle(3), false),
        ["sequential"] = (() => nn.Sequential(nn.Conv2d(3, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(inplace: true),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3)), false),
    };

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    private Tensor Get(string key) =>
        oracle.Entries.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"oracle has no '{key}'");

    private Dictionary<string, Tensor> WithPrefix(string prefix) =>
        oracle.Entries.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key.Substring(prefix.Length), kv => kv.Value);

    [PythonTheory]
    [MemberData(nameof(CaseNames))]
    public void Layer_matches_pytorch_forward_and_backward(string name)
    {
        var (build, train) = Cases[name];
        using var module = build();
        module.train(train);

        // PyTorch's state dict must load strictly: same key names, shapes and types.
        var before = WithPrefix($"{name}.before.");
        module.load_state_dict(before);
        Assert.Equal(before.Keys.ToArray(), module.state_dict().Keys.ToArray());

        using var x = Get($"{name}.in").clone().requires_grad_(true);
        using var y = module.call(x);
        AssertClose(Get($"{name}.out"), y, Tolerance, $"{name} output");

        if (!oracle.Entries.ContainsKey($"{name}.gin")) return;   // PyTorch has no backward for it
        y.backward(new[] { Get($"{name}.gout") });
        using (var gin = x.grad) {
            Assert.NotNull(gin);
            AssertClose(Get($"{name}.gin"), gin!, Tolerance, $"{name} input gradient");
        }
        foreach (var (pname, p) in module.named_parameters()) {
            using var g = p.grad;
            Assert.NotNull(g);
            AssertClose(Get($"{name}.grad.{pname}"), g!, Tolerance, $"{name} gradient of {pname}");
        }
        foreach (var (key, expected) in WithPrefix($"{name}.after.")) {
            var actual = module.state_dict()[key];
            if (expected.dtype == ScalarType.Int64) Assert.True(expected.equal(actual), $"{name} {key} after forward");
            else AssertClose(expected, actual, Tolerance, $"{name} {key} after forward");
        }
    }

    [PythonFact]
    public void Cross_entropy_matches_pytorch()
    {
        using var logits = Get("cross_entropy.in").clone().requires_grad_(true);
        using var loss = nn.functional.cross_entropy(logits, Get("cross_entropy.target"));
        AssertClose(Get("cross_entropy.out"), loss, Tolerance, "loss");
        loss.backward();
        using var g = logits.grad!;
        AssertClose(Get("cross_entropy.gin"), g, Tolerance, "gradient");

        using var module = nn.CrossEntropyLoss();
        using var again = module.call(logits, Get("cross_entropy.target"));
        AssertClose(Get("cross_entropy.out"), again, Tolerance, "CrossEntropyLoss module");
    }

    [PythonFact]
    public void Mse_loss_matches_pytorch()
    {
        using var a = Get("mse.in").clone().requires_grad_(true);
        using var loss = nn.functional.mse_loss(a, Get("mse.target"));
        AssertClose(Get("mse.out"), loss, Tolerance, "loss");
        loss.backward();
        using var g = a.grad!;
        AssertClose(Get("mse.gin"), g, Tolerance, "gradient");
    }

    [PythonTheory]
    [InlineData("plain", 0.1, 0.0, 0.0, 0.0, false)]
    [InlineData("momentum", 0.1, 0.9, 0.1, 0.01, false)]
    [InlineData("nesterov", 0.05, 0.9, 0.0, 0.001, true)]
    public void Sgd_steps_match_pytorch(string variant, double lr, double momentum, double dampening, double weightDecay, bool nesterov)
    {
        var w = new Parameter(Get($"sgd_{variant}.w0").clone());
        using var _ = w;
        var target = Get($"sgd_{variant}.target");
        using var opt = optim.SGD(new[] { w }, lr, momentum, dampening, weightDecay, nesterov);
        for (int step = 0; step < 3; step++) {
            opt.zero_grad();
            using var scope = NewDisposeScope();
            var loss = (w - target).pow(2).sum();
            loss.backward();
            opt.step();
        }
        AssertClose(Get($"sgd_{variant}.w3"), w, Tolerance, $"SGD {variant} after 3 steps");
    }
}
