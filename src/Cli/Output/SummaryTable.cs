using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ArchDsl.Cli.Output
{
    /// <summary>The per-layer shape/cost table of a network (as torchinfo prints it: output shape, parameters,
    /// multiply-accumulates), and a one-line-per-network overview of a catalogue.</summary>
    public static class SummaryTable
    {
        public static string Format(NetworkSummary network)
        {
            var text = new StringBuilder();
            text.Append(network.Name).Append(" (").Append(network.File).Append(':')
                .Append(network.Line.ToString(CultureInfo.InvariantCulture)).Append(")  input ")
                .Append(Numbers.Shape(network.Input));
            if (network.Reference != null) text.Append("  reference ").Append(network.Reference);
            text.Append('\n');

            var table = new TextTable(("Layer", false), ("Operation", false), ("Output shape", false),
                ("Params", true), ("MACs", true), ("Memory access", true));
            foreach (var layer in network.Layers.IsDefault ? new LayerRow[0] : (IEnumerable<LayerRow>)network.Layers)
            {
                table.AddRow(layer.Path, layer.Operation, Numbers.Shape(layer.OutputShape),
                    Numbers.Count(layer.Params), Numbers.Count(layer.Macs), Numbers.Count(layer.MemoryAccess));
            }
            table.AddSeparator();
            table.AddRow("Total", "", Numbers.Shape(network.Output),
                Numbers.Count(network.Params), Numbers.Count(network.Macs), Numbers.Count(network.MemoryAccess));
            text.Append(table);

            foreach (var o in network.NamedOutputs)
                text.Append("Output ").Append(o.Name).Append(": ").Append(Numbers.Shape(o.Shape)).Append('\n');
            text.Append("Params: ").Append(Numbers.Count(network.Params))
                .Append(" (").Append(Megabytes(network.Params * 4)).Append(" MB as float32)")
                .Append("   Buffers: ").Append(Numbers.Count(network.Buffers))
                .Append(" (").Append(Numbers.Count(network.BufferElements)).Append(" elements)")
                .Append("   State-dict keys: ").Append(Numbers.Count(network.StateDictKeys)).Append('\n');
            if (network.Data is { } data)
                text.Append("Data: resize ").Append(data.Resize.ToString(CultureInfo.InvariantCulture)).Append(" (").Append(data.Interpolation)
                    .Append("), centre crop ").Append(string.Join("x", network.Input.Skip(1).Select(d => d.ToString(CultureInfo.InvariantCulture))))
                    .Append(", mean [").Append(string.Join(", ", data.Mean.Select(v => v.ToString("R", CultureInfo.InvariantCulture))))
                    .Append("], std [").Append(string.Join(", ", data.Std.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))).Append("]\n");
            text.Append("MACs: ").Append(Numbers.Scaled(network.Macs))
                .Append("   FLOPs (2 x MACs): ").Append(Numbers.Scaled(2m * network.Macs)).Append('\n');
            text.Append("Memory access: ").Append(Numbers.Count(network.MemoryAccess)).Append(" elements")
                .Append("   Activations: ").Append(Numbers.Count(network.ActivationElements)).Append(" elements")
                .Append(" (").Append(Megabytes(network.ActivationElements * 4)).Append(" MB as float32, batch 1)").Append('\n');
            return text.ToString();
        }

        /// <summary>One row per network: name, file, input, output, params, MACs, reference.</summary>
        public static string Overview(IEnumerable<NetworkSummary> networks)
        {
            var table = new TextTable(("Network", false), ("File", false), ("Input", false), ("Output", false),
                ("Params", true), ("MACs", true), ("Reference", false));
            foreach (var n in networks)
            {
                table.AddRow(n.Name, n.File, Numbers.Shape(n.Input), Numbers.Shape(n.Output),
                    Numbers.Count(n.Params), Numbers.Scaled(n.Macs), n.Reference ?? "-");
            }
            return table.ToString();
        }

        private static string Megabytes(long bytes) =>
            (bytes / 1_000_000.0).ToString("0.00", CultureInfo.InvariantCulture);
    }
}
