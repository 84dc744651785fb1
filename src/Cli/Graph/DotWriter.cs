using System.Collections.Generic;
using System.Linq;
using System.Text;
using ArchDsl.Cli.Output;

namespace ArchDsl.Cli.Graph
{
    /// <summary>Writes a <see cref="NetworkGraph"/> as Graphviz DOT, top to bottom, tensor shapes on the edges.</summary>
    public static class DotWriter
    {
        public static string Write(NetworkGraph graph)
        {
            var nodes = graph.Nodes.ToDictionary(n => n.Id);
            var sb = new StringBuilder();
            sb.Append("digraph ").Append(Quote(graph.Name)).Append(" {\n");
            sb.Append("  graph [rankdir=TB, labelloc=t, fontname=\"Helvetica\", fontsize=14, label=").Append(Quote(graph.Root.Title)).Append("];\n");
            sb.Append("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n");
            sb.Append("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
            WriteContents(sb, graph.Root, nodes, "  ");
            foreach (var e in graph.Edges)
            {
                sb.Append("  ").Append(Quote(e.From)).Append(" -> ").Append(Quote(e.To)).Append(" [label=").Append(Quote(" " + e.Shape));
                if (e.Shortcut) sb.Append(", style=dashed, color=\"#1f6feb\", fontcolor=\"#1f6feb\"");
                sb.Append("];\n");
            }
            sb.Append("}\n");
            return sb.ToString();
        }

        private static void WriteContents(StringBuilder sb, GraphCluster cluster, Dictionary<string, GraphNode> nodes, string indent)
        {
            foreach (var id in cluster.Nodes) sb.Append(indent).Append(Quote(id)).Append(" [").Append(Style(nodes[id])).Append("];\n");
            foreach (var child in cluster.Clusters)
            {
                sb.Append(indent).Append("subgraph ").Append(Quote(child.Id)).Append(" {\n");
                var inner = indent + "  ";
                var fill = child.Repeats > 1 ? "#eef3fb" : "#f7f7f7";
                sb.Append(inner).Append("label=").Append(Quote(string.Join("\n", Title(child)))).Append(";\n");
                sb.Append(inner).Append("style=\"rounded,filled\"; fillcolor=\"").Append(fill).Append("\"; color=\"#9aa5b1\"; fontsize=10;\n");
                WriteContents(sb, child, nodes, inner);
                sb.Append(indent).Append("}\n");
            }
        }

        /// <summary>"layer1: Bottleneck ×3" and "→ 256x56x56, 215,808 params".</summary>
        public static IEnumerable<string> Title(GraphCluster c)
        {
            var name = c.Title;
            if (c.Block != null && !name.EndsWith(": " + c.Block, System.StringComparison.Ordinal)) name += ": " + c.Block;
            if (c.Repeats > 1) name += " ×" + c.Repeats;
            yield return name;
            if (c.OutputShape != null) yield return "→ " + c.OutputShape + ", " + Numbers.Count(c.Params) + " params";
        }

        private static string Style(GraphNode n)
        {
            var label = "label=" + Quote(string.Join("\n", n.Lines));
            return n.Kind switch
            {
                NodeKind.Input or NodeKind.Output or NodeKind.Aux => label + ", shape=ellipse, fillcolor=\"#e3ecfa\"",
                NodeKind.Add or NodeKind.Mul => label + ", shape=circle, fixedsize=true, width=0.35, fontsize=14, fillcolor=\"#fff4c2\"",
                NodeKind.Concat => label + ", shape=invtrapezium, style=filled, fillcolor=\"#fde2e4\"",
                NodeKind.Split => label + ", shape=trapezium, style=filled, fillcolor=\"#fde2e4\"",
                NodeKind.Chain => label + ", fillcolor=\"#eaf5ea\"",
                _ => label,
            };
        }

        /// <summary>A DOT string: quotes and backslashes escaped, line breaks as \n (centred lines).</summary>
        private static string Quote(string text) =>
            "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
    }
}
