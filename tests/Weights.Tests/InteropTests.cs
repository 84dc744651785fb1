using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static ArchDsl.Weights.Tests.TestSupport;

namespace ArchDsl.Weights.Tests;

/// <summary>Weights crossing between PyTorch and the engine in TorchSharp's format.</summary>
public class InteropTests
{
    private readonly ITestOutputHelper output;

    public InteropTests(ITestOutputHelper output) => this.output = output;

    [PythonFact]
    public void Torchvision_resnet18_weights_reproduce_torchvision_output()
    {
        var weights = TempPath("resnet18.dat");
        var io = TempPath("resnet18-io.dat");
        try {
            Python.RunScript(WeightsTool("export.py"), "--torchvision", "resnet18", "--seed", "0", "--out", weights);
            Python.RunScript(Path.Combine(PythonDir, "resnet18_reference.py"), weights, io);

            using var model = new ResNet18();
            model.LoadWeights(weights);
            model.eval();
            var reference = ReadWeightFile(io);
            using var _ = no_grad();
            using var y = model.call(reference["input"]);
            var diff = MaxAbsDiff(reference["output"], y);
            output.WriteLine($"ResNet-18 max abs difference from torchvision: {diff:G6}");
            Assert.Equal(new long[] { 2, 1000 }, y.shape);
            Assert.True(diff <= 1e-4, $"max abs difference {diff:G6} exceeds 1e-4");
            foreach (var t in reference.Values) t.Dispose();
        } finally {
            File.Delete(weights);
            File.Delete(io);
        }
    }

    [Fact]
    public void Resnet18_state_dict_has_torchvision_keys()
    {
        using var model = new ResNet18();
        var sd = model.state_dict();
        var torchvision = Oracle.Keys("resnet18()") ?? throw new InvalidOperationException("no torchvision keys for resnet18() in " + Oracle.Directory);
        Assert.Equal(122, torchvision.Length);
        // Every key with torchvision's shape, no other key: what a load by key (ours, PyTorch's) needs.
        Assert.Equal(torchvision.Select(e => e.Key + " [" + string.Join(", ", e.Shape) + "]").OrderBy(k => k, StringComparer.Ordinal),
            sd.Select(kv => kv.Key + " [" + string.Join(", ", kv.Value.shape) + "]").OrderBy(k => k, StringComparer.Ordinal));
        // The order: TorchSharp's state_dict lists every parameter, then every buffer (PyTorch interleaves them module
        // by module); within each group the modules come in torchvision's order.
        var buffers = model.named_buffers().Select(b => b.name).ToHashSet();
        Assert.Equal(torchvision.Select(e => e.Key).Where(k => !buffers.Contains(k)).Concat(torchvision.Select(e => e.Key).Where(buffers.Contains)),
            sd.Keys);
        Assert.Equal("conv1.weight", sd.Keys.First());
        Assert.Contains("layer2.0.downsample.1.running_var", sd.Keys);
        Assert.Equal(11689512, model.parameters().Sum(p => p.numel()));
    }

    [PythonFact]
    public void Csharp_weights_load_in_pytorch_and_give_the_same_output()
    {
        var weights = TempPath("csharp.dat");
        var io = TempPath("csharp-io.dat");
        try {
            using var model = nn.Sequential(nn.Conv2d(3, 8, 3, padding: 1, bias: false), nn.BatchNorm2d(8), nn.ReLU(),
                nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 5));
            using var x = randn(4, 3, 8, 8);
            using (model.call(x)) { }   // one training step of BatchNorm statistics
            model.eval();
            using var y = WithNoGrad(() => model.call(x));
            model.save(weights);
            WriteWeightFile(io, new() { ["input"] = x, ["output"] = y });

            var result = Python.RunScript(Path.Combine(PythonDir, "load_csharp_weights.py"), weights, io);
            var lines = result.Stdout.Trim().Split('\n');
            var diff = double.Parse(lines[0], CultureInfo.InvariantCulture);
            Assert.True(diff <= 1e-5, $"PyTorch's output differs by {diff:G3}");
            Assert.Equal("num_batches_tracked 1", lines[1].Trim());
        } finally {
            File.Delete(weights);
            File.Delete(io);
        }
    }

    [PythonFact]
    public void Csharp_resnet18_weights_import_strictly_into_torchvision()
    {
        var weights = TempPath("csharp-resnet18.dat");
        var torchFile = TempPath("csharp-resnet18.pt");
        try {
            using (var model = new ResNet18()) model.save(weights);
            var result = Python.RunScript(WeightsTool("import.py"), weights, "--torchvision", "resnet18", "--out", torchFile);
            Assert.Contains("loaded 122 tensors into resnet18", result.Stdout);
            Assert.True(File.Exists(torchFile));
        } finally {
            File.Delete(weights);
            File.Delete(torchFile);
        }
    }

    [PythonFact]
    public void Default_initialisation_draws_what_pytorch_draws()
    {
        // Same seed, same libtorch generator and the same formulas give identical weights.
        var path = TempPath("init.dat");
        try {
            Python.RunCode(@"
import sys, torch, torch.nn as nn
sys.path.insert(0, sys.argv[2])
import torchsharp_format
torch.manual_seed(42)
conv = nn.Conv2d(3, 8, 3)
lin = nn.Linear(20, 7)
bn = nn.BatchNorm2d(8)
sd = {}
for prefix, m in (('conv', conv), ('lin', lin), ('bn', bn)):
    for k, v in m.state_dict().items():
        sd[prefix + '.' + k] = v
torchsharp_format.write_state_dict(sd, sys.argv[1])
", path, Path.GetDirectoryName(WeightsTool("export.py"))!);
            manual_seed(42);
            using var conv = nn.Conv2d(3, 8, 3);
            using var lin = nn.Linear(20, 7);
            using var bn = nn.BatchNorm2d(8);
            var expected = ReadWeightFile(path);
            foreach (var (prefix, m) in new (string, nn.Module)[] { ("conv", conv), ("lin", lin), ("bn", bn) }) {
                foreach (var (k, v) in m.state_dict()) {
                    var e = expected[prefix + "." + k];
                    Assert.True(e.bytes.SequenceEqual(v.bytes), $"{prefix}.{k} differs from PyTorch's default initialisation");
                }
            }
            foreach (var t in expected.Values) t.Dispose();
        } finally {
            File.Delete(path);
        }
    }

    private static Tensor WithNoGrad(Func<Tensor> f)
    {
        using var _ = no_grad();
        return f();
    }
}
