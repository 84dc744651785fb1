// Elaborator: the entry points, the environment and frames, where an error happened (its context), the work budget and the parameters.
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
    public sealed partial class Elaborator
    {
        private const int MaxOps = ReliabilityLimits.MaxLayersPerNetwork;
        private const int MaxDepth = ReliabilityLimits.MaxBlockDepth;

        private readonly BoundProgram _program;
        private readonly DiagnosticBag _diagnostics;
        private readonly WorkBudget _budget;
        private readonly List<ElaboratedOp> _ops = new List<ElaboratedOp>();
        private readonly List<(string, Feature)> _aux = new List<(string, Feature)>();
        private readonly List<(string, Feature)> _outputs = new List<(string, Feature)>();
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
                NamedOutputs = _outputs.ToImmutableArray(),
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
    }
}
