using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using ArchDsl.Layers;

namespace ArchDsl.Cli.Graph
{
    /// <summary>Builds a network's diagram from the front end's analysis (the elaborated ops the generator and
    /// <c>summary</c> use). Modules group by their state-dict paths; the data flow comes from the ops' inputs.
    /// Collapsed (default): a run of instances of one block (a stage) is drawn once, as a cluster marked ×N with
    /// the stage's output shape and parameters, and inside a block the layers that follow one another are one box,
    /// so branches, merges and shortcuts stay visible. Expanded: every layer, every block instance.</summary>
    public sealed class GraphBuilder
    {
        private const int FromInput = -1;
        private const int Unknown = int.MinValue;

        private readonly NetworkReport _report;
        private readonly ElaboratedNetwork _net;
        private readonly IReadOnlyList<ElaboratedOp> _ops;
        private readonly List<DefinitionSymbol> _blocks;
        private readonly bool _expand;
        private readonly NetworkGraph _graph;
        private readonly int[][] _sources;
        private readonly int[] _splitSource;
        private readonly int[] _uses;
        private readonly string[] _groupOf;
        private readonly string?[] _display;
        private readonly bool[] _hidden;
        private readonly Dictionary<string, Group> _groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        private readonly Dictionary<string, GraphCluster> _clusterOf = new Dictionary<string, GraphCluster>(StringComparer.Ordinal);
        private readonly Dictionary<int, string> _splitNodes = new Dictionary<int, string>();
        private int _clusterCount;

        /// <summary>The diagram of one analysed network. <paramref name="definitions"/> are the program's blocks
        /// (BoundProgram.Definitions), used to name block instances; without them instances are named by path only.</summary>
        public static NetworkGraph Build(NetworkReport report, IEnumerable<DefinitionSymbol> definitions, bool expand) =>
            new GraphBuilder(report, definitions, expand).Draw();

        private GraphBuilder(NetworkReport report, IEnumerable<DefinitionSymbol> definitions, bool expand)
        {
            _report = report;
            _net = report.Network;
            _ops = _net.Ops;
            _blocks = definitions.Where(d => !d.IsNetwork).ToList();
            _expand = expand;
            var s = report.Summary;
            _graph = new NetworkGraph(_net.Name, _net.Name + ": " + Numbers(s.Params) + " params, " + Numbers(s.Macs) + " MACs");
            _sources = new int[_ops.Count][];
            _splitSource = Enumerable.Repeat(Unknown, _net.Splits.Length).ToArray();
            _uses = new int[_ops.Count];
            _groupOf = new string[_ops.Count];
            _display = new string?[_ops.Count];
            _hidden = new bool[_ops.Count];
        }

        private NetworkGraph Draw()
        {
            TraceDataFlow();
            PlaceInGroups();
            var root = _groups[""];
            // Parents come first; a labelled part of a block (ResNet's downsample) is no instance of its own.
            foreach (var g in _groups.Values)
            {
                g.Block = BlockOf(g);
                for (var a = g; a.Path.Length > 0 && g.Block != null;)
                {
                    a = _groups[Parent(a.Path)];
                    if (a.Block == g.Block) g.Block = null;
                }
            }
            FindRuns(root);
            AddNode(new GraphNode("input", NodeKind.Input, new[] { "input", ShapeText(_net.Input) }), _graph.Root);
            Render(root, _graph.Root);
            Connect();
            return _graph;
        }

        // ------------------------------------------------------------ data flow

        /// <summary>Each input's producer: an op index, <see cref="FromInput"/>, or -(2 + s) for part s of a split.</summary>
        private void TraceDataFlow()
        {
            var producer = new Dictionary<Feature, int>(ReferenceEqualityComparer.Instance) { [_net.Input] = FromInput };
            for (int s = 0; s < _net.Splits.Length; s++) producer[_net.Splits[s].Part] = -2 - s;
            for (int i = 0; i < _ops.Count; i++)
            {
                var inputs = _ops[i].Inputs;
                _sources[i] = new int[inputs.Length];
                for (int k = 0; k < inputs.Length; k++)
                {
                    int p = producer.TryGetValue(inputs[k], out var found) ? found : Unknown;
                    if (p <= -2 && _splitSource[-2 - p] == Unknown)
                        _splitSource[-2 - p] = producer.TryGetValue(_net.Splits[-2 - p].Whole, out var whole) ? whole : Unknown;
                    _sources[i][k] = p;
                    if (p >= 0) _uses[p]++;
                }
                producer[_ops[i].Output] = i;
            }
            foreach (var outside in _net.AuxOutputs.Select(a => a.Output).Concat(_net.NamedOutputs.Select(o => o.Output)).Append(_net.Output))
                if (producer.TryGetValue(outside, out var p) && p >= 0) _uses[p]++;
        }

        private int ProducerOf(Feature f)
        {
            for (int i = _ops.Count - 1; i >= 0; i--) if (ReferenceEquals(_ops[i].Output, f)) return i;
            return ReferenceEquals(_net.Input, f) ? FromInput : Unknown;
        }

        // ------------------------------------------------------------ groups

        /// <summary>A module container: a path prefix of the state dict (the root is "").</summary>
        private sealed class Group
        {
            public Group(string path) { Path = path; }
            public string Path { get; }
            /// <summary>Ops (index ≥ 0) and child groups, in order of first execution.</summary>
            public List<(int Op, Group? Child)> Items { get; } = new List<(int, Group?)>();
            public List<int> Ops { get; } = new List<int>();
            public DefinitionSymbol? Block { get; set; }
            public List<StageRun> Runs { get; } = new List<StageRun>();
            public bool HasRunBelow { get; set; }
        }

        /// <summary>Items [Start, End] of a group: consecutive instances of one block; Units are the instances.</summary>
        private sealed record StageRun(int Start, int End, List<Group> Units, bool WholeGroup);

        private static string Parent(string path)
        {
            int dot = path.LastIndexOf('.');
            return dot < 0 ? "" : path.Substring(0, dot);
        }

        private static string CommonPrefix(string a, string b)
        {
            var x = a.Split('.');
            var y = b.Split('.');
            int n = 0;
            while (n < x.Length && n < y.Length && x[n] == y[n]) n++;
            return string.Join(".", x.Take(n));
        }

        private static bool Within(string path, string group) =>
            group.Length == 0 || path == group || path.StartsWith(group + ".", StringComparison.Ordinal);

        /// <summary>A layer belongs to its module's parent path. Merges carry only the path of the block that
        /// wrote them, so they go to the deepest container that both holds their neighbours in execution order
        /// or their operands and lies inside that block.</summary>
        private void PlaceInGroups()
        {
            var lastLayerGroup = new string?[_ops.Count];
            string? last = null;
            for (int i = 0; i < _ops.Count; i++)
            {
                lastLayerGroup[i] = last;
                if (_ops[i].Config != null) last = Parent(_ops[i].Path);
            }
            string? next = null;
            var nextLayerGroup = new string?[_ops.Count];
            for (int i = _ops.Count - 1; i >= 0; i--)
            {
                nextLayerGroup[i] = next;
                if (_ops[i].Config != null) next = Parent(_ops[i].Path);
            }
            var root = new Group("");
            _groups[""] = root;
            for (int i = 0; i < _ops.Count; i++)
            {
                var op = _ops[i];
                string group = Parent(op.Path);
                if (op.Config == null)
                {
                    var candidates = new List<string>();
                    if (lastLayerGroup[i] != null && nextLayerGroup[i] != null) candidates.Add(CommonPrefix(lastLayerGroup[i]!, nextLayerGroup[i]!));
                    var operands = _sources[i].Where(p => p >= 0).Select(p => _groupOf[p]).ToList();
                    if (operands.Count > 0) candidates.Add(operands.Aggregate(CommonPrefix));
                    foreach (var c in candidates)
                        if (Within(c, group) && c.Length > group.Length) group = c;
                }
                _groupOf[i] = group;
                var g = Ensure(group);
                g.Items.Add((i, null));
                for (var a = g; a != null; a = a.Path.Length == 0 ? null : _groups[Parent(a.Path)]) a.Ops.Add(i);
            }
        }

        private Group Ensure(string path)
        {
            if (_groups.TryGetValue(path, out var g)) return g;
            var parent = Ensure(Parent(path));
            g = new Group(path);
            _groups[path] = g;
            parent.Items.Add((-1, g));
            return g;
        }

        /// <summary>The block a group is an instance of: the innermost block whose text holds one of the group's own ops.</summary>
        private DefinitionSymbol? BlockOf(Group g)
        {
            var own = g.Items.Where(it => it.Child == null).Select(it => _ops[it.Op]).FirstOrDefault();
            if (own == null || g.Path.Length == 0) return null;
            return _blocks
                .Where(d => d.File.Path == own.SourcePath && d.Syntax.Span.Start <= own.Span.Start && own.Span.End <= d.Syntax.Span.End)
                .OrderBy(d => d.Syntax.Span.Length)
                .FirstOrDefault();
        }

        // ------------------------------------------------------------ runs of one block

        /// <summary>A group whose children are all instances of one block, all with the first one's output shape, is one
        /// run (a stage: ResNet's layer1, DenseNet's denseblock1). Elsewhere a run is consecutive instances of one block
        /// made by a loop (numbered), with the first one's output shape, the later ones alike (MobileNet V2's rows of the
        /// paper's table, ShuffleNet's units after the down-sampling one). Modules named one by one (GoogLeNet's
        /// inception4a, 4b) stay apart: the paper lists them apart.</summary>
        private void FindRuns(Group g)
        {
            foreach (var child in g.Items.Where(it => it.Child != null)) FindRuns(child.Child!);
            g.HasRunBelow = g.Items.Any(it => it.Child != null && (it.Child.Runs.Count > 0 || it.Child.HasRunBelow));
            var children = Enumerable.Range(0, g.Items.Count).Where(i => g.Items[i].Child != null).ToList();
            if (children.Count < 2) return;
            var units = children.Select(i => g.Items[i].Child!).ToList();
            bool onlyMergesBetween = g.Items.All(it => it.Child != null || _ops[it.Op].Config == null);
            if (units[0].Block != null && units.All(u => u.Block == units[0].Block && OutputShape(u).SequenceEqual(OutputShape(units[0]))) && onlyMergesBetween)
            {
                g.Runs.Add(new StageRun(children[0], ExtendOverMerges(g, children[^1]), units, WholeGroup: true));
                return;
            }
            for (int k = 0; k < children.Count;)
            {
                int j = k + 1;
                while (j < children.Count && units[j].Block != null && units[j].Block == units[k].Block && Numbered(units[k]) && Numbered(units[j])
                       && Enumerable.Range(children[j - 1] + 1, children[j] - children[j - 1] - 1).All(i => _ops[g.Items[i].Op].Config == null)
                       && OutputShape(units[j]).SequenceEqual(OutputShape(units[k]))
                       && (j == k + 1 || Signature(units[j]).SequenceEqual(Signature(units[k + 1]))))
                    j++;
                if (j - k >= 2) g.Runs.Add(new StageRun(children[k], ExtendOverMerges(g, children[j - 1]), units.GetRange(k, j - k), WholeGroup: false));
                k = j;
            }
        }

        private int ExtendOverMerges(Group g, int end)
        {
            while (end + 1 < g.Items.Count && g.Items[end + 1].Child == null && _ops[g.Items[end + 1].Op].Config == null) end++;
            return end;
        }

        private ImmutableArray<long> OutputShape(Group unit) => _ops[unit.Ops[^1]].Output.Shape;

        /// <summary>Instances a loop made (their names are indices), as opposed to modules named one by one.</summary>
        private static bool Numbered(Group unit) => unit.Path.Split('.').Last().All(char.IsDigit);

        private IEnumerable<string> Signature(Group unit) => unit.Ops.Select(i => _ops[i].Kind + " " + (_ops[i].Config == null ? "" : CostModel.Describe(_ops[i])));

        // ------------------------------------------------------------ drawing

        private void Render(Group g, GraphCluster into)
        {
            if (!_expand && g.Path.Length > 0 && g.Block != null && !g.HasRunBelow && g.Runs.Count == 0)
            {
                Compress(g.Ops, into);
                return;
            }
            for (int i = 0; i < g.Items.Count; i++)
            {
                var run = _expand ? null : g.Runs.FirstOrDefault(r => r.Start == i);
                if (run != null)
                {
                    RenderRun(g, run, into);
                    i = run.End;
                    continue;
                }
                var (op, child) = g.Items[i];
                if (child == null) AddOpNode(op, into);
                else RenderChild(child, into);
            }
        }

        /// <summary>A child group in a cluster of its own, or, when all it draws is one box, as that box titled with its name.</summary>
        private void RenderChild(Group child, GraphCluster into)
        {
            var cluster = NewCluster(into, child, child.Path + (child.Block != null ? ": " + child.Block.Name : ""));
            Render(child, cluster);
            if (cluster.Nodes.Count != 1 || cluster.Clusters.Count != 0) return;
            into.Clusters.Remove(cluster);
            var id = cluster.Nodes[0];
            int at = _graph.Nodes.FindIndex(n => n.Id == id);
            var node = _graph.Nodes[at];
            _graph.Nodes[at] = node with { Lines = new[] { cluster.Title }.Concat(node.Lines).ToList() };
            into.Nodes.Add(id);
            _clusterOf[id] = into;
        }

        /// <summary>Draws the first instance and the merges up to the second; the later instances' ops are drawn by
        /// the first instance's last op, so the tensors leaving the run leave from there with their real shapes.</summary>
        private void RenderRun(Group g, StageRun run, GraphCluster into)
        {
            var first = run.Units[0];
            var second = g.Items.FindIndex(run.Start + 1, it => it.Child == run.Units[1]);
            var runOps = Enumerable.Range(run.Start, run.End - run.Start + 1).SelectMany(i => OpsOf(g.Items[i])).OrderBy(i => i).ToList();
            var target = run.WholeGroup ? into : NewCluster(into, null, first.Path + "–" + run.Units[^1].Path.Split('.').Last());
            target.Block = first.Block!.Name;
            target.Repeats = run.Units.Count;
            target.OutputShape = ShapeText(_ops[runOps[^1]].Output);
            target.Params = runOps.Sum(i => _report.Summary.Layers[i].Params);
            if (first.Block != null && !first.HasRunBelow && first.Runs.Count == 0) Compress(first.Ops, target);
            else Render(first, target);
            var shown = new List<int>(first.Ops);
            for (int i = run.Start + 1; i < second; i++)
            {
                foreach (var op in OpsOf(g.Items[i])) AddOpNode(op, target);
                shown.AddRange(OpsOf(g.Items[i]));
            }
            var exit = _display[shown.Max()]!;
            foreach (var op in runOps.Except(shown))
            {
                _display[op] = exit;
                _hidden[op] = true;
            }
        }

        private static IEnumerable<int> OpsOf((int Op, Group? Child) item) => item.Child == null ? new[] { item.Op } : item.Child.Ops;

        /// <summary>Layers that run one after another (each the only reader of the previous one's output) become one box.</summary>
        private void Compress(List<int> ops, GraphCluster into)
        {
            var set = new HashSet<int>(ops);
            var chains = new List<List<int>>();
            var chainOf = new Dictionary<int, List<int>>();
            foreach (var i in ops)
            {
                var op = _ops[i];
                if (op.Config == null)
                {
                    AddOpNode(i, into);
                    continue;
                }
                int p = _sources[i].Length == 1 ? _sources[i][0] : Unknown;
                if (p >= 0 && set.Contains(p) && _uses[p] == 1 && chainOf.TryGetValue(p, out var chain))
                {
                    chain.Add(i);
                    chainOf[i] = chain;
                    continue;
                }
                chain = new List<int> { i };
                chains.Add(chain);
                chainOf[i] = chain;
                var id = "n" + i.ToString(CultureInfo.InvariantCulture);
                into.Nodes.Add(id);
                _clusterOf[id] = into;
            }
            foreach (var chain in chains)
            {
                var id = "n" + chain[0].ToString(CultureInfo.InvariantCulture);
                foreach (var i in chain) _display[i] = id;
                _graph.Nodes.Add(chain.Count == 1 ? OpNode(chain[0], id) : new GraphNode(id, NodeKind.Chain, ChainLines(chain)));
            }
        }

        /// <summary>One line per layer that starts one (convolution, linear, pooling: <see cref="LayerRule.StartsChainLine"/>);
        /// normalisations and activations follow on its line, each by its short label when it has one.</summary>
        private List<string> ChainLines(List<int> chain)
        {
            var lines = new List<string>();
            foreach (var i in chain)
            {
                var op = _ops[i];
                var rule = LayerTable.Of(op.Config!.Kind);
                var text = rule.ChainLabel ?? CostModel.Describe(op);
                if (lines.Count == 0 || rule.StartsChainLine) lines.Add(text);
                else lines[^1] += ", " + text;
            }
            long parameters = chain.Sum(i => _report.Summary.Layers[i].Params);
            if (parameters > 0) lines.Add(Numbers(parameters) + " params");
            return lines;
        }

        private void AddOpNode(int i, GraphCluster into)
        {
            var id = "n" + i.ToString(CultureInfo.InvariantCulture);
            _display[i] = id;
            AddNode(OpNode(i, id), into);
        }

        private GraphNode OpNode(int i, string id)
        {
            var op = _ops[i];
            switch (op.Kind)
            {
                case OpKind.Add: return new GraphNode(id, NodeKind.Add, new[] { "+" });
                case OpKind.Mul: return new GraphNode(id, NodeKind.Mul, new[] { "×" });
                case OpKind.Concat: return new GraphNode(id, NodeKind.Concat, new[] { "concat" });
                case OpKind.ZeroPad: return new GraphNode(id, NodeKind.ZeroPad, new[] { "zero-pad" });
                case OpKind.Scale: return new GraphNode(id, NodeKind.Scale, new[] { "scale" });
            }
            // The module's own name, unless it is only an index or says no more than the operation.
            var leaf = op.Path.Split('.').Last();
            var describe = CostModel.Describe(op);
            var lines = new List<string>();
            if (!leaf.All(char.IsDigit) && !describe.StartsWith(leaf, StringComparison.Ordinal)) lines.Add(leaf);
            lines.Add(describe);
            if (_report.Summary.Layers[i].Params > 0) lines.Add(Numbers(_report.Summary.Layers[i].Params) + " params");
            return new GraphNode(id, NodeKind.Layer, lines);
        }

        private void AddNode(GraphNode node, GraphCluster into)
        {
            _graph.Nodes.Add(node);
            into.Nodes.Add(node.Id);
            _clusterOf[node.Id] = into;
        }

        private GraphCluster NewCluster(GraphCluster parent, Group? group, string title)
        {
            var cluster = new GraphCluster("cluster_" + (++_clusterCount).ToString(CultureInfo.InvariantCulture), title);
            if (group != null)
            {
                cluster.OutputShape = ShapeText(_ops[group.Ops[^1]].Output);
                cluster.Params = group.Ops.Sum(i => _report.Summary.Layers[i].Params);
            }
            parent.Clusters.Add(cluster);
            return cluster;
        }

        // ------------------------------------------------------------ edges

        private void Connect()
        {
            var seen = new HashSet<(string, string)>();
            void Edge(string from, string to, Feature shape, bool shortcut)
            {
                if (from != to && seen.Add((from, to))) _graph.Edges.Add(new GraphEdge(from, to, ShapeText(shape), shortcut));
            }
            for (int i = 0; i < _ops.Count; i++)
            {
                var op = _ops[i];
                for (int k = 0; k < op.Inputs.Length; k++)
                {
                    var from = Source(_sources[i][k], i);
                    if (from == null) continue;
                    // A residual's second operand is its shortcut (identity, projection or zero-padded).
                    Edge(from, _display[i]!, op.Inputs[k], op.Kind == OpKind.Add && op.Inputs.Length == 2 && k == 1);
                }
            }
            int aux = 0;
            foreach (var (name, output) in _net.AuxOutputs)
            {
                var id = "aux" + (aux++).ToString(CultureInfo.InvariantCulture);
                AddNode(new GraphNode(id, NodeKind.Aux, new[] { name + " (auxiliary output)", ShapeText(output) }), _graph.Root);
                var from = Source(ProducerOf(output), -1);
                if (from != null) Edge(from, id, output, false);
            }
            int named = 0;
            foreach (var (name, output) in _net.NamedOutputs)
            {
                var id = "named" + (named++).ToString(CultureInfo.InvariantCulture);
                AddNode(new GraphNode(id, NodeKind.Output, new[] { name + " (output)", ShapeText(output) }), _graph.Root);
                var from = Source(ProducerOf(output), -1);
                if (from != null) Edge(from, id, output, false);
            }
            AddNode(new GraphNode("output", NodeKind.Output, new[] { "output", ShapeText(_net.Output) }), _graph.Root);
            var last = Source(ProducerOf(_net.Output), -1);
            if (last != null) Edge(last, "output", _net.Output, false);

            string? Source(int p, int consumer)
            {
                if (p >= 0) return _display[p];
                if (p == FromInput) return "input";
                if (p == Unknown) return null;
                int s = -2 - p;
                if (_splitNodes.TryGetValue(s, out var id)) return id;
                var whole = _splitSource[s] == Unknown ? null : Source(_splitSource[s], consumer);
                if (consumer >= 0 && _hidden[consumer]) return whole;
                id = "split" + s.ToString(CultureInfo.InvariantCulture);
                _splitNodes[s] = id;
                var (part, all) = _net.Splits[s];
                var home = consumer >= 0 && _clusterOf.TryGetValue(_display[consumer]!, out var c) ? c : _graph.Root;
                AddNode(new GraphNode(id, NodeKind.Split, new[] { "split /" + (all.Channels / Math.Max(1, part.Channels)).ToString(CultureInfo.InvariantCulture) }), home);
                if (whole != null) Edge(whole, id, all, false);
                return id;
            }
        }

        // ------------------------------------------------------------ text

        private static string ShapeText(Feature f) => Output.Numbers.Shape(f.Shape);

        private static string Numbers(long n) => Output.Numbers.Count(n);
    }
}
