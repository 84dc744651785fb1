using System;
using System.IO;
using ArchDsl.Catalogue;
using ArchDsl.Runtime;
using Spectre.Console;
using TorchSharp;

namespace ArchDsl.Tour;

/// <summary>The main job: what the catalogue costs (known before anything runs), every network run once,
/// then a small network trained, saved and reloaded, and exported to ONNX. Exits non-zero when any step fails its check.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var output = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "archdsl-tour");
        Directory.CreateDirectory(output);
        Output.Configure();
        TensorMemory.Retain();   // freed activations stay for the next network (docs/performance.md)
        torch.manual_seed(0);
        var networks = CatalogueTour.Discover(exclude: typeof(CifarNet));
        Output.Heading("1. The catalogue, from the generated classes' static metadata");
        CatalogueTour.PrintTable(networks);

        Output.Heading("2. A forward pass of every network (batch 1, its declared input)");
        var forwardOk = CatalogueTour.RunAll(networks);

        Output.Heading("3. CifarNet (samples/Tour/cifar.arch) trained on a synthetic data set");
        var trainingOk = CifarTraining.Run(Path.Combine(output, "cifarnet.dat"));

        Output.Heading("4. The trained CifarNet exported to ONNX from its .arch graph and run by ONNX Runtime");
        var onnxOk = trainingOk && OnnxExportStep.Run(Path.Combine(output, "cifarnet.dat"), Path.Combine(output, "cifarnet.onnx"));

        var ok = forwardOk && trainingOk && onnxOk;
        AnsiConsole.MarkupLine(ok ? "[green]Tour complete.[/]" : "[red]Tour failed: see above.[/]");
        return ok ? 0 : 1;
    }
}
