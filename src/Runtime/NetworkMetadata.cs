using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ArchDsl.Runtime
{
    /// <summary>One row of a network's static shape/cost table.</summary>
    public sealed record LayerInfo(string Path, string Operation, long[] OutputShape, long Params, long Macs, long MemoryAccess);

    /// <summary>Static facts about a network at its declared input, computed by the .arch front end when the
    /// code was generated: no model has to be built or run to read them. MACs are conv + linear multiply-adds
    /// (FLOPs = 2 x MACs); memory access is ShuffleNet V2's count of elements read and written.</summary>
    public sealed record NetworkMetadata(
        string Name, string SourceFile, int SourceLine, string? Reference,
        long[] InputShape, long[] OutputShape,
        long Params, long Buffers, long Macs, long MemoryAccess, long ActivationElements,
        IReadOnlyList<LayerInfo> Layers)
    {
        /// <summary>The metadata with its layers read from <paramref name="rows"/>, the form generated classes carry:
        /// a row per line (blank lines ignored), six cells split by <c>|</c> and trimmed — path, operation, output
        /// shape as <c>CxHxW</c>, params, MACs, memory access.</summary>
        public static NetworkMetadata FromRows(
            string name, string sourceFile, int sourceLine, string? reference,
            long[] inputShape, long[] outputShape,
            long @params, long buffers, long macs, long memoryAccess, long activationElements,
            string rows)
        {
            var layers = new List<LayerInfo>();
            foreach (var line in rows.Split('\n'))
            {
                if (line.Trim().Length == 0) continue;
                var cells = line.Split('|');
                if (cells.Length != 6) throw new FormatException("A layer row has " + cells.Length + " cells where 6 were expected: " + line.Trim());
                var shape = cells[2].Trim();
                layers.Add(new LayerInfo(cells[0].Trim(), cells[1].Trim(),
                    shape.Length == 0 ? Array.Empty<long>() : shape.Split('x').Select(Count).ToArray(),
                    Count(cells[3]), Count(cells[4]), Count(cells[5])));
            }
            return new NetworkMetadata(name, sourceFile, sourceLine, reference, inputShape, outputShape,
                @params, buffers, macs, memoryAccess, activationElements, layers);
        }

        private static long Count(string cell) => long.Parse(cell.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

        /// <summary>The table: one line per layer (path, operation, output shape, params, MACs, memory access) and totals.</summary>
        public string ToTable()
        {
            var rows = new List<string[]> { new[] { "path", "operation", "output", "params", "MACs", "memory access" } };
            foreach (var l in Layers)
                rows.Add(new[] { l.Path, l.Operation, Shape(l.OutputShape), N(l.Params), N(l.Macs), N(l.MemoryAccess) });
            var sb = new StringBuilder();
            sb.Append(Name).Append(" (").Append(SourceFile).Append(':').Append(SourceLine.ToString(CultureInfo.InvariantCulture)).Append(')');
            if (Reference != null) sb.Append(", reference ").Append(Reference);
            sb.Append('\n');
            AppendColumns(sb, rows, firstNumeric: 3);
            sb.Append("input ").Append(Shape(InputShape)).Append(", output ").Append(Shape(OutputShape)).Append('\n');
            sb.Append("params ").Append(N(Params)).Append(", buffers ").Append(N(Buffers))
              .Append(", MACs ").Append(N(Macs)).Append(" (FLOPs ").Append(N(2 * Macs)).Append(')')
              .Append(", memory access ").Append(N(MemoryAccess))
              .Append(", activations ").Append(N(ActivationElements)).Append(" elements\n");
            return sb.ToString();
        }

        /// <summary>Rows as aligned columns, the header underlined; columns from <paramref name="firstNumeric"/> on
        /// are right-aligned.</summary>
        internal static void AppendColumns(StringBuilder sb, List<string[]> rows, int firstNumeric)
        {
            int columns = rows[0].Length;
            var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => r[c].Length)).ToArray();
            for (int r = 0; r < rows.Count; r++)
            {
                for (int c = 0; c < columns; c++)
                {
                    var cell = rows[r][c];
                    sb.Append(c >= firstNumeric ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
                    sb.Append(c == columns - 1 ? "\n" : "  ");
                }
                if (r == 0) sb.Append(new string('-', widths.Sum() + 2 * (columns - 1))).Append('\n');
            }
        }

        internal static string N(long v) => v.ToString("#,0", CultureInfo.InvariantCulture);

        internal static string Shape(long[] s) => "[" + string.Join(", ", s.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
