using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ArchDsl.Catalogue;
using ArchDsl.Onnx;
using ArchDsl.Runtime;
using Microsoft.ML.OnnxRuntime;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Tour;

/// <summary>The trained CifarNet written as ONNX from its .arch description (not traced) and run by ONNX Runtime on
/// the same images: the same classes, outputs equal to float32 rounding.</summary>
public static class OnnxExportStep
{
    public static bool Run(string weightsPath, string onnxPath)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var model = new CifarNet();
        model.LoadWeights(weightsPath);
        model.eval();
        // The .arch file travels beside the tour (its path in the checkout is CifarNet.Metadata.SourceFile).
        model.ExportOnnx(Path.Combine(AppContext.BaseDirectory, "cifar.arch"), onnxPath, new OnnxExportOptions { DynamicBatch = true });

        torch.manual_seed(1);
        var images = torch.randn(16, 3, 32, 32);
        var expected = model.call(images);
        using var session = new InferenceSession(onnxPath);
        var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(images.data<float>().ToArray(), new[] { 16, 3, 32, 32 });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(OnnxLowering.InputName, input) });
        var logits = results.Single(r => r.Name == OnnxLowering.OutputName).AsTensor<float>();
        var actual = torch.tensor(logits.ToArray()).reshape(logits.Dimensions.ToArray().Select(d => (long)d).ToArray());

        var difference = (actual - expected).abs().max().item<float>();
        var sameClasses = actual.argmax(1).eq(expected.argmax(1)).all().item<bool>();
        AnsiConsole.MarkupLine($"Wrote {Markup.Escape(onnxPath)} ({Output.Count(new FileInfo(onnxPath).Length)} bytes, opset {OnnxLowering.Opset}, batch dimension symbolic). "
            + $"ONNX Runtime on 16 images: largest difference from TorchSharp {difference.ToString("0.###E+0", CultureInfo.InvariantCulture)}, "
            + (sameClasses ? "[green]same class for every image[/]" : "[red]classes differ[/]"));
        return sameClasses;
    }
}
