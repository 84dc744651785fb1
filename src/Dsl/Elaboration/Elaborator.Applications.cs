// Elaborator: module applications (layers, blocks, shared modules, their arguments and names) and tensor expressions.
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
                case CallExpr call when _program.ResizeOf(call) is { } resize:
                    return Resize(resize, x, env, c, frame);
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

        private bool IsTensor(ExprSyntax e, Env env) =>
            _program.IsTensor(e, name => env.Lookup(name) is { } value ? value is TensorValue : null, indexedNames: true);

        /// <summary><c>upsample(to: t)</c>: the current tensor resized to t's height and width, channels kept. An op of
        /// its own with both tensors as inputs (t's size is read when the forward runs); no parameters, no MACs.</summary>
        private Feature Resize(BoundResize resize, Feature x, Env env, Container c, Frame frame)
        {
            var target = EvalTensor(resize.Target, x, env, c, frame);
            bool align = resize.AlignCorners != null && AsBool(Eval(resize.AlignCorners, env, x, frame.File), resize.AlignCorners, frame.File);
            foreach (var (f, what, span) in new[] { (x, "the tensor it resizes", resize.Syntax.CalleeSpan), (target, "the tensor named by 'to'", resize.Target.Span) })
            {
                if (f.Flat)
                    throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, span, "'" + resize.Layer + "(to: …)' needs [C, H, W] maps, but " + what + " is the flat " + f);
                if (f.ChannelsLast)
                    throw Fail(DiagnosticCatalogue.InvalidValue, frame.File.Path, span, "'" + resize.Layer + "(to: …)' needs channels-first maps, but " + what
                        + " is the channels-last " + f + "; add 'channels_first' before it");
            }
            var config = new LayerConfig(resize.Kind, InChannels: x.Channels, Kernel: (target.Height, target.Width), AlignCorners: align);
            // Output positions are (input height / output height) input positions apart, at least one pixel.
            long jump = Math.Max(1, x.Jump * x.Height / Math.Max(1, target.Height));
            var y = x with { Height = target.Height, Width = target.Width, Jump = jump };
            return Record(frame.Path + "(" + resize.Layer + ")", OpKind.Resize, config, ImmutableArray.Create(x, target), y, frame, resize.Syntax.Span).Output;
        }
    }
}
