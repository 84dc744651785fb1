using System.Collections.Generic;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Onnx.Tests;

/// <summary>Up-sampling through ONNX Runtime: each mode (nearest, bilinear with and without align_corners) and a
/// pair of unequal factors lowered to Resize, against the runtime class the generated code constructs.</summary>
public class UpsampleExportTests
{
    const string Source = @"
network Up() {
  input 2x5x7
  upsample([2, 3])
  upsample_bilinear(2, align_corners: true)
  upsample_bilinear([3, 2])
}
";

    [Fact]
    public void Each_mode_through_onnx_runtime_equals_torchsharp()
    {
        var result = OnnxExport.FromArch(new SourceFile("up.arch", Source), NoImports.Instance, "Up", new Dictionary<string, Tensor>());
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var resizes = result.Model!.Graph.Nodes.Where(n => n.OpType == "Resize").ToList();
        Assert.Equal(3, resizes.Count);
        Assert.Equal(new[] { "asymmetric", "align_corners", "half_pixel" },
            resizes.Select(n => n.Attributes.Single(a => a.Name == "coordinate_transformation_mode").Text));

        torch.manual_seed(5);
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(1, 2, 5, 7);
        var expected = new Upsample2d("bilinear", 3, 2).call(
            new Upsample2d("bilinear", 2, 2, align_corners: true).call(new Upsample2d("nearest", 2, 3).call(input)));
        Assert.Equal(new long[] { 1, 2, 60, 84 }, expected.shape);
        var actual = Networks.ToTensor(Networks.RunOnnx(result.ToBytes(), input)[OnnxLowering.OutputName]);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(torch.allclose(expected, actual, 1e-5, 1e-5), (expected - actual).abs().max().item<float>().ToString());
    }
}
