using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using ArchDsl.Testing;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Onnx.Tests;

/// <summary>The catalogue as the front end sees it, the generated classes, and ONNX Runtime runs.</summary>
public static class Networks
{
    static readonly Lazy<IReadOnlyList<NetworkSummary>> all = new(() =>
        Directory.GetFiles(RepoPaths.Architectures, "*.arch").OrderBy(f => f, StringComparer.Ordinal)
            .SelectMany(f => ArchFrontEnd.Check(new SourceFile(f, File.ReadAllText(f)), new ArchFileImports()).Networks)
            .ToList());

    public static IReadOnlyList<NetworkSummary> All => all.Value;

    public static NetworkSummary Get(string name) => All.Single(n => n.Name == name);

    /// <summary>The generated class for a network, every constructor argument at its default, in eval mode.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name)
    {
        var type = typeof(Networks).Assembly.GetTypes()
            .SingleOrDefault(t => t.Namespace == "ArchDsl.Onnx.Catalogue" && t.Name == name)
            ?? throw new InvalidOperationException($"no generated class for {name}");
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).First(c => c.GetParameters().All(p => p.IsOptional));
        var args = ctor.GetParameters().Select(_ => Type.Missing).ToArray();
        var model = (nn.Module<Tensor, Tensor>)ctor.Invoke(BindingFlags.OptionalParamBinding, null, args, CultureInfo.InvariantCulture);
        model.eval();
        return model;
    }

    /// <summary>Batch-norm statistics and affine parameters away from their initial 0/1, so that the export's use of
    /// them is tested (fresh ones make inference batch norm nearly the identity).</summary>
    public static void RandomiseBatchNorm(nn.Module model, long seed)
    {
        torch.manual_seed(seed);
        using var _ = torch.no_grad();
        var state = model.state_dict();
        bool IsBatchNorm(string key) => state.ContainsKey(key.Substring(0, key.LastIndexOf('.')) + ".running_mean");
        foreach (var (key, t) in state)
        {
            if (key.EndsWith(".running_mean", StringComparison.Ordinal)) t.uniform_(-0.2, 0.2);
            else if (key.EndsWith(".running_var", StringComparison.Ordinal)) t.uniform_(0.5, 1.5);
            else if (IsBatchNorm(key) && key.EndsWith(".weight", StringComparison.Ordinal)) t.uniform_(0.5, 1.5);
            else if (IsBatchNorm(key) && key.EndsWith(".bias", StringComparison.Ordinal)) t.uniform_(-0.2, 0.2);
        }
    }

    /// <summary>Runs an ONNX model on <paramref name="input"/> and returns every output by name.</summary>
    public static Dictionary<string, (float[] Values, long[] Shape)> RunOnnx(byte[] model, Tensor input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(model, options);
        var data = input.contiguous().data<float>().ToArray();
        var tensor = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(data, input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxLowering.InputName, tensor) });
        return results.ToDictionary(r => r.Name, r =>
        {
            var t = r.AsTensor<float>();
            return (t.ToArray(), t.Dimensions.ToArray().Select(d => (long)d).ToArray());
        });
    }

    public static Tensor ToTensor((float[] Values, long[] Shape) output) => torch.tensor(output.Values).reshape(output.Shape);
}
