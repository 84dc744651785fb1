using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ArchDsl.Tests
{
    /// <summary>A line diff (Myers' O(ND) algorithm) printed in unified format with three lines of context.</summary>
    public static class SnapshotDiff
    {
        private const int Context = 3;
        private const int MaxEditDistance = 2000;
        private const int MaxPrintedLines = 400;

        private enum Kind { Same, Removed, Added }

        private readonly struct Edit
        {
            public Edit(Kind kind, int oldIndex, int newIndex, string line)
            {
                Kind = kind; OldIndex = oldIndex; NewIndex = newIndex; Line = line;
            }

            public Kind Kind { get; }
            public int OldIndex { get; }
            public int NewIndex { get; }
            public string Line { get; }
        }

        public static string Unified(string oldText, string newText, string oldName, string newName)
        {
            var a = SplitLines(oldText);
            var b = SplitLines(newText);
            var edits = Diff(a, b);
            var output = new StringBuilder();
            output.Append("--- ").Append(oldName).Append('\n');
            output.Append("+++ ").Append(newName).Append('\n');
            if (edits is null)
            {
                output.Append("(more than " + MaxEditDistance.ToString(CultureInfo.InvariantCulture) + " lines differ; compare the files)\n");
                return output.ToString();
            }

            var printed = 0;
            var i = 0;
            while (i < edits.Count)
            {
                if (edits[i].Kind == Kind.Same) { i++; continue; }
                var start = Math.Max(0, i - Context);
                var end = i;
                // Extend the hunk while the next change is within 2 * Context unchanged lines.
                while (true)
                {
                    while (end < edits.Count && edits[end].Kind != Kind.Same) end++;
                    var next = end;
                    while (next < edits.Count && edits[next].Kind == Kind.Same && next - end < 2 * Context + 1) next++;
                    if (next < edits.Count && edits[next].Kind != Kind.Same) { end = next; continue; }
                    end = Math.Min(edits.Count, end + Context);
                    break;
                }
                AppendHunk(output, edits, start, end);
                printed += end - start;
                i = end;
                if (printed > MaxPrintedLines)
                {
                    output.Append("(diff truncated)\n");
                    break;
                }
            }
            return output.ToString();
        }

        private static void AppendHunk(StringBuilder output, List<Edit> edits, int start, int end)
        {
            int oldStart = -1, newStart = -1, oldCount = 0, newCount = 0;
            for (var j = start; j < end; j++)
            {
                var e = edits[j];
                if (e.Kind != Kind.Added) { if (oldStart < 0) oldStart = e.OldIndex; oldCount++; }
                if (e.Kind != Kind.Removed) { if (newStart < 0) newStart = e.NewIndex; newCount++; }
            }
            output.Append("@@ -").Append(Range(oldStart, oldCount, edits, start, old: true))
                  .Append(" +").Append(Range(newStart, newCount, edits, start, old: false)).Append(" @@\n");
            for (var j = start; j < end; j++)
            {
                var e = edits[j];
                output.Append(e.Kind == Kind.Same ? ' ' : e.Kind == Kind.Removed ? '-' : '+').Append(e.Line).Append('\n');
            }
        }

        // Unified format: 1-based start line and count; an empty range names the line before it.
        private static string Range(int start, int count, List<Edit> edits, int hunkStart, bool old)
        {
            if (count == 0)
            {
                var before = 0;
                for (var j = 0; j < hunkStart; j++)
                {
                    if (old ? edits[j].Kind != Kind.Added : edits[j].Kind != Kind.Removed) before++;
                }
                return before.ToString(CultureInfo.InvariantCulture) + ",0";
            }
            return (start + 1).ToString(CultureInfo.InvariantCulture) + "," + count.ToString(CultureInfo.InvariantCulture);
        }

        private static string[] SplitLines(string text)
        {
            var lf = text.Replace("\r\n", "\n");
            if (lf.EndsWith("\n", StringComparison.Ordinal)) lf = lf.Substring(0, lf.Length - 1);
            return lf.Length == 0 ? Array.Empty<string>() : lf.Split('\n');
        }

        /// <summary>The shortest edit script from <paramref name="a"/> to <paramref name="b"/>, or null when it
        /// needs more than <see cref="MaxEditDistance"/> edits.</summary>
        private static List<Edit>? Diff(string[] a, string[] b)
        {
            int n = a.Length, m = b.Length, max = n + m, offset = max + 1;
            var v = new int[2 * max + 3];
            var trace = new List<int[]>();
            var found = false;
            for (var d = 0; d <= max && !found; d++)
            {
                if (d > MaxEditDistance) return null;
                trace.Add((int[])v.Clone());
                for (var k = -d; k <= d; k += 2)
                {
                    var x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                    var y = x - k;
                    while (x < n && y < m && a[x] == b[y]) { x++; y++; }
                    v[offset + k] = x;
                    if (x >= n && y >= m) { found = true; break; }
                }
            }

            var edits = new List<Edit>();
            int cx = n, cy = m;
            for (var d = trace.Count - 1; d >= 0; d--)
            {
                var vd = trace[d];
                var k = cx - cy;
                var previousK = k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1]) ? k + 1 : k - 1;
                var previousX = vd[offset + previousK];
                var previousY = previousX - previousK;
                while (cx > previousX && cy > previousY)
                {
                    cx--; cy--;
                    edits.Add(new Edit(Kind.Same, cx, cy, a[cx]));
                }
                if (d > 0)
                {
                    if (cx == previousX) { cy--; edits.Add(new Edit(Kind.Added, cx, cy, b[cy])); }
                    else { cx--; edits.Add(new Edit(Kind.Removed, cx, cy, a[cx])); }
                }
                cx = previousX; cy = previousY;
            }
            edits.Reverse();
            return edits;
        }
    }
}
