using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit
{
    /// <summary>One feature tap of a network at its declared input: the module whose output it is, channels, reduction
    /// and [C, H, W].</summary>
    internal sealed record TapSpec(string Module, long Channels, long Reduction, ImmutableArray<long> Shape);

    /// <summary>How a network splits into a body and a head, and where its stages end, read from its elaborated ops.
    /// <para>A <b>unit</b> is a module the network's body registers at its top level (the first segment of an op's
    /// path: <c>conv1</c>, <c>layer2</c>), or, where a top-level container holds several resolutions (torchvision's
    /// <c>features</c>: children that reach more than one new resolution) and runs them one after another, each of
    /// its children in turn; a merge with no module of its
    /// own (a dense block's concatenation) belongs to the unit before it. The <b>head</b> is the trailing run of top-level units whose
    /// outputs are pooled to 1x1 or flat (global pooling, flatten, dropout, classifier), when each is a plain
    /// statement of the network's body. A <b>stage</b> is a maximal run of body units at one reduction; its tap is
    /// its last unit, when every unit after it reduces more. A unit's <b>reduction</b> is the input's height over its output's, to the nearest power of two (a
    /// 299 input at 35 is 8, as the strides say). Units that are not modules (a top-level add) or that run more than once (a shared module) are
    /// never taps.</para></summary>
    internal static class BackbonePlan
    {
        private const int MaxDepth = 4;

        private sealed class Unit
        {
            public Unit(string path) => Path = path;
            public string Path { get; }
            public List<ElaboratedOp> Ops { get; } = new List<ElaboratedOp>();
            public bool RunsOnce { get; set; } = true;
            public Feature Output => Ops[Ops.Count - 1].Output;
            public bool Pooled => Output.Flat || (Output.Height == 1 && Output.Width == 1);
            public bool IsModule => !Anonymous(Path);
        }

        /// <summary>The index in <paramref name="statements"/> where the head begins (every statement from there on is
        /// a head statement), or -1 when the network has no head that can be split off; and the path of the head's
        /// classifier (its last linear or convolution, when that layer sets the network's output channels).</summary>
        public static (int HeadStart, string? Classifier) Head(BoundProgram program, IReadOnlyList<StatementSyntax> statements, NetworkReport? basis)
        {
            if (basis == null) return (-1, null);
            var top = Group(BodyOps(basis.Network), 1);
            int headUnits = 0;
            while (headUnits < top.Count && top[top.Count - 1 - headUnits].Pooled) headUnits++;
            if (headUnits == 0 || headUnits == top.Count) return (-1, null);
            if (top.Skip(top.Count - headUnits).Any(u => !u.RunsOnce || !u.IsModule)) return (-1, null);
            // The last head units are the last statements that register a module, one each, in order.
            int s = statements.Count - 1, u = top.Count - 1, start = -1;
            while (u >= top.Count - headUnits)
            {
                if (s < 0) return (-1, null);
                var st = statements[s];
                if (st is LetStmt) { s--; continue; }
                if (!Registers(program, st, top[u].Path)) return (-1, null);
                start = s;
                s--; u--;
            }
            var headOps = top.Skip(top.Count - headUnits).SelectMany(x => x.Ops).ToList();
            var classifier = headOps.LastOrDefault(op => op.Kind == OpKind.Layer && !op.Shared && op.Config != null
                && Layers.LayerTable.Of(op.Config.Kind).MixesAllChannels(op.Config));
            string? path = classifier != null && classifier.Output.Channels == basis.Network.Output.Channels
                && headOps.SkipWhile(op => op != classifier).Skip(1).All(op => op.Output.Channels == classifier.Output.Channels)
                ? classifier.Path : null;
            return (start, path);
        }

        /// <summary>The taps of a network at its declared input: the last unit of each stage of the body (the units
        /// before the head).</summary>
        public static ImmutableArray<TapSpec> Taps(NetworkReport report)
        {
            long inputHeight = report.Network.Input.Height;
            long Reduction(Unit u) => u.Output.Flat ? long.MaxValue : PowerOfTwo((double)inputHeight / u.Output.Height);
            var top = Group(BodyOps(report.Network), 1);
            int body = top.Count;
            while (body > 0 && top[body - 1].Pooled) body--;
            var units = top.Take(body).SelectMany(u => Expand(u)).ToList();
            // A network whose first top-level container already pools (its features end in global pooling) has no head
            // to split off; its stages are that container's children before the pooling.
            if (body == 0 && top.Count > 0 && Chain(top[0], 1) is { } inner)
                units = inner.TakeWhile(u => !u.Pooled).SelectMany(u => Expand(u, 2)).ToList();
            var taps = ImmutableArray.CreateBuilder<TapSpec>();
            for (int i = 0; i < units.Count; i++)
            {
                var unit = units[i];
                if (unit.Output.Flat) break;
                bool stageEnds = units.Skip(i + 1).All(later => Reduction(later) > Reduction(unit));
                if (!stageEnds || !unit.IsModule || !unit.RunsOnce) continue;
                taps.Add(new TapSpec(unit.Path, unit.Output.Channels, Reduction(unit), unit.Output.Shape));
            }
            return taps.ToImmutable();
        }

        /// <summary>True for a path with a segment that names no module: "(add)", "(concat)".</summary>
        private static bool Anonymous(string path) => path.Split('.').Any(x => x.StartsWith("(", StringComparison.Ordinal));

        private static long PowerOfTwo(double ratio) => ratio <= 1 ? 1 : 1L << (int)Math.Round(Math.Log(ratio, 2));

        /// <summary>The ops of the main path (auxiliary heads left out).</summary>
        private static List<ElaboratedOp> BodyOps(ElaboratedNetwork network)
        {
            var aux = network.AuxOutputs.Select(a => a.Name).ToList();
            return network.Ops.Where(op => !aux.Any(a => op.Path == a || op.Path.StartsWith(a + ".", StringComparison.Ordinal))).ToList();
        }

        /// <summary>The ops grouped by the first <paramref name="depth"/> segments of their paths, in execution order. A
        /// group that comes back after another started (a shared module applied again) does not run once.</summary>
        private static List<Unit> Group(IReadOnlyList<ElaboratedOp> ops, int depth)
        {
            var units = new List<Unit>();
            var seen = new Dictionary<string, Unit>(StringComparer.Ordinal);
            foreach (var op in ops)
            {
                var segments = op.Path.Split('.');
                var key = string.Join(".", segments.Take(Math.Min(depth, segments.Length)));
                // A merge without a module of its own (a dense block's concatenation) ends the unit before it.
                if (units.Count > 0 && (units[units.Count - 1].Path == key || Anonymous(key))) { units[units.Count - 1].Ops.Add(op); continue; }
                var unit = new Unit(key);
                unit.Ops.Add(op);
                if (seen.TryGetValue(key, out var earlier)) { earlier.RunsOnce = false; unit.RunsOnce = false; }
                seen[key] = unit;
                units.Add(unit);
            }
            return units;
        }

        /// <summary>A container unit whose children end at more than one reduction stands for its children (each
        /// expanded in turn); any other unit stands for itself.</summary>
        private static IEnumerable<Unit> Expand(Unit unit) => Expand(unit, unit.Path.Split('.').Length);

        private static IEnumerable<Unit> Expand(Unit unit, int depth)
        {
            var children = Chain(unit, depth);
            if (children == null) return new[] { unit };
            // Worth it when the children reach more than one new resolution (a transition that pools at its end does not).
            var input = unit.Ops[0].Inputs.Length > 0 ? unit.Ops[0].Inputs[0] : null;
            if (children.Select(c => (c.Output.Flat, c.Output.Height)).Where(h => input == null || h != (input.Flat, input.Height)).Distinct().Count() < 2)
                return new[] { unit };
            return children.SelectMany(c => Expand(c, depth + 1));
        }

        /// <summary>The children of a container unit that runs them one after another; null for a layer, a container of
        /// parallel branches (they start from one and the same input), or a unit that runs more than once.</summary>
        private static List<Unit>? Chain(Unit unit, int depth)
        {
            if (depth >= MaxDepth || !unit.RunsOnce || unit.Ops.Any(op => op.Path.Split('.').Length <= depth && !Anonymous(op.Path))) return null;
            var children = Group(unit.Ops, depth + 1);
            var starts = new List<Feature>();
            foreach (var child in children)
            {
                if (child.Ops[0].Inputs.Any(f => starts.Any(st => ReferenceEquals(st, f)))) return null;
                starts.AddRange(child.Ops[0].Inputs);
            }
            return children;
        }

        /// <summary>True when <paramref name="statement"/> is a plain statement of the body that registers the one
        /// top-level module <paramref name="path"/>: a layer or block applied (unlabelled: a positional name), or a
        /// labelled application or chain.</summary>
        private static bool Registers(BoundProgram program, StatementSyntax statement, string path) => statement switch
        {
            ExprStmt es => !(es.Expression is SharedRefExpr) && BodyForms.IsApplication(program, es.Expression) && path.All(char.IsDigit),
            LabeledStmt l => l.Name.IsStatic && l.Name.StaticText == path && l.Statement switch
            {
                ExprStmt inner => !(inner.Expression is SharedRefExpr) && BodyForms.IsApplication(program, inner.Expression),
                GroupStmt g => g.Body.Statements.All(x => x is ExprStmt e && !(e.Expression is SharedRefExpr) && BodyForms.IsApplication(program, e.Expression)
                    || x is LabeledStmt inner && inner.Statement is ExprStmt ie && !(ie.Expression is SharedRefExpr) && BodyForms.IsApplication(program, ie.Expression)),
                _ => false,
            },
            _ => false,
        };
    }
}
