using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ArchDsl.Cli.Output
{
    /// <summary>A plain-text table with aligned columns: the same bytes on every terminal and culture,
    /// so it can be pinned by snapshots.</summary>
    public sealed class TextTable
    {
        private readonly string[] headers;
        private readonly bool[] rightAligned;
        private readonly List<string[]?> rows = new List<string[]?>(); // null = separator line

        public TextTable(params (string Header, bool RightAligned)[] columns)
        {
            headers = columns.Select(c => c.Header).ToArray();
            rightAligned = columns.Select(c => c.RightAligned).ToArray();
        }

        public void AddRow(params string[] cells)
        {
            if (cells.Length != headers.Length) throw new ArgumentException("expected " + headers.Length + " cells", nameof(cells));
            rows.Add(cells);
        }

        public void AddSeparator() => rows.Add(null);

        public override string ToString()
        {
            var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Where(r => r != null).Select(r => r![i].Length).DefaultIfEmpty(0).Max())).ToArray();
            var rule = string.Join("  ", widths.Select(w => new string('-', w)));
            var text = new StringBuilder();
            AppendLine(text, headers, widths);
            text.Append(rule).Append('\n');
            foreach (var row in rows)
            {
                if (row is null) text.Append(rule).Append('\n');
                else AppendLine(text, row, widths);
            }
            return text.ToString();
        }

        private void AppendLine(StringBuilder text, string[] cells, int[] widths)
        {
            var line = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0) line.Append("  ");
                line.Append(rightAligned[i] ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }
}
