using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using ArchDsl.Onnx;
using ArchDsl.Runtime;
using static TorchSharp.torch;

namespace ArchDsl.Cli.Commands
{
    /// <summary><c>archdsl export-onnx FILE --network NAME [--weights W] [--dynamic-batch] -o model.onnx</c>: the network's
    /// elaborated graph written as an ONNX model (opset 17), with weights from a TorchSharp weight file, or without one
    /// TorchSharp's default layer initialisation after a seed (see <see cref="DefaultWeights"/>).</summary>
    public static class ExportOnnxCommand
    {
        public static Command Create(CliConsole console)
        {
            var file = new Argument<string>("FILE") { Description = "The .arch file that defines the network." };
            var network = new Option<string>("--network", "-n") { Description = "The network or variant to export.", HelpName = "NAME", Required = true };
            var weights = new Option<string?>("--weights") { Description = "A TorchSharp weight file (a generated class's SaveWeights, or export-weights); its keys must be the network's state-dict keys.", HelpName = "FILE" };
            var seed = new Option<long>("--seed") { Description = "Without --weights: torch.manual_seed before the default initialisation (default 0).", DefaultValueFactory = _ => 0L, HelpName = "N" };
            var dynamicBatch = new Option<bool>("--dynamic-batch") { Description = "A symbolic batch dimension ('batch') instead of a batch of 1." };
            var output = new Option<string>("--output", "-o") { Description = "The .onnx file to write.", HelpName = "FILE", Required = true };
            var command = new Command("export-onnx",
                "Write a network as an ONNX model (opset 17) from its elaborated graph: inputs 'input', outputs 'output', any named outputs and auxiliary heads by name, initializers named by state-dict key.")
            {
                file, network, weights, seed, dynamicBatch, output,
            };
            command.SetAction(parsed => Run(console, parsed.GetValue(file)!, parsed.GetValue(network)!, parsed.GetValue(weights),
                parsed.GetValue(seed), parsed.GetValue(dynamicBatch), parsed.GetValue(output)!));
            return command;
        }

        private static int Run(CliConsole console, string path, string network, string? weightsPath, long seed, bool dynamicBatch, string outputPath)
        {
            var source = ArchSources.Instance.Read(path);
            var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(source, ArchSources.Instance, network);
            foreach (var d in diagnostics) console.Error.WriteLine(d.ToString());
            if (report == null || diagnostics.Any(d => d.Severity == ArchSeverity.Error)) return CliApp.SourceErrors;

            using var scope = NewDisposeScope();
            Dictionary<string, Tensor> state;
            if (weightsPath != null)
            {
                if (!File.Exists(weightsPath)) throw new CliException("weight file not found: " + weightsPath);
                state = WeightFile.Read(weightsPath);
            }
            else state = DefaultWeights.Create(report.Network, seed);

            OnnxExportResult result;
            try
            {
                result = OnnxExport.FromReport(report, ArchSources.Instance, source, state, new OnnxExportOptions { DynamicBatch = dynamicBatch });
            }
            catch (WeightMismatchException e)
            {
                throw new CliException(e.Message);
            }
            foreach (var d in result.Diagnostics) console.Error.WriteLine(d.ToString());
            if (!result.Succeeded) return CliApp.SourceErrors;
            try
            {
                result.Save(outputPath);
            }
            catch (IOException e)
            {
                throw new CliException("cannot write " + outputPath + ": " + e.Message);
            }
            var graph = result.Model!.Graph;
            long bytes = graph.Initializers.Sum(t => (long)t.RawData.Length);
            console.Output.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{0}: {1} nodes, {2} initializers ({3:0.0} MB, {4}), input {5}, outputs {6}",
                outputPath, graph.Nodes.Length, graph.Initializers.Length, bytes / 1e6,
                weightsPath == null ? "default initialisation, seed " + seed.ToString(CultureInfo.InvariantCulture) : "weights from " + weightsPath,
                Shape(graph.Inputs[0]), string.Join(", ", graph.Outputs.Select(o => o.Name + " " + Shape(o)))));
            return CliApp.Success;
        }

        private static string Shape(OnnxValueInfo v) => "[" + string.Join(", ", v.Shape.Select(d => d.ToString())) + "]";
    }
}
