using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Rewrites straight runs of layer calls in a generated forward, <c>x = this.conv1.call(x);
    /// x = this.bn1.call(x); foreach (var m in this.layers) x = m.call(x);</c>, into one
    /// <c>x = ArchOps.Sequence(x, this.conv1, this.bn1); x = ArchOps.Sequence(x, this.layers);</c>, so each intermediate activation is freed once
    /// the next layer has read it instead of living until the forward's dispose scope ends (ResNet-50's sixteen
    /// bottleneck outputs at batch 8 are ~176 MB). Only unconditional calls of one tensor variable on consecutive
    /// lines at one indentation are joined: nothing else can read the intermediates of such a run.</summary>
    internal static class ForwardChains
    {
        private static readonly Regex Call = new Regex(@"^(?<indent> *)(?<x>[A-Za-z_][A-Za-z0-9_]*) = (?<m>this\.[A-Za-z_][A-Za-z0-9_]*)\.call\(\k<x>\);$", RegexOptions.CultureInvariant);
        private static readonly Regex Loop = new Regex(@"^(?<indent> *)foreach \(var (?<v>[A-Za-z_][A-Za-z0-9_]*) in (?<list>(this\.)?[A-Za-z_][A-Za-z0-9_]*)\) (?<x>[A-Za-z_][A-Za-z0-9_]*) = \k<v>\.call\(\k<x>\);$", RegexOptions.CultureInvariant);

        public static string Collapse(string forwardBody)
        {
            var lines = forwardBody.Split('\n');
            var output = new StringBuilder();
            int i = 0;
            while (i < lines.Length)
            {
                var run = new List<(string Indent, string Tensor, string Module, bool IsList)>();
                int j = i;
                // A run is one loop over a layer list, or consecutive calls of single layers.
                while (j < lines.Length && Step(lines[j]) is { } step && !step.IsList
                       && (run.Count == 0 || (step.Indent == run[0].Indent && step.Tensor == run[0].Tensor)))
                {
                    run.Add(step);
                    j++;
                }
                if (run.Count == 0 && Step(lines[i]) is { IsList: true } loop) { run.Add(loop); j = i + 1; }
                // One plain call has no intermediate to free.
                if (run.Count == 0 || (run.Count == 1 && !run[0].IsList))
                {
                    if (i < lines.Length - 1 || lines[i].Length > 0) output.Append(lines[i]).Append('\n');
                    i++;
                    continue;
                }
                output.Append(run[0].Indent).Append(run[0].Tensor).Append(" = ArchOps.Sequence(").Append(run[0].Tensor);
                // Short runs on one line; longer ones one layer per line, like an nn.Sequential listing.
                bool tall = run.Count > 4;
                foreach (var s in run)
                    output.Append(tall ? ",\n" + run[0].Indent + "    " : ", ").Append(s.Module);
                output.Append(");\n");
                i = j;
            }
            var text = output.ToString();
            return text.EndsWith("\n\n", System.StringComparison.Ordinal) ? text.Substring(0, text.Length - 1) : text;
        }

        private static (string Indent, string Tensor, string Module, bool IsList)? Step(string line)
        {
            var call = Call.Match(line);
            if (call.Success) return (call.Groups["indent"].Value, call.Groups["x"].Value, call.Groups["m"].Value, false);
            var loop = Loop.Match(line);
            if (loop.Success) return (loop.Groups["indent"].Value, loop.Groups["x"].Value, loop.Groups["list"].Value, true);
            return null;
        }
    }
}
