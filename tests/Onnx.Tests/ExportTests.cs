using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using ArchDsl.Catalogue.Tests;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Onnx.Tests;

/// <summary>The exporter's contract beyond one output: dynamic batch, auxiliary heads, refusals and weight checks.</summary>
public class ExportTests
{
    [Fact]
    public void Dynamic_batch_runs_any_batch_size()
    {
        // ShuffleNet V2: channel splits and the shuffle's reshapes, which must keep the batch dimension symbolic.
        const string name = "ShuffleNetV2_x0_5";
        var net = Networks.Get(name);
        using var model = Networks.Create(name);
        Networks.RandomiseBatchNorm(model, 3);
        var result = OnnxExport.Export(model, net.File, new OnnxExportOptions { DynamicBatch = true });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal("batch", result.Model!.Graph.Inputs[0].Shape[0].Param);
        var bytes = result.ToBytes();
        foreach (var batch in new long[] { 1, 3 })
        {
            torch.manual_seed(batch);
            using var input = torch.randn(new[] { batch }.Concat(net.Input).ToArray());
            using var expected = model.call(input);
            using var actual = Networks.ToTensor(Networks.RunOnnx(bytes, input)[OnnxLowering.OutputName]);
            OutputTolerance.AssertClose(expected, actual, name + " at batch " + batch);
        }
    }

    [Fact]
    public void Auxiliary_heads_are_outputs_under_their_names()
    {
        const string name = "GoogLeNetAux";
        var net = Networks.Get(name);
        using var model = Networks.Create(name);
        Networks.RandomiseBatchNorm(model, 5);
        var result = OnnxExport.Export(model, net.File);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(new[] { "output", "aux1", "aux2" }, result.Model!.Graph.Outputs.Select(o => o.Name));

        // The generated class computes its heads in training mode only: train the network's own modules, but keep every
        // layer (batch norm, dropout) in inference mode, as the exported graph is.
        model.train();
        foreach (var (_, m) in model.named_modules()) if (!m.named_children().Any()) m.eval();
        torch.manual_seed(2);
        using var input = torch.randn(new long[] { 1 }.Concat(net.Input).ToArray());
        var forward = model.GetType().GetMethod("forward_with_aux")!;
        var outputs = forward.Invoke(model, new object[] { input })!;
        var onnx = Networks.RunOnnx(result.ToBytes(), input);
        foreach (var (property, output) in new[] { ("Output", "output"), ("Aux1", "aux1"), ("Aux2", "aux2") })
        {
            var expected = (Tensor)outputs.GetType().GetProperty(property)!.GetValue(outputs)!;
            using var actual = Networks.ToTensor(onnx[output]);
            OutputTolerance.AssertClose(expected, actual, name + " " + output);
        }
    }

    [Fact]
    public void Tensor_and_number_expressions_keep_their_constant_operator_and_order()
    {
        // Each form once, with the number on either side: a wrong operand order (0.25 - y for y - 0.25) or a lost
        // constant changes the result everywhere, so the comparison with a hand computation catches it.
        var source = new SourceFile("scaled.arch",
            "block Mix() {\n  a = input * 0.5\n  b = 1 - input\n  c = input - 0.25\n  d = -input\n  e = 2 + input\n  a + b + c + d * e\n}\n\n" +
            "network Scaled() {\n  input 3x8x8\n  stem: conv(4, 3, padding: 1)\n  Mix()\n}\n");
        torch.manual_seed(5);
        var weights = new Dictionary<string, Tensor> { ["stem.weight"] = torch.randn(4, 3, 3, 3), ["stem.bias"] = torch.randn(4) };
        var result = OnnxExport.FromArch(source, NoImports.Instance, "Scaled", weights);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));

        using var input = torch.randn(1, 3, 8, 8);
        using var y = nn.functional.conv2d(input, weights["stem.weight"], weights["stem.bias"], padding: new long[] { 1, 1 });
        using var expected = y * 0.5 + (1 - y) + (y - 0.25) + (-y) * (2 + y);
        using var actual = Networks.ToTensor(Networks.RunOnnx(result.ToBytes(), input)[OnnxLowering.OutputName]);
        OutputTolerance.AssertClose(expected, actual, "tensor and number expressions");
    }

    [Fact]
    public void Arch_errors_come_back_as_diagnostics()
    {
        var source = new SourceFile("bad.arch", "network Bad() {\n  input 3x8x8\n  linear(10)\n}\n");
        var result = OnnxExport.FromArch(source, NoImports.Instance, "Bad", new Dictionary<string, Tensor>());
        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.Path == "bad.arch" && d.Line == 3 && d.Severity == ArchSeverity.Error);
    }

    [Fact]
    public void Weights_that_do_not_fit_are_named()
    {
        var source = new SourceFile("small.arch", "network Small() {\n  input 3x8x8\n  stem: conv(4, 3, padding: 1)\n  bn: batchnorm\n  relu\n  flatten\n  fc: linear(10)\n}\n");
        var weights = new Dictionary<string, Tensor>
        {
            ["stem.weight"] = torch.zeros(4, 3, 3, 3), ["stem.bias"] = torch.zeros(4),
            ["bn.weight"] = torch.ones(4), ["bn.bias"] = torch.zeros(4), ["bn.running_mean"] = torch.zeros(4), ["bn.running_var"] = torch.ones(4),
            ["fc.weight"] = torch.zeros(10, 255), ["extra.weight"] = torch.zeros(1),
        };
        var e = Assert.Throws<WeightMismatchException>(() => OnnxExport.FromArch(source, NoImports.Instance, "Small", weights));
        Assert.Equal(new[] { "fc.bias" }, e.Missing);
        Assert.Equal(new[] { "extra.weight" }, e.Unexpected);
        Assert.Single(e.Mismatched);
        Assert.Contains("fc.weight", e.Mismatched[0]);
    }

    [Fact]
    public void Modules_that_are_not_generated_networks_are_refused()
    {
        using var plain = nn.Linear(3, 4);
        Assert.Null(OnnxExport.NetworkName(plain));
        Assert.Throws<ArgumentException>(() => OnnxExport.Export(plain, Path.Combine(Testing.RepoPaths.Architectures, "lenet.arch")));
    }
}
