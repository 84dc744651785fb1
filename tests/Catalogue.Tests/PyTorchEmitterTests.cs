extern alias ArchGenerator;

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using ArchGenerator::ArchDsl.Generator.Emit.PyTorch;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>Every catalogue network emitted as Python (<c>archdsl emit --target pytorch</c>) against its generated
/// C# class: parameter count, state-dict keys and shapes in order, and eval outputs within <see cref="OutputTolerance"/> on the C# weights
/// (saved with <c>save()</c>, read by tools/weights). Networks that mirror torchvision are also checked against
/// torchvision: its weights load strictly into the emitted class and give its outputs.</summary>
public class PyTorchEmitterTests
{
    public static TheoryData<string> Fast() => new(TrainingStepTests.Networks
        .Where(t => TrainingStepTests.Metadata(t).Macs < TrainingStepTests.SlowMacs).Select(t => t.Name));

    public static TheoryData<string> Slow() => new(TrainingStepTests.Networks
        .Where(t => TrainingStepTests.Metadata(t).Macs >= TrainingStepTests.SlowMacs).Select(t => t.Name));

    [PythonTheory]
    [MemberData(nameof(Fast))]
    public void Emitted_python_equals_generated_class(string name) => Compare(name);

    [PythonTheory]
    [MemberData(nameof(Slow))]
    [Trait("Category", "Slow")]
    public void Emitted_python_equals_generated_class_large(string name) => Compare(name);

    [Fact]
    public void Every_catalogue_file_emits_without_diagnostics()
    {
        foreach (var file in Directory.GetFiles(RepoPaths.Architectures, "*.arch").OrderBy(f => f, StringComparer.Ordinal))
        {
            var text = EmittedPython.Emit(file);
            Assert.Contains("class ", text);
        }
    }

    [Fact]
    public void A_wrong_key_fails_the_strict_load()
    {
        // The comparison must be able to fail: a renamed key in the C# weights is refused by the emitted class.
        if (Python.TorchUnavailableReason != null) return;
        var dir = Scratch("CifarNet-renamed");
        using var model = CatalogueVariants.Create(TrainingStepTests.Networks.First(t => t.Name == "LeNet5").Name);
        var weights = Path.Combine(dir, "weights.dat");
        model.save(weights);
        var code = "import sys; sys.path.insert(0, sys.argv[2]); import torchsharp_format as f\n"
            + "sd = f.read_state_dict(sys.argv[1]); k = next(iter(sd)); sd['renamed.' + k] = sd.pop(k); f.write_state_dict(sd, sys.argv[1])\n";
        Python.RunCode(code, weights, Path.Combine(RepoPaths.Root, "tools", "weights"));
        var (input, output) = WriteIo(model, new long[] { 1, 1, 32, 32 }, dir);
        var error = Assert.Throws<InvalidOperationException>(() => RunParity("LeNet5", EmittedPython.For("lenet.arch"), weights, input, output, new long[] { 1, 1, 32, 32 }, dir, null));
        Assert.Contains("Unexpected key", error.Message);
    }

    static void Compare(string name)
    {
        var type = TrainingStepTests.Networks.Single(t => t.Name == name);
        var meta = TrainingStepTests.Metadata(type);
        var dir = Scratch(name);
        try { CompareIn(dir, name, type, meta); }
        finally { ScratchFolder.TryDelete(dir); }   // the network's weights: up to half a gigabyte each
    }

    static void CompareIn(string dir, string name, Type type, NetworkMetadata meta)
    {
        torch.manual_seed(0);
        using var model = (nn.Module<Tensor, Tensor>)TrainingStepTests.Create(type);
        RandomiseStatistics(model);
        var weights = Path.Combine(dir, "weights.dat");
        model.save(weights);
        var shape = new long[] { 1 }.Concat(meta.InputShape).ToArray();
        var (input, output) = WriteIo(model, shape, dir);

        string? reference = meta.Reference == null ? null : Reference.Produce(meta.Reference, meta.InputShape, train: false);
        var report = RunParity(name, EmittedPython.For(Path.GetFileName(meta.SourceFile)), weights, input, output, shape, dir, reference);

        var expectedKeys = model.state_dict().Select(kv => kv.Key + " " + string.Join("x", kv.Value.shape)).ToList();
        var actualKeys = report.GetProperty("keys").EnumerateArray()
            .Select(e => e[0].GetString() + " " + string.Join("x", e[1].EnumerateArray().Select(v => v.GetInt64()))).ToList();
        // TorchSharp lists every parameter before every buffer, PyTorch module by module; both load by key. So: the
        // same keys and shapes, and the parameters (what an optimizer sees) in the same order.
        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), actualKeys.Order(StringComparer.Ordinal));
        var parameters = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Equal(expectedKeys.Where(k => parameters.Contains(k.Split(' ')[0])), actualKeys.Where(k => parameters.Contains(k.Split(' ')[0])));
        Assert.Equal(model.parameters().Sum(p => p.numel()), report.GetProperty("params").GetInt64());
        Assert.Equal(meta.Params, report.GetProperty("params").GetInt64());
        Assert.Equal(new long[] { 1 }.Concat(meta.OutputShape), report.GetProperty("output_shape").EnumerateArray().Select(v => v.GetInt64()));
        OutputTolerance.AssertClose(report.GetProperty("csharp_max_diff").GetDouble(), report.GetProperty("csharp_magnitude").GetDouble(), $"{name}, Python against C#");
        if (reference != null)
        {
            var tv = report.GetProperty("torchvision_max_diff");
            Assert.True(tv.ValueKind == JsonValueKind.Number, $"{name}: output shape {report.GetProperty("torchvision_output_shape")} differs from torchvision's");
            OutputTolerance.AssertClose(tv.GetDouble(), report.GetProperty("torchvision_magnitude").GetDouble(), $"{name}, Python against torchvision");
        }
    }

    /// <summary>Batch-norm running statistics and affine terms away from their initial 0/1, so eval mode uses them.</summary>
    internal static void RandomiseStatistics(nn.Module model)
    {
        using var _ = torch.no_grad();
        foreach (var (key, tensor) in model.state_dict())
        {
            if (!tensor.is_floating_point()) continue;
            if (key.EndsWith("running_mean", StringComparison.Ordinal)) tensor.copy_(torch.rand(tensor.shape) * 0.2 - 0.1);
            else if (key.EndsWith("running_var", StringComparison.Ordinal)) tensor.copy_(torch.rand(tensor.shape) * 0.5 + 0.75);
            else if (tensor.dim() == 1) tensor.add_(torch.randn(tensor.shape) * 0.1);
        }
    }

    /// <summary>Writes a seeded input and the model's eval output beside it, as float32 files.</summary>
    internal static (string Input, string Output) WriteIo(nn.Module<Tensor, Tensor> model, long[] shape, string dir)
    {
        model.eval();
        using var _ = torch.no_grad();
        torch.manual_seed(1);
        using var x = torch.randn(shape);
        using var y = model.call(x);
        var input = Path.Combine(dir, "input.bin");
        var output = Path.Combine(dir, "output.bin");
        WriteFloats(x, input);
        WriteFloats(y, output);
        return (input, output);
    }

    internal static void WriteFloats(Tensor t, string path)
    {
        var data = t.contiguous().data<float>().ToArray();
        var bytes = new byte[data.Length * 4];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    static JsonElement RunParity(string name, string module, string weights, string input, string output, long[] shape, string dir, string? reference)
    {
        var script = Path.Combine(RepoPaths.Root, "tests", "Catalogue.Tests", "python", "pytorch_parity.py");
        var report = Path.Combine(dir, "report.json");
        var args = new List<string> { module, name, weights, input, output, string.Join("x", shape), report };
        if (reference != null) args.Add(reference);
        Python.RunScript(script, args.ToArray());
        using var doc = JsonDocument.Parse(File.ReadAllText(report));
        return doc.RootElement.Clone();
    }

    internal static string Scratch(string name)
    {
        var dir = Path.Combine(EmittedPython.Root, "runs", name);
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>The Python module emitted for a catalogue file, written once per test run.</summary>
public static class EmittedPython
{
    public static readonly string Root = ScratchFolder.ForThisProcess("archdsl-pytorch-");

    static readonly ConcurrentDictionary<string, Lazy<string>> modules = new(StringComparer.Ordinal);

    sealed class FolderImports : IImportResolver
    {
        public SourceFile? Resolve(string fromPath, string importPath)
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fromPath) ?? ".", importPath));
            return File.Exists(path) ? new SourceFile(path, File.ReadAllText(path)) : null;
        }
    }

    /// <summary>The emitted module's text for an .arch file; fails on any diagnostic.</summary>
    public static string Emit(string archPath)
    {
        var result = PyTorchEmitter.Emit(new SourceFile(archPath, File.ReadAllText(archPath)), new FolderImports());
        var diagnostics = result.Diagnostics.IsDefault ? new List<ArchDiagnostic>() : result.Diagnostics.ToList();
        Assert.True(result.Text != null && diagnostics.Count == 0,
            Path.GetFileName(archPath) + ": " + string.Join("\n", diagnostics.Select(d => d.ToString())));
        return result.Text!;
    }

    /// <summary>Path of the emitted module for architectures/FILE (or any .arch path).</summary>
    public static string For(string file) => modules.GetOrAdd(file, f => new Lazy<string>(() =>
    {
        var arch = File.Exists(f) ? f : Path.Combine(RepoPaths.Architectures, f);
        Directory.CreateDirectory(Root);
        var py = Path.Combine(Root, Path.GetFileNameWithoutExtension(arch) + ".py");
        File.WriteAllText(py, Emit(arch));
        return py;
    })).Value;
}
