using System.Collections.Generic;

namespace ArchDsl.Cli.Graph
{
    /// <summary>What a diagram node stands for; the DOT writer picks its shape from this.</summary>
    public enum NodeKind { Input, Output, Aux, Layer, Chain, Add, Mul, Concat, Split, ZeroPad, Scale }

    /// <summary>A box in the diagram: one op, or (collapsed view) a chain of layers that run one after another.</summary>
    public sealed record GraphNode(string Id, NodeKind Kind, IReadOnlyList<string> Lines);

    /// <summary>A tensor flowing from one node to another; <see cref="Shortcut"/> marks a residual's second operand.</summary>
    public sealed record GraphEdge(string From, string To, string Shape, bool Shortcut);

    /// <summary>A box around the nodes of one block, stage or container; <see cref="Repeats"/> &gt; 1 when it stands
    /// for that many instances of the same block, of which the first is drawn.</summary>
    public sealed class GraphCluster
    {
        public GraphCluster(string id, string title) { Id = id; Title = title; }

        public string Id { get; }

        public string Title { get; set; }

        public string? Block { get; set; }

        public int Repeats { get; set; } = 1;

        public string? OutputShape { get; set; }

        public long Params { get; set; }

        /// <summary>Node ids and nested clusters, in drawing order.</summary>
        public List<string> Nodes { get; } = new List<string>();

        public List<GraphCluster> Clusters { get; } = new List<GraphCluster>();
    }

    /// <summary>A network's diagram: nodes, edges and the clusters that group them (the root holds everything).</summary>
    public sealed class NetworkGraph
    {
        public NetworkGraph(string name, string title) { Name = name; Root = new GraphCluster("root", title); }

        public string Name { get; }

        public GraphCluster Root { get; }

        public List<GraphNode> Nodes { get; } = new List<GraphNode>();

        public List<GraphEdge> Edges { get; } = new List<GraphEdge>();

        /// <summary>Every cluster below the root, depth first.</summary>
        public IEnumerable<GraphCluster> Clusters => Descendants(Root);

        private static IEnumerable<GraphCluster> Descendants(GraphCluster c)
        {
            foreach (var child in c.Clusters)
            {
                yield return child;
                foreach (var d in Descendants(child)) yield return d;
            }
        }
    }
}
