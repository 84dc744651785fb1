// The .NET half of the scale-out example (see docs/scale-out.md).
//   check DIR         load DIR/weights.dat (trained by train_ddp.py) into the generated CifarNet and compare its
//                     eval output on DIR/heldout_input.bin with PyTorch's DIR/heldout_output.bin
//   train DIR STEPS   train CifarNet in TorchSharp on the same kind of synthetic data, save DIR/weights.dat and
//                     the eval output on a batch (DIR/input.bin, DIR/output.bin), for PyTorch to load
using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using ArchDsl.Runtime;
using ArchDsl.ScaleOut;
using TorchSharp;
using static TorchSharp.torch;

const double Tolerance = 1e-4;

return args switch
{
    ["check", var dir] => Check(dir),
    ["train", var dir, var steps] => Train(dir, int.Parse(steps, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ScaleOut check DIR | ScaleOut train DIR STEPS");
    return 2;
}

static int Check(string dir)
{
    using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")));
    long[] Shape(string name) => meta.RootElement.GetProperty(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();
    using var model = new CifarNet();
    model.LoadWeights(Path.Combine(dir, "weights.dat"));
    model.eval();
    using var _ = torch.no_grad();
    using var x = ReadFloats(Path.Combine(dir, "heldout_input.bin"), Shape("input"));
    using var expected = ReadFloats(Path.Combine(dir, "heldout_output.bin"), Shape("output"));
    using var y = model.call(x);
    var diff = (y - expected).abs().max().item<float>();
    var agree = y.argmax(1).eq(expected.argmax(1)).to(ScalarType.Float32).mean().item<float>();
    Console.WriteLine($"C# CifarNet on PyTorch's DDP weights ({meta.RootElement.GetProperty("world_size")} workers, "
        + $"{meta.RootElement.GetProperty("steps")} steps): max |C# - PyTorch| = {diff:E2} on {x.shape[0]} held-out images, "
        + $"same predicted class for {agree:P0}");
    return diff <= Tolerance ? 0 : 1;
}

static int Train(string dir, int steps)
{
    Directory.CreateDirectory(dir);
    torch.manual_seed(0);
    using var model = new CifarNet();
    var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
    // Noise around a fixed per-class pattern, as train_ddp.py's data set (its own draws, not the same tensors).
    var patterns = torch.randn(10, 3, 32, 32);
    model.train();
    for (int step = 1; step <= steps; step++)
    {
        using var scope = torch.NewDisposeScope();
        var labels = torch.randint(0, 10, new long[] { 32 }, dtype: ScalarType.Int64);
        var images = patterns[labels] * 0.5 + torch.randn(32, 3, 32, 32);
        var loss = nn.functional.cross_entropy(model.call(images), labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (step % 50 == 0 || step == steps) Console.WriteLine($"step {step}/{steps} loss {loss.item<float>():F4}");
    }
    model.save(Path.Combine(dir, "weights.dat"));
    model.eval();
    using var _ = torch.no_grad();
    using var x = torch.randn(16, 3, 32, 32);
    using var y = model.call(x);
    WriteFloats(x, Path.Combine(dir, "input.bin"));
    WriteFloats(y, Path.Combine(dir, "output.bin"));
    Console.WriteLine($"saved {Path.Combine(dir, "weights.dat")} and the eval output on a 16x3x32x32 batch");
    return 0;
}

static Tensor ReadFloats(string path, long[] shape)
{
    var bytes = File.ReadAllBytes(path);
    var data = new float[bytes.Length / 4];
    Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
    using var flat = torch.tensor(data);
    return flat.reshape(shape);
}

static void WriteFloats(Tensor t, string path)
{
    var data = t.contiguous().data<float>().ToArray();
    var bytes = new byte[data.Length * 4];
    Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
    File.WriteAllBytes(path, bytes);
}
