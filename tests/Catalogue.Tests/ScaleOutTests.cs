using System.IO;
using System.Linq;
using System.Text.Json;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The scale-out example in short (docs/scale-out.md): a CIFAR network of the catalogue emitted as Python,
/// trained by DistributedDataParallel under torchrun with two CPU processes and gloo, its weights loaded into the
/// generated C# class, which must give PyTorch's outputs on a held-out batch; and the reverse, weights trained in
/// C# loaded into the emitted Python module.</summary>
public class ScaleOutTests
{
    const string Network = "HighwayCifar";

    [PythonFact]
    [Trait("Category", "ScaleOut")]
    public void Weights_trained_by_ddp_under_torchrun_give_the_same_outputs_in_csharp()
    {
        var dir = PyTorchEmitterTests.Scratch("scaleout-ddp");
        var module = EmittedPython.For("highway.arch");
        var script = Path.Combine(RepoPaths.Root, "samples", "ScaleOut", "train_ddp.py");
        Python.RunScript("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2", "--redirects", "1", "--tee", "1",
            script, "--module", module, "--cls", Network, "--steps", "4", "--batch", "4", "--heldout", "8", "--out", dir);

        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")));
        Assert.Equal(2, meta.RootElement.GetProperty("world_size").GetInt32());
        Assert.True(meta.RootElement.GetProperty("replicas_equal").GetBoolean(), "the two DDP replicas ended with different parameters");

        using var model = CatalogueVariants.Create(Network);
        using var initial = CatalogueVariants.Create(Network);
        model.load(Path.Combine(dir, "weights.dat"), strict: true);
        model.eval();
        initial.eval();
        using var _ = torch.no_grad();
        long[] Shape(string name) => meta.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();
        using var x = ReadFloats(Path.Combine(dir, "heldout_input.bin"), Shape("input"));
        using var expected = ReadFloats(Path.Combine(dir, "heldout_output.bin"), Shape("output"));
        using var y = model.call(x);
        OutputTolerance.AssertClose(expected, y, "the held-out batch, C# against PyTorch");
        // The comparison can fail: a network that did not load the trained weights disagrees.
        using var other = initial.call(x);
        Assert.True((other - expected).abs().max().item<float>() > 1e-2);
    }

    [PythonFact]
    [Trait("Category", "ScaleOut")]
    public void Weights_trained_in_csharp_load_into_the_emitted_python_module()
    {
        var dir = PyTorchEmitterTests.Scratch("scaleout-reverse");
        torch.manual_seed(0);
        using var model = CatalogueVariants.Create(Network);
        model.train();
        var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            var labels = torch.randint(0, 10, new long[] { 4 }, dtype: ScalarType.Int64);
            var loss = nn.functional.cross_entropy(model.call(torch.randn(4, 3, 32, 32)), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        var weights = Path.Combine(dir, "weights.dat");
        model.save(weights);
        var shape = new long[] { 4, 3, 32, 32 };
        var (input, output) = PyTorchEmitterTests.WriteIo(model, shape, dir);
        var report = Path.Combine(dir, "report.json");
        Python.RunScript(Path.Combine(RepoPaths.Root, "tests", "Catalogue.Tests", "python", "pytorch_parity.py"),
            EmittedPython.For("highway.arch"), Network, weights, input, output, "4x3x32x32", report);
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        OutputTolerance.AssertClose(doc.RootElement.GetProperty("csharp_max_diff").GetDouble(),
            doc.RootElement.GetProperty("csharp_magnitude").GetDouble(), "the C#-trained weights, PyTorch against C#");
    }

    static Tensor ReadFloats(string path, long[] shape)
    {
        var bytes = File.ReadAllBytes(path);
        var data = new float[bytes.Length / 4];
        System.Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
        using var flat = torch.tensor(data);
        return flat.reshape(shape);
    }
}
