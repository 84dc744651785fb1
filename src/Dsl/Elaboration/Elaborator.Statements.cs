// Elaborator: statements - labels, bodies, loops, residuals, merges, splits and dense blocks.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Elaboration
{
    public sealed partial class Elaborator
    {
        // ------------------------------------------------------------ statements

        private IReadOnlyDictionary<string, (Value Value, TextSpan Span, string Path)>? _given;

        /// <summary><c>choice(p: [...])</c> / <c>slimmable(p: [...])</c>: the parameter's value must be one of the
        /// listed ones; reported where the value was given (a variant's argument) or else at the statement.</summary>
        private void CheckDomain(CallExpr call, Env env, Feature x, Frame frame)
        {
            var name = call.Arguments[0].Name!;
            if (!(Eval(call.Arguments[0].Value, env, x, frame.File) is ListValue allowed)) return;
            var problem = ParameterDomains.Violation(call.Callee, name, env.Lookup(name)!, allowed.Items);
            if (problem == null) return;
            if (_given != null && _given.TryGetValue(name, out var given) && given.Span.Length > 0)
                throw Fail(DiagnosticCatalogue.InvalidValue, given.Path, given.Span, problem);
            throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, call.Span, problem);
        }

        private Feature Run(StatementSyntax s, Feature x, Env env, Container c, Frame frame)
        {
            Charge(WorkKind.ExpressionSteps, frame.File.Path, s.Span);
            try
            {
                return RunStatement(s, x, env, c, frame);
            }
            catch (OverflowException)
            {
                // Shapes, channel sums and receptive fields are checked; the statement that overflowed is the place.
                throw Overflow(frame.File.Path, s.Span, "A size, channel count or receptive field overflows");
            }
        }

        private Feature RunStatement(StatementSyntax s, Feature x, Env env, Container c, Frame frame)
        {
            switch (s)
            {
                case ExprStmt domain when domain.Expression is CallExpr dc && ParameterDomains.IsDomain(dc.Callee) && env.Lookup(dc.Callee) == null:
                    CheckDomain(dc, env, x, frame);
                    return x;
                case ErrorStmt _:
                case InputStmt _:
                    throw new Abort();
                case LetStmt let:
                    env.Define(let.Name, Eval(let.Value, env, x, frame.File));
                    return x;
                case AssignStmt assign:
                    env.Define(assign.Name, new TensorValue(EvalTensor(assign.Value, x, env, c, frame)));
                    return x;
                case OutputStmt output:
                {
                    // A named output: the current tensor or the value, bound under its name as 'name = …' would.
                    var y = output.Value == null ? x : EvalTensor(output.Value, x, env, c, frame);
                    env.Define(output.Name, new TensorValue(y));
                    _outputs.Add((output.Name, y));
                    return x;
                }
                case IndexedAssignStmt indexed:
                {
                    var key = Interpolate(indexed.Name, env, x, frame);
                    frame.Tensors[key] = EvalTensor(indexed.Value, x, env, c, frame);
                    return x;
                }
                case LabeledStmt labeled:
                {
                    var name = Interpolate(labeled.Name, env, x, frame);
                    if (labeled.Statement is AuxStmt aux)
                    {
                        var y = RunLabeled(labeled.Name, name, aux.Body, x, env, c, frame);
                        _aux.Add((frame.Path + name, y));
                        return x;
                    }
                    return RunLabeled(labeled.Name, name, labeled.Statement, x, env, c, frame);
                }
                case ExprStmt es:
                    if (IsApplication(es.Expression)) return Apply(es.Expression, null, default, x, env, c, frame);
                    return EvalTensor(es.Expression, x, env, c, frame);
                case GroupStmt g:
                    return RunBody(g.Body, x, new Env(env), c, frame);
                case IfStmt ifs:
                    if (AsBool(Eval(ifs.Condition, env, x, frame.File), ifs.Condition, frame.File))
                        return RunBody(ifs.Then, x, new Env(env), c, frame);
                    return ifs.Else == null ? x : Run(ifs.Else, x, new Env(env), c, frame);
                case RepeatStmt rep:
                {
                    long n = AsInt(Eval(rep.Count, env, x, frame.File), rep.Count, frame.File);
                    if (n < 0) throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, rep.Count.Span, "A repeat count must not be negative (it is " + n + ")");
                    for (long i = 0; i < n; i++)
                    {
                        Charge(WorkKind.LoopIterations, frame.File.Path, rep.Count.Span);
                        var inner = new Env(env);
                        if (rep.Variable != null) inner.Define(rep.Variable, new IntValue(i));
                        var before = x;
                        x = InIteration(new Iteration(rep.Variable, new IntValue(i), i, n), () => RunBody(rep.Body, before, inner, c, frame));
                    }
                    return x;
                }
                case ForStmt f:
                {
                    var items = Iterate(f.Source, env, x, frame);
                    long k = 0;
                    foreach (var item in items)
                    {
                        Charge(WorkKind.LoopIterations, frame.File.Path, f.Source.Span);
                        var inner = new Env(env);
                        inner.Define(f.Variable, item);
                        var before = x;
                        x = InIteration(new Iteration(f.Variable, item, k++, items.Count), () => RunBody(f.Body, before, inner, c, frame));
                    }
                    return x;
                }
                case ResidualStmt r: return RunResidual(r, x, env, c, frame);
                case MergeStmt m: return RunMerge(m, x, env, c, frame);
                case SplitStmt sp: return RunSplit(sp, x, env, c, frame);
                case DenseStmt d: return RunDense(d, x, env, c, frame);
                case AuxStmt a:
                {
                    var y = Run(a.Body, x, new Env(env), c, frame);
                    _aux.Add((frame.Path + "aux" + _aux.Count.ToString(CultureInfo.InvariantCulture), y));
                    return x;
                }
            }
            throw new Abort();
        }

        private Feature RunLabeled(NameSpec nameSyntax, string name, StatementSyntax inner, Feature x, Env env, Container c, Frame frame)
        {
            if (inner is ExprStmt es && IsApplication(es.Expression))
                return Apply(es.Expression, name, nameSyntax.Span, x, env, c, frame);
            var path = NewChild(c, name, nameSyntax.Span, frame);
            return Run(inner, x, new Env(env), new Container(path + "."), frame);
        }

        private Feature RunBody(BodySyntax body, Feature x, Env env, Container c, Frame frame)
        {
            foreach (var s in body.Statements) x = Run(s, x, env, c, frame);
            return x;
        }

        /// <summary>A loop's iterations: its body with the environment of each (the loop variable defined).</summary>
        private List<(BodySyntax Body, Env Env, Iteration Iteration)> Iterations(StatementSyntax loop, Env env, Feature x, Frame frame)
        {
            var result = new List<(BodySyntax, Env, Iteration)>();
            if (loop is RepeatStmt rep)
            {
                long n = AsInt(Eval(rep.Count, env, x, frame.File), rep.Count, frame.File);
                if (n < 0) throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, rep.Count.Span, "A repeat count must not be negative (it is " + n + ")");
                if (n > MaxOps) throw Fail(DiagnosticCatalogue.TooLarge, frame.File.Path, rep.Count.Span, "This repeat has more than " + MaxOps + " iterations");
                for (long i = 0; i < n; i++)
                {
                    Charge(WorkKind.LoopIterations, frame.File.Path, rep.Count.Span);
                    var inner = new Env(env);
                    if (rep.Variable != null) inner.Define(rep.Variable, new IntValue(i));
                    result.Add((rep.Body, inner, new Iteration(rep.Variable, new IntValue(i), i, n)));
                }
                return result;
            }
            var f = (ForStmt)loop;
            var items = Iterate(f.Source, env, x, frame);
            for (int k = 0; k < items.Count; k++)
            {
                Charge(WorkKind.LoopIterations, frame.File.Path, f.Source.Span);
                var inner = new Env(env);
                inner.Define(f.Variable, items[k]);
                result.Add((f.Body, inner, new Iteration(f.Variable, items[k], k, items.Count)));
            }
            return result;
        }

        private IReadOnlyList<Value> Iterate(ExprSyntax source, Env env, Feature x, Frame frame)
        {
            if (source is RangeExpr range)
            {
                long from = AsInt(Eval(range.From, env, x, frame.File), range.From, frame.File);
                long to = AsInt(Eval(range.To, env, x, frame.File), range.To, frame.File);
                if (ArchMath.RangeLength(from, to) > MaxOps) throw Fail(DiagnosticCatalogue.TooLarge, frame.File.Path, source.Span, "This range has more than " + MaxOps + " items");
                var list = new List<Value>();
                for (long i = from; i < to; i++) list.Add(new IntValue(i));
                return list;
            }
            var v = Eval(source, env, x, frame.File);
            if (v is ListValue l) return l.Items;
            throw Fail(DiagnosticCatalogue.TypeMismatch, frame.File.Path, source.Span, "'for' needs a list or a range, not " + v.Display);
        }

        /// <summary>A residual's projection shortcut applied to <paramref name="x"/>; x itself when there is none or its
        /// condition is false.</summary>
        private Feature RunShortcut(ShortcutSyntax? sc, Feature x, Env env, Container c, Frame frame)
        {
            if (sc == null || sc.Body == null || (sc.Condition != null && !AsBool(Eval(sc.Condition, env, x, frame.File), sc.Condition, frame.File)))
                return x;
            if (sc.Name == null) return RunBody(sc.Body, x, new Env(env), c, frame);
            var name = Interpolate(sc.Name, env, x, frame);
            var path = NewChild(c, name, sc.Name.Span, frame);
            return RunBody(sc.Body, x, new Env(env), new Container(path + "."), frame);
        }

        private Feature RunResidual(ResidualStmt r, Feature x, Env env, Container c, Frame frame)
        {
            bool active = r.Condition == null || AsBool(Eval(r.Condition, env, x, frame.File), r.Condition, frame.File);
            var sc = r.Shortcut;
            // The projection's modules join the container before the body's when the clause is written first.
            var shortcut = active && r.ShortcutFirst ? RunShortcut(sc, x, env, c, frame) : x;
            var y = RunBody(r.Body, x, new Env(env), c, frame);
            if (!active) return y;
            if (!r.ShortcutFirst) shortcut = RunShortcut(sc, x, env, c, frame);
            if (sc != null && sc.Kind == ShortcutKind.ZeroPad)
            {
                if (shortcut.Channels > y.Channels)
                    throw Fail(DiagnosticCatalogue.ChannelMismatch, frame.File.Path, sc.Span, "residual (zero-padded shortcut)", y.Channels, shortcut.Channels);
                if (shortcut.Channels < y.Channels)
                {
                    var padded = shortcut with { Channels = y.Channels };
                    Record(frame.Path + "(zeropad)", OpKind.ZeroPad, null, ImmutableArray.Create(shortcut), padded, frame, sc.Span);
                    shortcut = padded;
                }
            }
            CheckSameShape(y, shortcut, "residual", frame, r.Span, allowBroadcast: false);
            var output = y with { Field = Math.Max(y.Field, shortcut.Field) };
            Record(frame.Path + "(add)", OpKind.Add, null, ImmutableArray.Create(y, shortcut), output, frame, r.Span);
            return output;
        }

        private void CheckSameShape(Feature a, Feature b, string what, Frame frame, TextSpan span, bool allowBroadcast)
        {
            if (a.Flat != b.Flat || a.ChannelsLast != b.ChannelsLast)
                throw Fail(DiagnosticCatalogue.SpatialMismatch, frame.File.Path, span, what, a.ToString(), b.ToString());
            bool channelsOk = a.Channels == b.Channels || (allowBroadcast && (a.Channels == 1 || b.Channels == 1));
            if (!channelsOk) throw Fail(DiagnosticCatalogue.ChannelMismatch, frame.File.Path, span, what, a.Channels, b.Channels);
            if (a.Flat) return;
            bool hOk = a.Height == b.Height || (allowBroadcast && (a.Height == 1 || b.Height == 1));
            bool wOk = a.Width == b.Width || (allowBroadcast && (a.Width == 1 || b.Width == 1));
            if (!hOk || !wOk)
                throw Fail(DiagnosticCatalogue.SpatialMismatch, frame.File.Path, span, what, a.Height + "x" + a.Width, b.Height + "x" + b.Width);
        }

        private Feature Broadcast(Feature a, Feature b) => a with
        {
            Channels = Math.Max(a.Channels, b.Channels),
            Height = Math.Max(a.Height, b.Height),
            Width = Math.Max(a.Width, b.Width),
            Field = Math.Max(a.Field, b.Field),
            Jump = Math.Max(a.Jump, b.Jump),
        };

        private Feature RunMerge(MergeStmt m, Feature x, Env env, Container c, Frame frame)
        {
            var outputs = new List<Feature>();
            foreach (var branch in m.Branches.Statements)
            {
                // A loop among the branches contributes one branch per iteration (a clique layer sums over its peers).
                if (branch is ForStmt || branch is RepeatStmt)
                    foreach (var (body, inner, label) in Iterations(branch, env, x, frame)) outputs.Add(InIteration(label, () => RunBody(body, x, inner, c, frame)));
                else outputs.Add(Run(branch, x, new Env(env), c, frame));
            }
            if (outputs.Count == 0) throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, m.Span, "A merge needs at least one branch");
            return Combine(m.Kind, outputs, frame, m.Span);
        }

        private Feature Combine(MergeKind kind, List<Feature> outputs, Frame frame, TextSpan span)
        {
            var result = outputs[0];
            string what = kind.ToString().ToLowerInvariant();
            if (kind == MergeKind.Concat && outputs.Find(o => o.ChannelsLast) is { } last)
                throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, span, "'concat' joins channels-first maps but gets the channels-last " + last + "; add 'channels_first' first");
            for (int i = 1; i < outputs.Count; i++)
            {
                var o = outputs[i];
                if (kind == MergeKind.Concat)
                {
                    if (result.Flat != o.Flat || (!o.Flat && (result.Height != o.Height || result.Width != o.Width)))
                        throw Fail(DiagnosticCatalogue.SpatialMismatch, frame.File.Path, span, what, Size(result), Size(o));
                    result = result with { Channels = checked(result.Channels + o.Channels), Field = Math.Max(result.Field, o.Field), Jump = Math.Max(result.Jump, o.Jump) };
                }
                else
                {
                    CheckSameShape(result, o, what, frame, span, allowBroadcast: kind == MergeKind.Mul);
                    result = Broadcast(result, o);
                }
            }
            if (outputs.Count > 1)
                Record(frame.Path + "(" + what + ")", kind == MergeKind.Concat ? OpKind.Concat : kind == MergeKind.Add ? OpKind.Add : OpKind.Mul,
                    null, outputs.ToImmutableArray(), result, frame, span);
            return result;
        }

        private static string Size(Feature f) => f.Flat ? "flat" : f.Height + "x" + f.Width;

        private Feature RunSplit(SplitStmt sp, Feature x, Env env, Container c, Frame frame)
        {
            var branches = sp.Branches.Statements;
            if (branches.Length == 0) throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, sp.Span, "'split' needs at least one branch");
            if (x.ChannelsLast)
                throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, sp.Span, "'split' cuts channels-first maps but gets the channels-last " + x + "; add 'channels_first' first");
            if (x.Flat || x.Channels % branches.Length != 0)
                throw Fail(DiagnosticCatalogue.SplitDoesNotDivide, frame.File.Path, sp.Span, x.Channels, branches.Length);
            var chunk = x with { Channels = x.Channels / branches.Length };
            _splits.Add((chunk, x));
            var outputs = new List<Feature>();
            foreach (var b in branches) outputs.Add(Run(b, chunk, new Env(env), c, frame));
            return Combine(MergeKind.Concat, outputs, frame, sp.Span);
        }

        private Feature RunDense(DenseStmt d, Feature x, Env env, Container c, Frame frame)
        {
            var loop = d.Loop;
            long n = AsInt(Eval(loop.Count, env, x, frame.File), loop.Count, frame.File);
            if (n < 0) throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, loop.Count.Span, "A repeat count must not be negative (it is " + n + ")");
            var features = new List<Feature> { x };
            var all = x;
            for (long i = 0; i < n; i++)
            {
                Charge(WorkKind.LoopIterations, frame.File.Path, loop.Count.Span);
                var inner = new Env(env);
                if (loop.Variable != null) inner.Define(loop.Variable, new IntValue(i));
                var input = all;
                var y = InIteration(new Iteration(loop.Variable, new IntValue(i), i, n), () => RunBody(loop.Body, input, inner, c, frame));
                features.Add(y);
                all = Combine(MergeKind.Concat, new List<Feature> { all, y }, frame, d.Span);
            }
            return all;
        }
    }
}
