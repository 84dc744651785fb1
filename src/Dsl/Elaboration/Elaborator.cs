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
    /// <summary>Evaluates a network with concrete arguments into the ordered list of layers it runs, each with
    /// its state-dict path and shapes. The first error in a network stops its elaboration (shapes after it
    /// would be meaningless); errors in other networks are still found.</summary>
    public sealed class Elaborator
    {
        private const int MaxOps = ReliabilityLimits.MaxLayersPerNetwork;
        private const int MaxDepth = ReliabilityLimits.MaxBlockDepth;

        private readonly BoundProgram _program;
        private readonly DiagnosticBag _diagnostics;
        private readonly WorkBudget _budget;
        private readonly List<ElaboratedOp> _ops = new List<ElaboratedOp>();
        private readonly List<(string, Feature)> _aux = new List<(string, Feature)>();
        private readonly List<(Feature, Feature)> _splits = new List<(Feature, Feature)>();
        private int _depth;

        private sealed class Abort : Exception { }

        private Elaborator(BoundProgram program, DiagnosticBag diagnostics, WorkBudget budget)
        {
            _program = program;
            _diagnostics = diagnostics;
            _budget = budget;
        }

        /// <summary>Elaborates <paramref name="network"/> with named arguments (others take their defaults).
        /// <paramref name="inputOverride"/> replaces the declared input size. Null when an error was reported.</summary>
        public static ElaboratedNetwork? Elaborate(BoundProgram program, DefinitionSymbol network, string name, string? reference,
            IReadOnlyDictionary<string, (Value Value, TextSpan Span, string Path)> arguments, Feature? inputOverride,
            DiagnosticBag diagnostics, WorkBudget budget, VariantSymbol? variant = null)
        {
            var e = new Elaborator(program, diagnostics, budget);
            if (variant != null) e._variant = (variant, VariantContext(program, variant));
            try
            {
                return e.Run(network, name, reference, arguments, inputOverride);
            }
            catch (Abort)
            {
                return null;
            }
        }

        /// <summary>Evaluates an expression with no enclosing definition (a variant's argument). Null after an error.</summary>
        public static Value? EvaluateConstant(BoundProgram program, ExprSyntax expression, ParsedFile file, DiagnosticBag diagnostics, WorkBudget budget)
        {
            var e = new Elaborator(program, diagnostics, budget);
            try
            {
                return e.Eval(expression, new Env(null), new Feature(0, 0, 0, false, 1, 1), file);
            }
            catch (Abort)
            {
                return null;
            }
        }

        /// <summary>The values <paramref name="network"/>'s parameters take with <paramref name="arguments"/> given and the
        /// rest defaulted: what <see cref="ElaboratedNetwork.Arguments"/> holds after elaborating it with them, without
        /// elaborating its body. Null where they do not evaluate; nothing is reported (elaborating reports it).</summary>
        public static ImmutableDictionary<string, Value>? Arguments(BoundProgram program, DefinitionSymbol network,
            IReadOnlyDictionary<string, (Value Value, TextSpan Span, string Path)> arguments, WorkBudget budget)
        {
            var e = new Elaborator(program, new DiagnosticBag(), budget);
            try
            {
                return e.BindParameters(network, arguments.ToDictionary(a => a.Key, a => (a.Value.Value, a.Value.Span)),
                    new Env(null), new Feature(0, 0, 0, false, 1, 1), network.File.Path, network.Syntax.NameSpan, collect: true);
            }
            catch (Abort)
            {
                return null;
            }
            catch (OverflowException)
            {
                return null;
            }
        }

        private ElaboratedNetwork Run(DefinitionSymbol network, string name, string? reference,
            IReadOnlyDictionary<string, (Value Value, TextSpan Span, string Path)> arguments, Feature? inputOverride)
        {
            var frame = new Frame(network, "");
            var env = new Env(null);
            _given = arguments;
            var args = BindParameters(network, arguments.ToDictionary(a => a.Key, a => (a.Value.Value, a.Value.Span)),
                env, new Feature(0, 0, 0, false, 1, 1), network.File.Path, network.Syntax.NameSpan, collect: true)!;
            var statements = network.Syntax.Body.Statements;
            var input = statements.FirstOrDefault() as InputStmt;
            if (input == null)
                throw Fail(DiagnosticCatalogue.InputDeclaration, network.File.Path, network.Syntax.NameSpan, "Network '" + network.Name + "' needs an input declaration such as 'input 3x224x224'");
            var zero = new Feature(0, 0, 0, false, 1, 1);
            var dims = input.Dimensions.Select(d => AsInt(Eval(d, env, zero, network.File), d, network.File)).ToList();
            if (dims.Count != 3) throw Fail(DiagnosticCatalogue.InputDeclaration, network.File.Path, input.Span, "'input' takes three sizes, channels x height x width");
            if (dims.Any(d => d < 1)) throw Fail(DiagnosticCatalogue.InputDeclaration, network.File.Path, input.Span, "Input sizes must be at least 1");
            var x = inputOverride ?? new Feature(dims[0], dims[1], dims[2], false, 1, 1);
            var start = x;
            var container = new Container("");
            foreach (var s in statements.Skip(1)) x = Run(s, x, env, container, frame);
            return new ElaboratedNetwork(name, network, reference, start, x, _ops.ToImmutableArray(), _aux.ToImmutableArray(), args)
            {
                Splits = _splits.ToImmutableArray(),
            };
        }

        // ------------------------------------------------------------ environment

        /// <summary>Construction-time values in scope.</summary>
        private sealed class Env
        {
            private readonly ScopeChain<Value> _values;
            public Env(Env? parent) { _values = new ScopeChain<Value>(parent?._values); }
            public Value? Lookup(string name) => _values.Lookup(name);
            public void Define(string name, Value value) => _values.Declare(name, value);
        }

        /// <summary>A container being filled: children are named <c>Prefix + name</c>, unnamed ones by their index.</summary>
        private sealed class Container
        {
            public Container(string prefix) { Prefix = prefix; }
            public string Prefix { get; }
            public int Count { get; set; }
            public HashSet<string> Names { get; } = new HashSet<string>(StringComparer.Ordinal);
        }

        /// <summary>One block or network instance: its file and the modules it declared by name (for <c>@name</c>).</summary>
        private sealed class Frame
        {
            public Frame(DefinitionSymbol definition, string path) { Definition = definition; Path = path; }
            public DefinitionSymbol Definition { get; }
            public string Path { get; }
            public ParsedFile File => Definition.File;
            public Dictionary<string, ElaboratedOp> Named { get; } = new Dictionary<string, ElaboratedOp>(StringComparer.Ordinal);
            /// <summary>Tensors bound under interpolated names (<c>x{i} = …</c>): visible to the end of the definition.</summary>
            public Dictionary<string, Feature> Tensors { get; } = new Dictionary<string, Feature>(StringComparer.Ordinal);
        }

        private string NewChild(Container c, string? name, TextSpan span, Frame frame)
        {
            string key = name ?? c.Count.ToString(CultureInfo.InvariantCulture);
            if (!c.Names.Add(key))
                throw Fail(DiagnosticCatalogue.DuplicateName, frame.File.Path, span, key, "in this container (" + (c.Prefix.Length == 0 ? "the top level" : c.Prefix.TrimEnd('.')) + ")");
            c.Count++;
            return c.Prefix + key;
        }

        private Abort Fail(DiagnosticDescriptor d, string path, TextSpan span, params object[] args)
        {
            _diagnostics.ReportIn(Context(path, span), d, path, span, args);
            return new Abort();
        }

        // ------------------------------------------------------------ where an error happened

        /// <summary>A block instance being elaborated: its module path, its block, and the application that made it.</summary>
        private sealed record Instance(string Path, string Block, ParsedFile File, TextSpan Site);

        /// <summary>Block instances being elaborated, outermost first.</summary>
        private readonly List<Instance> _instances = new List<Instance>();

        /// <summary>One iteration of a loop or comprehension: its variable (null for a <c>repeat</c> without one) and
        /// value, its index and the number of iterations. Formatted only when a diagnostic needs it.</summary>
        private readonly record struct Iteration(string? Variable, Value Value, long Index, long Count)
        {
            public override string ToString() => Variable != null ? Variable + " = " + Value.Display
                : "iteration " + (Index + 1).ToString(CultureInfo.InvariantCulture) + " of " + Count.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>Loop iterations being elaborated, outermost first (<c>i = 3</c>).</summary>
        private readonly List<Iteration> _iterations = new List<Iteration>();

        /// <summary>The module path of the layer being configured (its arguments checked, its shape found); null between layers.</summary>
        private string? _layerPath;

        /// <summary>The variant being elaborated and how the context names it; null for a network with its defaults.</summary>
        private (VariantSymbol Symbol, string Text)? _variant;

        /// <summary>What a diagnostic's place alone does not say, written after its message in brackets: the instance
        /// (module path, block and the call sites that made it, innermost first) when the place is in a block's body
        /// that several instances share, the loop iterations, and the variant (its row among its network's variants).
        /// The variant is not named for a place in its own declaration (its argument names it already). Empty when there
        /// is none of these.</summary>
        private string Context(string path, TextSpan span)
        {
            var parts = new List<string>();
            if (_instances.Count > 0)
            {
                var sites = new List<string>();
                for (int k = _instances.Count - 1; k >= 0; k--)
                    sites.Add(_instances[k].Block + " applied at " + Locate(_instances[k].File, _instances[k].Site));
                parts.Add("in '" + (_layerPath ?? _instances[_instances.Count - 1].Path) + "' (" + string.Join(", in ", sites) + ")");
            }
            parts.AddRange(_iterations.Select(i => i.ToString()));
            if (_variant is var (variant, text) && !(path == variant.File.Path && variant.Syntax.Span.Contains(span))) parts.Add(text);
            return parts.Count == 0 ? "" : " [" + string.Join("; ", parts) + "]";
        }

        private static string Locate(ParsedFile file, TextSpan span)
        {
            var (line, column) = new LineMap(file.Text).Locate(span.Start);
            return file.Path + "(" + line.ToString(CultureInfo.InvariantCulture) + "," + column.ToString(CultureInfo.InvariantCulture) + ")";
        }

        /// <summary>"in variant V (row k of n of N, file(line,col))": the variant's place among the variants of its network.</summary>
        private static string VariantContext(BoundProgram program, VariantSymbol variant)
        {
            var rows = program.Variants.Where(v => ReferenceEquals(v.Target, variant.Target)).ToList();
            int row = rows.FindIndex(v => ReferenceEquals(v, variant)) + 1;
            return "in variant " + variant.Name + " (row " + row.ToString(CultureInfo.InvariantCulture) + " of " + rows.Count.ToString(CultureInfo.InvariantCulture)
                + " of '" + variant.Target!.Name + "', " + Locate(variant.File, variant.Syntax.NameSpan) + ")";
        }

        /// <summary>Runs <paramref name="body"/> as one loop iteration, which diagnostics name.</summary>
        private T InIteration<T>(Iteration iteration, Func<T> body)
        {
            _iterations.Add(iteration);
            try { return body(); }
            finally { _iterations.RemoveAt(_iterations.Count - 1); }
        }

        /// <summary>Spends work from the file's budget; where it runs out, ARCH0023 at <paramref name="span"/>.</summary>
        private void Charge(WorkKind kind, string path, TextSpan span, long amount = 1)
        {
            if (!_budget.TryCharge(kind, amount))
                throw Fail(DiagnosticCatalogue.TooLarge, path, span, WorkBudget.ExceededMessage(kind));
        }

        /// <summary>ARCH0018 for a result that does not fit in 64 bits.</summary>
        private Abort Overflow(string path, TextSpan span, string what = "Integer overflow") =>
            Fail(DiagnosticCatalogue.InvalidValue, path, span, what + ": the result does not fit in 64 bits");

        // ------------------------------------------------------------ parameters

        /// <summary>Defines each parameter of <paramref name="def"/> in <paramref name="env"/>; the values as a
        /// dictionary too when <paramref name="collect"/> (the network's own, kept in the result; a block's are not).</summary>
        private ImmutableDictionary<string, Value>? BindParameters(DefinitionSymbol def, Dictionary<string, (Value Value, TextSpan Span)> given,
            Env env, Feature x, string callerPath, TextSpan callSpan, bool collect = false)
        {
            var result = collect ? ImmutableDictionary.CreateBuilder<string, Value>(StringComparer.Ordinal) : null;
            foreach (var g in given)
            {
                if (def.IndexOf(g.Key) < 0)
                    throw Fail(DiagnosticCatalogue.UnknownParameter, callerPath, g.Value.Span, def.Name, g.Key);
            }
            foreach (var p in def.Parameters)
            {
                Value v;
                if (given.TryGetValue(p.Name, out var arg))
                {
                    v = Coerce(arg.Value, p.Type, callerPath, arg.Span, "'" + p.Name + "' of '" + def.Name + "'");
                }
                else if (p.Syntax.Default != null)
                {
                    v = Coerce(Eval(p.Syntax.Default, env, x, def.File), p.Type, def.File.Path, p.Syntax.Default.Span, "'" + p.Name + "'");
                }
                else
                    throw Fail(DiagnosticCatalogue.ArgumentCount, callerPath, callSpan, "'" + def.Name + "' needs '" + p.Name + "'");
                env.Define(p.Name, v);
                if (result != null) result[p.Name] = v;
            }
            return result?.ToImmutable();
        }

        private Value Coerce(Value v, ArchType type, string path, TextSpan span, string what)
        {
            if (type.Kind == TypeKind.Float && v is IntValue i) return new FloatValue(i.Value);
            if (type.Kind == TypeKind.List && v is ListValue l)
                return new ListValue(l.Items.Select(item => Coerce(item, type.Element!, path, span, what)).ToImmutableArray());
            if (type.IsError || Matches(v, type)) return v;
            throw Fail(DiagnosticCatalogue.TypeMismatch, path, span, what + " is " + type + ", not " + v.Display);
        }

        private static bool Matches(Value v, ArchType t) => t.Kind switch
        {
            TypeKind.Int => v is IntValue,
            TypeKind.Float => v is FloatValue || v is IntValue,
            TypeKind.Bool => v is BoolValue,
            TypeKind.String => v is StringValue,
            TypeKind.Block => v is BlockValue,
            TypeKind.List => v is ListValue l && l.Items.All(i => Matches(i, t.Element!)),
            TypeKind.Tensor => v is TensorValue,
            _ => true,
        };

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

        // ------------------------------------------------------------ module applications

        /// <summary>Whether the statement expression <paramref name="e"/> applies a module (the binder decided).</summary>
        private bool IsApplication(ExprSyntax e) => e is SharedRefExpr || e is IndexedSharedRefExpr || _program.CallOf(e) != null;

        private Feature Apply(ExprSyntax e, string? name, TextSpan nameSpan, Feature x, Env env, Container c, Frame frame)
        {
            if (_ops.Count > MaxOps)
                throw Fail(DiagnosticCatalogue.TooLarge, frame.File.Path, e.Span, "The network has more than " + MaxOps + " layers");
            if (e is SharedRefExpr shared) return ApplyShared(shared.Name, shared.Span, x, frame);
            if (e is IndexedSharedRefExpr indexedShared) return ApplyShared(Interpolate(indexedShared.Name, env, x, frame), indexedShared.Span, x, frame);
            var call = _program.CallOf(e)!;
            var calleeSpan = call.CalleeSpan;
            var span = name != null ? nameSpan : calleeSpan;

            DefinitionSymbol? def = call.Definition;
            if (call.Kind == CalleeKind.BlockValue)
            {
                if (!(env.Lookup(call.Callee) is BlockValue bv)) throw Fail(DiagnosticCatalogue.UnknownCallee, frame.File.Path, calleeSpan, call.Callee);
                def = bv.Definition;
            }
            else if (call.Primitive != null)
            {
                _layerPath = c.Prefix + (name ?? c.Count.ToString(CultureInfo.InvariantCulture));
                var config = Configure(call, x, env, frame);
                var y = Shapes.Apply(config, x, out var problem, out var detail);
                if (y == null) throw ReportShapeProblem(call.Primitive.Name, config, x, problem, detail, frame, calleeSpan);
                _layerPath = null;
                if (name == null && Layers.LayerTable.Of(config.Kind).IsParameter)
                    throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, calleeSpan,
                        "'" + call.Primitive.Name + "' is a learnable tensor registered under its name: name it ('layer_scale: " + call.Primitive.Name + "(…)')");
                var path = NewChild(c, name, span, frame);
                var op = Record(path, OpKind.Layer, config, ImmutableArray.Create(x), y, frame, e.Span);
                if (name != null && c.Prefix == frame.Path) frame.Named[name] = op;
                return op.Output;
            }
            if (def == null) throw Fail(DiagnosticCatalogue.UnknownCallee, frame.File.Path, calleeSpan, call.Callee);
            if (def.IsNetwork) throw Fail(DiagnosticCatalogue.MisplacedStatement, frame.File.Path, calleeSpan, "'" + def.Name + "' is a network; only blocks can be applied inside a body");

            Charge(WorkKind.BlockApplications, frame.File.Path, calleeSpan);
            var given = EvaluateArguments(def, call.MatchTo(def), env, x, frame);
            var childPath = NewChild(c, name, span, frame);
            if (++_depth > MaxDepth)
                throw Fail(DiagnosticCatalogue.CyclicDefinition, frame.File.Path, calleeSpan, def.Name, "blocks nest more than " + MaxDepth + " deep");
            _instances.Add(new Instance(childPath, def.Name, frame.File, calleeSpan));
            try
            {
                var inner = new Frame(def, childPath + ".");
                var innerEnv = new Env(null);
                BindParameters(def, given, innerEnv, x, frame.File.Path, calleeSpan);
                var container = new Container(childPath + ".");
                foreach (var s in def.Syntax.Body.Statements) x = Run(s, x, innerEnv, container, inner);
                return x;
            }
            finally
            {
                _depth--;
                _instances.RemoveAt(_instances.Count - 1);
            }
        }

        private Feature ApplyShared(string sharedName, TextSpan sharedSpan, Feature x, Frame frame)
        {
            var shared = (Name: sharedName, Span: sharedSpan);
            if (!frame.Named.TryGetValue(shared.Name, out var original))
                throw Fail(DiagnosticCatalogue.SharedModule, frame.File.Path, shared.Span,
                    "'@" + shared.Name + "' must name a layer declared earlier in '" + frame.Definition.Name + "' as '" + shared.Name + ": …'");
            var config = original.Config!;
            var y = Shapes.Apply(config, x, out var problem, out var detail);
            if (y == null) throw ReportShapeProblem(shared.Name, config, x, problem, detail, frame, shared.Span);
            var before = original.Inputs[0];
            bool sameWeights = Primitives.HasState(config.Kind) ? before.Channels == x.Channels && before.Flat == x.Flat && (!x.Flat || before.Channels == x.Channels) : true;
            if (!sameWeights)
                throw Fail(DiagnosticCatalogue.SharedModule, frame.File.Path, shared.Span,
                    "'@" + shared.Name + "' was built for " + before.Channels + " input channels but gets " + x.Channels);
            return Record(original.Path, OpKind.Layer, config, ImmutableArray.Create(x), y, frame, shared.Span, shared: true).Output;
        }

        private Exception ReportShapeProblem(string layer, LayerConfig config, Feature x, Shapes.Problem problem, string detail, Frame frame, TextSpan span)
        {
            var path = frame.File.Path;
            switch (problem)
            {
                case Shapes.Problem.NeedsFlat:
                    return Fail(DiagnosticCatalogue.ChannelsMustBeFlat, path, span, layer, x.ToString());
                case Shapes.Problem.NeedsSpatial:
                    return Fail(DiagnosticCatalogue.InvalidValue, path, span, "'" + layer + "' needs a [C, H, W] input but gets the flat " + x);
                case Shapes.Problem.NeedsChannelsFirst:
                    return Fail(DiagnosticCatalogue.InvalidValue, path, span, "'" + layer + "' needs a channels-first input but gets the channels-last " + x + "; add 'channels_first' before it");
                case Shapes.Problem.Groups:
                {
                    var parts = detail.Split(':');
                    return Fail(DiagnosticCatalogue.GroupsDoNotDivide, path, span, config.Groups, parts[0], parts.Length > 1 ? parts[1] : "?");
                }
                case Shapes.Problem.Shrinks:
                    return Fail(DiagnosticCatalogue.SizeBelowOne, path, span, layer, x.ToString(), "less than 1x1");
                default:
                    return Fail(DiagnosticCatalogue.InvalidValue, path, span, detail);
            }
        }

        private ElaboratedOp Record(string path, OpKind kind, LayerConfig? config, ImmutableArray<Feature> inputs, Feature output, Frame frame, TextSpan span,
            bool shared = false, ScalarStep? scalar = null)
        {
            // A layer that keeps the shape returns its input feature; the op gets its own copy so that every
            // tensor is one object and consumers find their producer by reference (ElaboratedOp's contract).
            foreach (var i in inputs)
                if (ReferenceEquals(i, output)) { output = output with { }; break; }
            Charge(WorkKind.Layers, frame.File.Path, span);
            var op = new ElaboratedOp(path, kind, config, inputs, output, shared, frame.File.Path, span) { Scalar = scalar };
            _ops.Add(op);
            return op;
        }

        /// <summary>Evaluates the arguments a bound application gives a block, by parameter name; the first matching
        /// problem (a block-valued local holding a block these arguments do not fit) stops the network.</summary>
        private Dictionary<string, (Value, TextSpan)> EvaluateArguments(DefinitionSymbol def, ArgumentMatch match, Env env, Feature x, Frame frame)
        {
            if (!match.Fits)
                throw Fail(match.Problems[0].Descriptor, frame.File.Path, match.Problems[0].Span, match.Problems[0].Arguments.ToArray());
            var given = new Dictionary<string, (Value, TextSpan)>(StringComparer.Ordinal);
            for (int i = 0; i < def.Parameters.Length; i++)
            {
                var a = match.ByParameter[i];
                if (a != null) given[def.Parameters[i].Name] = (Eval(a.Value, env, x, frame.File), a.Value.Span);
            }
            return given;
        }

        private LayerConfig Configure(BoundCall call, Feature x, Env env, Frame frame)
        {
            var layer = call.Primitive!;
            if (!call.Match!.Fits)
                throw Fail(call.Match.Problems[0].Descriptor, frame.File.Path, call.Match.Problems[0].Span, call.Match.Problems[0].Arguments.ToArray());
            // One slot per parameter, in the layer's order (every layer is configured this way, so no dictionary).
            var values = new (Value Value, TextSpan Span)[layer.Parameters.Length];
            for (int k = 0; k < values.Length; k++)
            {
                var a = call.PrimitiveArguments[k];
                values[k] = a.Expression != null
                    ? (Eval(a.Expression, env, x, frame.File), a.Expression.Span)
                    : (a.Default switch
                    {
                        long l => new IntValue(l),
                        double d => new FloatValue(d),
                        bool b => new BoolValue(b),
                        _ => new IntValue(0),
                    }, call.CalleeSpan);
            }

            var arguments = new EvaluatedArguments(this, layer, values, frame.File);
            if (layer.IndexOf("bias_init") >= 0 && !double.IsNaN(arguments.Real("bias_init")) && !arguments.Flag("bias"))
                throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, arguments.Span("bias_init"), "'bias_init' needs a bias ('bias: false' removes it)");
            var rule = Layers.LayerTable.Of(layer.Kind);
            var config = rule.Configure(arguments, x);
            if (rule.Check(config) is var (parameter, requirement, value))
                throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, arguments.Span(parameter),
                    layer.Name + ": " + parameter + " must be " + requirement + " (got " + value + ")");
            return config;
        }

        /// <summary>A primitive's evaluated arguments, one slot per parameter; a value of the wrong kind is
        /// reported at its argument.</summary>
        private sealed class EvaluatedArguments : Layers.LayerArguments
        {
            private readonly Elaborator _owner;
            private readonly PrimitiveLayer _layer;
            private readonly (Value Value, TextSpan Span)[] _values;
            private readonly ParsedFile _file;

            public EvaluatedArguments(Elaborator owner, PrimitiveLayer layer, (Value Value, TextSpan Span)[] values, ParsedFile file)
            {
                _owner = owner;
                _layer = layer;
                _values = values;
                _file = file;
            }

            private (Value Value, TextSpan Span) Get(string n) => _values[_layer.IndexOf(n)];

            public TextSpan Span(string n) => Get(n).Span;

            public override (long H, long W) Pair(string n)
            {
                var (v, span) = Get(n);
                if (v is IntValue i) return (i.Value, i.Value);
                if (v is ListValue l && l.Items.Length == 2 && l.Items.All(it => it is IntValue))
                    return (((IntValue)l.Items[0]).Value, ((IntValue)l.Items[1]).Value);
                throw _owner.Fail(DiagnosticCatalogue.TypeMismatch, _file.Path, span, "'" + n + "' takes an int or [h, w], not " + v.Display);
            }

            public override long Int(string n) => _owner.AsIntValue(Get(n).Value, Get(n).Span, _file);

            public override double Real(string n) => Get(n).Value is FloatValue f ? f.Value : Get(n).Value is IntValue i ? i.Value
                : throw _owner.Fail(DiagnosticCatalogue.TypeMismatch, _file.Path, Get(n).Span, "'" + n + "' takes a number, not " + Get(n).Value.Display);

            public override bool Flag(string n) => Get(n).Value is BoolValue b ? b.Value
                : throw _owner.Fail(DiagnosticCatalogue.TypeMismatch, _file.Path, Get(n).Span, "'" + n + "' takes a bool, not " + Get(n).Value.Display);
        }

        private string Interpolate(NameSpec name, Env env, Feature x, Frame frame)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var part in name.Parts)
            {
                if (part.Text != null) { sb.Append(part.Text); continue; }
                var v = Eval(part.Expression!, env, x, frame.File);
                if (v is IntValue i) sb.Append(i.Value.ToString(CultureInfo.InvariantCulture));
                else if (v is StringValue s) sb.Append(s.Value);
                else throw Fail(DiagnosticCatalogue.TypeMismatch, frame.File.Path, part.Span, "A name part must be an int or a string, not " + v.Display);
            }
            var text = sb.ToString();
            bool valid = text.Length > 0;
            foreach (char ch in text) valid &= Lexical.IsLabelPart(ch);
            if (!valid)
                throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, name.Span, "'" + text + "' is not a valid module name (letters, digits, '_' and '-' only)");
            return text;
        }

        // ------------------------------------------------------------ tensor expressions

        private Feature EvalTensor(ExprSyntax e, Feature x, Env env, Container c, Frame frame)
        {
            switch (e)
            {
                case NameExpr n:
                {
                    var v = env.Lookup(n.Name);
                    if (v is TensorValue t) return t.Feature;
                    if (v == null && n.Name == Builtins.Input) return x;
                    throw Fail(DiagnosticCatalogue.TensorMisuse, frame.File.Path, n.Span, "'" + n.Name + "' is not a tensor");
                }
                case IndexedNameExpr ine:
                {
                    // An interpolated name finds a tensor bound under it, or a plain binding of that name (x0 = input).
                    var key = Interpolate(ine.Name, env, x, frame);
                    if (frame.Tensors.TryGetValue(key, out var bound)) return bound;
                    if (env.Lookup(key) is TensorValue plain) return plain.Feature;
                    throw Fail(DiagnosticCatalogue.UnknownName, frame.File.Path, ine.Span, key);
                }
                case PipeExpr p:
                {
                    var y = EvalTensor(p.Source, x, env, c, frame);
                    foreach (var stage in p.Stages) y = Run(stage, y, env, c, frame);
                    return y;
                }
                case UnaryExpr u when u.Op == "-":
                {
                    var operand = EvalTensor(u.Operand, x, env, c, frame);
                    return Record(frame.Path + "(scale)", OpKind.Scale, null, ImmutableArray.Create(operand), operand, frame, u.Span,
                        scalar: new ScalarStep("*", -1.0, ConstantFirst: false)).Output;
                }
                case BinaryExpr b when b.Op == "*" || b.Op == "+" || b.Op == "-":
                {
                    bool lt = IsTensor(b.Left, env), rt = IsTensor(b.Right, env);
                    if (!lt && !rt) break;
                    Feature? l = lt ? EvalTensor(b.Left, x, env, c, frame) : (Feature?)null;
                    Feature? r = rt ? EvalTensor(b.Right, x, env, c, frame) : (Feature?)null;
                    var constant = !lt ? Eval(b.Left, env, x, frame.File) : !rt ? Eval(b.Right, env, x, frame.File) : null;
                    if (l != null && r != null)
                    {
                        CheckSameShape(l, r, b.Op == "*" ? "multiply" : b.Op == "+" ? "add" : "subtract", frame, b.Span, allowBroadcast: true);
                        var o = Broadcast(l, r);
                        Record(frame.Path + "(" + (b.Op == "*" ? "mul" : b.Op == "+" ? "add" : "sub") + ")", b.Op == "*" ? OpKind.Mul : OpKind.Add, null, ImmutableArray.Create(l, r), o, frame, b.Span);
                        return o;
                    }
                    var only = l ?? r!;
                    // Only a number is recorded as the step's constant; anything else leaves no step (ONNX refuses it).
                    ScalarStep? scalar = constant switch
                    {
                        IntValue i => new ScalarStep(b.Op, i.Value, ConstantFirst: !lt),
                        FloatValue f => new ScalarStep(b.Op, f.Value, ConstantFirst: !lt),
                        _ => null,
                    };
                    return Record(frame.Path + "(scale)", OpKind.Scale, null, ImmutableArray.Create(only), only, frame, b.Span, scalar: scalar).Output;
                }
            }
            throw Fail(DiagnosticCatalogue.TensorMisuse, frame.File.Path, e.Span, "This statement neither applies a layer nor computes a tensor");
        }

        private bool IsTensor(ExprSyntax e, Env env) => e switch
        {
            NameExpr n => env.Lookup(n.Name) is TensorValue || (env.Lookup(n.Name) == null && n.Name == Builtins.Input),
            PipeExpr _ => true,
            IndexedNameExpr _ => true,
            UnaryExpr u => IsTensor(u.Operand, env),
            BinaryExpr b => (b.Op == "*" || b.Op == "+" || b.Op == "-") && (IsTensor(b.Left, env) || IsTensor(b.Right, env)),
            _ => false,
        };

        // ------------------------------------------------------------ scalar expressions

        private long AsInt(Value v, ExprSyntax e, ParsedFile file) => AsIntValue(v, e.Span, file);

        private long AsIntValue(Value v, TextSpan span, ParsedFile file) => v is IntValue i ? i.Value
            : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, span, "Expected an int, not " + v.Display);

        private bool AsBool(Value v, ExprSyntax e, ParsedFile file) => v is BoolValue b ? b.Value
            : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, e.Span, "Expected a bool, not " + v.Display);

        private static double AsReal(Value v) => v is FloatValue f ? f.Value : v is IntValue i ? i.Value : double.NaN;

        private Value Eval(ExprSyntax e, Env env, Feature x, ParsedFile file)
        {
            Charge(WorkKind.ExpressionSteps, file.Path, e.Span);
            switch (e)
            {
                case IntLiteral i: return new IntValue(i.Value);
                case FloatLiteral f: return new FloatValue(f.Value);
                case BoolLiteral b: return new BoolValue(b.Value);
                case StringLiteral s: return new StringValue(s.Value);
                case NameExpr n:
                {
                    var v = env.Lookup(n.Name);
                    if (v != null) return v;
                    switch (n.Name)
                    {
                        case "in_channels": return new IntValue(x.Channels);
                        case "in_height": return new IntValue(x.Flat ? 1 : x.Height);
                        case "in_width": return new IntValue(x.Flat ? 1 : x.Width);
                    }
                    if (_program.Definitions.TryGetValue(n.Name, out var def)) return new BlockValue(def);
                    throw Fail(DiagnosticCatalogue.UnknownName, file.Path, n.Span, n.Name);
                }
                case ListExpr l: return EvalList(l, env, x, file);
                case UnaryExpr u:
                {
                    var v = Eval(u.Operand, env, x, file);
                    if (u.Op == "!") return new BoolValue(!AsBool(v, u.Operand, file));
                    if (v is IntValue iv)
                        return iv.Value == long.MinValue ? throw Overflow(file.Path, u.Span) : new IntValue(ArchMath.Negate(iv.Value));
                    if (v is FloatValue fv) return new FloatValue(-fv.Value);
                    throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, u.Span, "'-' needs a number, not " + v.Display);
                }
                case BinaryExpr b: return EvalBinary(b, env, x, file);
                case ConditionalExpr c:
                    return AsBool(Eval(c.Condition, env, x, file), c.Condition, file) ? Eval(c.WhenTrue, env, x, file) : Eval(c.WhenFalse, env, x, file);
                case IndexExpr ix:
                {
                    var target = Eval(ix.Target, env, x, file);
                    long index = AsInt(Eval(ix.Index, env, x, file), ix.Index, file);
                    if (!(target is ListValue list)) throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, ix.Target.Span, "Only lists can be indexed, not " + target.Display);
                    if (index < 0 || index >= list.Items.Length)
                        throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, ix.Index.Span, "Index " + index + " is outside the list of " + list.Items.Length + " items");
                    return list.Items[(int)index];
                }
                case CallExpr call: return EvalCall(call, env, x, file);
                case ComprehensionExpr co: return EvalComprehension(co, env, x, file);
            }
            throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, e.Span, "This expression has no scalar value");
        }

        // Apart from Eval: a lambda capturing Eval's parameters would cost an object on every Eval call.
        private Value EvalList(ListExpr l, Env env, Feature x, ParsedFile file)
        {
            return Homogeneous(l.Items.Select(item => Eval(item, env, x, file)).ToList());
        }

        /// <summary><c>[item for v in source if filter]</c>: one loop iteration of the file's budget per source item.</summary>
        private Value EvalComprehension(ComprehensionExpr co, Env env, Feature x, ParsedFile file)
        {
            IReadOnlyList<Value> source;
            if (co.Source is RangeExpr range)
            {
                long from = AsInt(Eval(range.From, env, x, file), range.From, file);
                long to = AsInt(Eval(range.To, env, x, file), range.To, file);
                ulong length = ArchMath.RangeLength(from, to);
                if (length > (ulong)MaxOps) throw Fail(DiagnosticCatalogue.TooLarge, file.Path, co.Source.Span, "This range has more than " + MaxOps + " items");
                Charge(WorkKind.LoopIterations, file.Path, co.Source.Span, (long)length);
                var ints = new List<Value>((int)length);
                for (long i = from; i < to; i++) ints.Add(new IntValue(i));
                source = ints;
            }
            else
            {
                var v = Eval(co.Source, env, x, file);
                if (!(v is ListValue l)) throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, co.Source.Span, "A comprehension runs over a list or a range, not " + v.Display);
                Charge(WorkKind.LoopIterations, file.Path, co.Source.Span, l.Items.Length);
                source = l.Items;
            }
            var items = new List<Value>();
            for (int k = 0; k < source.Count; k++)
            {
                var inner = new Env(env);
                inner.Define(co.Variable, source[k]);
                _iterations.Add(new Iteration(co.Variable, source[k], k, source.Count));
                try
                {
                    if (co.Filter != null && !AsBool(Eval(co.Filter, inner, x, file), co.Filter, file)) continue;
                    items.Add(Eval(co.Item, inner, x, file));
                }
                finally
                {
                    _iterations.RemoveAt(_iterations.Count - 1);
                }
            }
            return Homogeneous(items);
        }

        /// <summary>A list value; ints among floats become floats (a list is of one type).</summary>
        private static ListValue Homogeneous(List<Value> items)
        {
            if (items.Any(it => it is FloatValue) && items.All(it => it is FloatValue || it is IntValue))
                items = items.Select(it => it is IntValue iv ? new FloatValue(iv.Value) : it).ToList();
            return new ListValue(items.ToImmutableArray());
        }

        private Value EvalBinary(BinaryExpr b, Env env, Feature x, ParsedFile file)
        {
            if (b.Op == "&&" || b.Op == "||")
            {
                bool l = AsBool(Eval(b.Left, env, x, file), b.Left, file);
                if (b.Op == "&&" && !l) return new BoolValue(false);
                if (b.Op == "||" && l) return new BoolValue(true);
                return new BoolValue(AsBool(Eval(b.Right, env, x, file), b.Right, file));
            }
            var lv = Eval(b.Left, env, x, file);
            var rv = Eval(b.Right, env, x, file);
            if (b.Op == "==" || b.Op == "!=")
            {
                bool eq = (lv is IntValue || lv is FloatValue) && (rv is IntValue || rv is FloatValue) ? AsReal(lv) == AsReal(rv) : lv.Equals(rv);
                return new BoolValue(b.Op == "==" ? eq : !eq);
            }
            if (b.Op == "+" && lv is StringValue ls && rv is StringValue rs)
            {
                if ((long)ls.Value.Length + rs.Value.Length > ReliabilityLimits.MaxStringLength)
                    throw Fail(DiagnosticCatalogue.TooLarge, file.Path, b.Span, "This string would be longer than " + ReliabilityLimits.MaxStringLength + " characters");
                return new StringValue(ls.Value + rs.Value);
            }
            if (!(lv is IntValue || lv is FloatValue) || !(rv is IntValue || rv is FloatValue))
                throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, b.Span, "'" + b.Op + "' needs numbers, not " + lv.Display + " and " + rv.Display);
            if (lv is IntValue li && rv is IntValue ri)
            {
                long l = li.Value, r = ri.Value;
                try
                {
                    checked
                    {
                        switch (b.Op)
                        {
                            case "+": return new IntValue(ArchMath.Add(l, r));
                            case "-": return new IntValue(ArchMath.Subtract(l, r));
                            case "*": return new IntValue(ArchMath.Multiply(l, r));
                            case "/":
                                if (r == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                                return new IntValue(ArchMath.FloorDiv(l, r));
                            case "%":
                                if (r == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                                return new IntValue(ArchMath.FloorMod(l, r));
                            case "^":
                                if (r < 0) return new FloatValue(Math.Pow(l, r));
                                return new IntValue(ArchMath.Pow(l, r));
                            case "<": return new BoolValue(l < r);
                            case "<=": return new BoolValue(l <= r);
                            case ">": return new BoolValue(l > r);
                            case ">=": return new BoolValue(l >= r);
                        }
                    }
                }
                catch (OverflowException)
                {
                    throw Overflow(file.Path, b.Span);
                }
            }
            double a = AsReal(lv), c = AsReal(rv);
            switch (b.Op)
            {
                case "+": return Real(a + c, b, file);
                case "-": return Real(a - c, b, file);
                case "*": return Real(a * c, b, file);
                case "/":
                    if (c == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                    return Real(a / c, b, file);
                case "%":
                    if (c == 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, b.Span, "Division by zero");
                    return Real(a - Math.Floor(a / c) * c, b, file);
                case "^": return Real(Math.Pow(a, c), b, file);
                case "<": return new BoolValue(a < c);
                case "<=": return new BoolValue(a <= c);
                case ">": return new BoolValue(a > c);
                case ">=": return new BoolValue(a >= c);
            }
            throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, b.Span, "Unknown operator '" + b.Op + "'");
        }

        private Value Real(double v, ExprSyntax e, ParsedFile file)
        {
            if (double.IsNaN(v) || double.IsInfinity(v)) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, e.Span, "The result is not a finite number");
            return new FloatValue(v);
        }

        /// <summary>The sum of a list of numbers, or its prefix sums (<c>cumsum([1, 2, 3]) == [1, 3, 6]</c>); ints stay ints
        /// (an overflow is ARCH0018), floats add in order in double precision.</summary>
        private Value Sums(ListValue list, bool prefix, CallExpr call, ParsedFile file)
        {
            Charge(WorkKind.ExpressionSteps, file.Path, call.Span, list.Items.Length);
            bool ints = list.Items.All(v => v is IntValue);
            long total = 0;
            double real = 0;
            var sums = prefix ? new List<Value>(list.Items.Length) : null;
            foreach (var v in list.Items)
            {
                if (ints)
                {
                    try { total = checked(total + ((IntValue)v).Value); }
                    catch (OverflowException) { throw Overflow(file.Path, call.Span); }
                    sums?.Add(new IntValue(total));
                }
                else
                {
                    if (!(v is IntValue || v is FloatValue)) throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'" + call.Callee + "' takes a list of numbers");
                    real += AsReal(v);
                    if (double.IsInfinity(real)) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Span, "The result is not a finite number");
                    sums?.Add(new FloatValue(real));
                }
            }
            if (sums != null) return new ListValue(sums.ToImmutableArray());
            return ints ? new IntValue(total) : new FloatValue(real);
        }

        private Value EvalCall(CallExpr call, Env env, Feature x, ParsedFile file)
        {
            var args = call.Arguments.Select(a => Eval(a.Value, env, x, file)).ToList();
            if (!Builtins.Functions.TryGetValue(call.Callee, out var arity) || args.Count < arity.Min || args.Count > arity.Max)
                throw Fail(DiagnosticCatalogue.UnknownName, file.Path, call.CalleeSpan, call.Callee);
            if (call.Callee == "len")
                return args[0] is ListValue l ? new IntValue(l.Items.Length)
                    : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'len' takes a list");
            if (call.Callee == "sum" || call.Callee == "cumsum")
                return args[0] is ListValue items ? Sums(items, call.Callee == "cumsum", call, file)
                    : throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'" + call.Callee + "' takes a list");
            if (args.Any(a => !(a is IntValue || a is FloatValue)))
                throw Fail(DiagnosticCatalogue.TypeMismatch, file.Path, call.Span, "'" + call.Callee + "' takes numbers");
            var reals = args.Select(AsReal).ToList();
            long ToLong(double d)
            {
                if (!ArchMath.FitsLong(d)) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Span, "The result is out of range");
                return (long)d;
            }
            switch (call.Callee)
            {
                case "make_divisible":
                {
                    long d = args[1] is IntValue di ? di.Value : ToLong(reals[1]);
                    if (d <= 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[1].Span, "make_divisible needs a positive divisor, not " + args[1].Display);
                    if (reals[0] > 9e18) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Span, "The result is out of range");
                    return new IntValue(ArchMath.MakeDivisible(reals[0], d, args.Count > 2 ? ToLong(reals[2]) : (long?)null));
                }
                case "round": return new IntValue(ToLong(Math.Round(reals[0], MidpointRounding.ToEven)));
                case "ceil": return new IntValue(ToLong(Math.Ceiling(reals[0])));
                case "floor": return new IntValue(ToLong(Math.Floor(reals[0])));
                case "int": return new IntValue(ToLong(Math.Truncate(reals[0])));
                case "float": return new FloatValue(reals[0]);
                case "log":
                {
                    // Natural log, or to the base of the second argument (log(x) / log(base) in double precision, as
                    // Python's math.log(x, base)).
                    if (reals[0] <= 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[0].Span, "log needs a positive argument, not " + args[0].Display);
                    if (args.Count > 1 && (reals[1] <= 0 || reals[1] == 1))
                        throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[1].Span, "log's base must be positive and not 1, not " + args[1].Display);
                    return Real(args.Count > 1 ? ArchMath.Log(reals[0], reals[1]) : Math.Log(reals[0]), call, file);
                }
                case "exp": return Real(Math.Exp(reals[0]), call, file);
                case "sqrt":
                    if (reals[0] < 0) throw Fail(DiagnosticCatalogue.InvalidValue, file.Path, call.Arguments[0].Span, "sqrt needs a non-negative argument, not " + args[0].Display);
                    return Real(Math.Sqrt(reals[0]), call, file);
                case "abs":
                    if (!(args[0] is IntValue ai)) return new FloatValue(Math.Abs(reals[0]));
                    return ai.Value == long.MinValue ? throw Overflow(file.Path, call.Span) : new IntValue(ArchMath.Abs(ai.Value));
                case "min":
                case "max":
                {
                    // Ints compare as ints: through double, values above 2^53 would round (and differ from the generated code's).
                    if (args.All(a => a is IntValue))
                    {
                        long bestInt = ((IntValue)args[0]).Value;
                        foreach (var a in args) bestInt = call.Callee == "min" ? ArchMath.Min(bestInt, ((IntValue)a).Value) : ArchMath.Max(bestInt, ((IntValue)a).Value);
                        return new IntValue(bestInt);
                    }
                    return new FloatValue(call.Callee == "min" ? reals.Min() : reals.Max());
                }
            }
            throw Fail(DiagnosticCatalogue.UnknownName, file.Path, call.CalleeSpan, call.Callee);
        }
    }
}
