using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Text.Json;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>Generated class vs torchvision on the same weights (exported by tools/weights) and inputs, eval mode.</summary>
public class OutputParityTests
{
    public static TheoryData<string> Variants() => new(CatalogueVariants.WithReference.Where(n => CatalogueVariants.Runs(n.Name)).Select(n => n.Name));

    [PythonTheory]
    [MemberData(nameof(Variants))]
    public void Eval_outputs_equal_torchvision_on_its_weights(string name)
    {
        var net = CatalogueVariants.Get(name);
        var dir = Reference.Produce(net.Reference!, net.Input, train: false);
        using var model = CatalogueVariants.Create(name);
        model.load(Path.Combine(dir, "weights.dat"), strict: true);
        model.eval();
        using var _ = torch.no_grad();
        using var x = Reference.ReadTensor(dir, "input");
        using var y = model.call(x);
        using var expected = Reference.ReadTensor(dir, "output0");
        OutputTolerance.AssertClose(expected, y, $"{name}, C# against torchvision");
    }
}

/// <summary>Reference data written by python/torchvision_reference.py, cached per variant for one test run.</summary>
public static class Reference
{
    static readonly string Root = ScratchFolder.ForThisProcess("archdsl-reference-");

    // One production per folder: tests of several classes ask for the same reference at once, and a second run of the
    // script would rewrite weights.dat under a test already reading it. The folder is this process's alone (Root), so
    // every reader comes through here and waits for the one run.
    static readonly ConcurrentDictionary<string, Lazy<string>> Produced = new();

    /// <param name="checkpoints">also write the weights as PyTorch and safetensors files (see the script)</param>
    /// <param name="grads">with <paramref name="train"/>, also every parameter's gradient (grads.dat, see the script)</param>
    public static string Produce(string reference, System.Collections.Generic.IReadOnlyList<long> input, bool train, bool checkpoints = false, bool grads = false)
    {
        var shape = string.Join("x", input);
        var dir = Path.Combine(Root, Sanitize(reference) + "-" + shape + (train ? "-train" : "") + (checkpoints ? "-checkpoints" : "") + (grads ? "-grads" : ""));
        return Produced.GetOrAdd(dir, _ => new Lazy<string>(() =>
        {
            var script = Path.Combine(RepoPaths.Root, "tests", "Catalogue.Tests", "python", "torchvision_reference.py");
            var args = new[] { reference, shape, dir }.Concat(train ? ["--train"] : Array.Empty<string>())
                .Concat(checkpoints ? ["--checkpoints"] : Array.Empty<string>())
                .Concat(grads ? ["--grads"] : Array.Empty<string>()).ToArray();
            Python.RunScript(script, args);
            return dir;
        })).Value;
    }

    /// <summary>A float32 tensor from NAME.bin with the shape meta.json records for it.</summary>
    public static Tensor ReadTensor(string dir, string name)
    {
        using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")));
        var shapeJson = name == "input" ? meta.RootElement.GetProperty("input")
            : meta.RootElement.GetProperty("outputs")[int.Parse(name.Substring("output".Length), System.Globalization.CultureInfo.InvariantCulture)];
        var shape = shapeJson.EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var bytes = File.ReadAllBytes(Path.Combine(dir, name + ".bin"));
        var data = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, data, 0, bytes.Length);
        using var flat = torch.tensor(data);
        return flat.reshape(shape);
    }

    static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c == '.' ? c : '_').ToArray());
}
