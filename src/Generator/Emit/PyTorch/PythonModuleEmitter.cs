using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Generator.Emit.Lowering;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Translates one block or network body into an nn.Module class, statement for statement as the C#
    /// <see cref="ModuleEmitter"/> does, so both targets register the same children under the same names in the
    /// same order: the body becomes <c>__init__</c> code (lets are locals, if/repeat/for are Python control flow,
    /// names are <c>add_module</c> keys, shapes are threaded through <c>_Shape</c>) and a <c>forward</c> that
    /// mirrors it. Loop bodies that only chain modules become plain lists the forward iterates; a labeled group
    /// becomes an nn.Sequential, or a helper class when it holds more than a chain.</summary>
    internal sealed partial class PythonModuleEmitter
    {
        private enum Mode { Explicit, Collect, Sequential }

        /// <summary>Where the statements being translated put their modules and how the forward finds them.</summary>
        private sealed record Ctx(CsScope Scope, string ShapeVar, string TensorVar, string NamesVar, string? SequentialVar,
            Mode Mode, string? CollectList)
        {
            public Ctx Nested() => this with { Scope = new CsScope(Scope) };
        }

        /// <summary>nn.Module members a child name must not shadow when read back as an attribute.</summary>
        private static readonly HashSet<string> ModuleMembers = new HashSet<string>(StringComparer.Ordinal)
        {
            "training", "forward", "train", "eval", "state_dict", "load_state_dict", "parameters", "named_parameters",
            "buffers", "named_buffers", "children", "named_children", "modules", "named_modules", "to", "cuda", "cpu",
            "float", "double", "half", "bfloat16", "type", "apply", "zero_grad", "register_buffer", "register_parameter",
            "register_module", "add_module", "get_submodule", "get_parameter", "get_buffer", "extra_repr", "share_memory",
            "requires_grad_", "input_shape", "output_shape", "forward_with_aux", "dump_patches", "ipu", "xpu",
        };

        private readonly PythonExpressions _expr;
        private readonly BoundProgram _program;
        private readonly BodyLowering _lowering;
        private readonly Analysis.InPlaceSites _inPlace;
        private readonly string _className;
        private readonly string _path;
        private readonly DiagnosticBag _diagnostics;
        private readonly NameAllocator _members;
        private readonly NameAllocator _locals;
        private readonly Dictionary<string, (string Module, Func<string, string> Reshape)> _sharable = new Dictionary<string, (string, Func<string, string>)>(StringComparer.Ordinal);
        private readonly List<string> _helpers;
        private readonly List<(string Local, string Name)> _aux = new List<(string, string)>();
        private readonly Func<string, string> _nextHelperName;

        /// <param name="inPlace">Where the file's networks overwrite a tensor, as in the C# class.</param>
        public PythonModuleEmitter(PythonExpressions expr, BoundProgram program, string className, string path, DiagnosticBag diagnostics,
            IEnumerable<string> globals, List<string> helpers, Func<string, string> nextHelperName, Analysis.InPlaceSites inPlace)
        {
            _expr = expr;
            _program = program;
            _inPlace = inPlace;
            _lowering = new BodyLowering(program, path, inPlace);
            _className = className;
            _path = path;
            _diagnostics = diagnostics;
            _helpers = helpers;
            _nextHelperName = nextHelperName;
            _members = new NameAllocator(ModuleMembers);
            _locals = new NameAllocator(new[] { "self", "input_shape", "shape", "x", "names" }.Concat(globals));
        }

        /// <summary>True for a network's own body, where <c>aux</c> heads may be declared.</summary>
        public bool AllowsAuxOutputs { get; set; }

        /// <summary>Auxiliary heads in declaration order: the forward's local holding each, and its .arch label.</summary>
        public IReadOnlyList<(string Local, string Name)> AuxOutputs => _aux;

        /// <summary>Python parameter name of an .arch parameter: the same for every class, so keyword arguments agree.</summary>
        public static string ParameterName(string archName) => PyNaming.Identifier(archName);

        /// <summary>The signature entries for the parameters and the statements that resolve defaults which are not
        /// literals (those parameters default to None, as in C# they are nullable).</summary>
        public (List<string> Signature, List<string> Prologue) Parameters(IEnumerable<(string Name, ArchType Type, ExprSyntax? Default)> parameters, CsScope scope, string shapeVar)
        {
            var signature = new List<string>();
            var prologue = new List<string>();
            bool optionalSeen = false;
            foreach (var (name, type, def) in parameters)
            {
                var py = _locals.Fresh(ParameterName(name));
                var constant = def == null ? null : _expr.Constant(def, type);
                if (def != null && constant != null) { signature.Add(py + "=" + constant); optionalSeen = true; }
                else if (def != null || optionalSeen)
                {
                    optionalSeen = true;
                    signature.Add(py + "=None");
                    prologue.Add(def != null
                        ? "if " + py + " is None: " + py + " = " + _expr.Emit(def, scope, shapeVar, type)
                        : "if " + py + " is None: raise TypeError(" + PyNaming.StringLiteral("missing argument '" + py + "'") + ")");
                }
                else signature.Add(py);
                scope.Add(new CsLocal(name, py, type));
            }
            return (signature, prologue);
        }

        /// <summary>Translates a body into <c>__init__</c> and forward statements. A loop iteration's body keys its
        /// modules with its owner's <c>names</c> (<paramref name="ownerNames"/>, a parameter of its class) and, as in
        /// the C# target, does not take the data-flow form.</summary>
        public (PyWriter Init, PyWriter Forward) Body(IEnumerable<StatementSyntax> statements, CsScope scope, string shapeVar, bool ownerNames = false)
        {
            if (!ownerNames && ModuleEmitter.NeedsDataflow(statements)) return DataflowBody(statements, scope, shapeVar);
            var init = new PyWriter();
            var fwd = new PyWriter();
            if (!ownerNames) init.Line("names = _ChildNames()");
            var ctx = new Ctx(scope, shapeVar, "x", "names", null, Mode.Explicit, null);
            foreach (var s in statements) Statement(s, ctx, init, fwd);
            return (init, fwd);
        }

        private void NotSupported(Unsupported u) => NotSupported(u.Syntax, u.What);

        private void NotSupported(SyntaxNode node, string what) =>
            _diagnostics.Report(DiagnosticCatalogue.NotSupportedByEmitter, _path, node.Span,
                "The PyTorch emitter cannot translate " + what + " yet; the front end's analysis is unaffected");

        private string Member(string wanted) => "self." + _members.Fresh(PyNaming.Identifier(wanted));

        // ------------------------------------------------------------ statements

        private void Statement(StatementSyntax s, Ctx ctx, PyWriter init, PyWriter fwd) =>
            Print(_lowering.Lower(s, ctx.Scope, ctx.Mode == Mode.Explicit, AllowsAuxOutputs), ctx, init, fwd);

        private void Print(LoweredStatement lowered, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            switch (lowered)
            {
                case LoweredLet { Let: var let }:
                {
                    var py = _locals.Fresh(PyNaming.Identifier(let.Name));
                    init.Line(py + " = " + _expr.Emit(let.Value, ctx.Scope, ctx.ShapeVar));
                    ctx.Scope.Add(new CsLocal(let.Name, py, _expr.TypeOf(let.Value)));
                    return;
                }
                case Application a:
                    Apply(a, a.Label == null ? null : NameKey(a.Label, ctx), a.Label?.StaticText, ctx, init, fwd);
                    return;
                case AuxOutput aux: Aux(aux.Labeled, aux.Aux, ctx, init, fwd); return;
                case Lowering.Container c:
                    Container(c, NameKey(c.Labeled.Name, ctx), c.Labeled.Name.StaticText, ctx, init, fwd);
                    return;
                case ChoiceCheck choice:
                {
                    // slimmable(...) switches widths over shared weights in the TorchSharp runtime; each width (each
                    // variant) is a plain network, which is what is emitted.
                    var value = _expr.Emit(new NameExpr(choice.Parameter, choice.Statement.Span), ctx.Scope, ctx.ShapeVar);
                    var allowed = _expr.Emit(choice.Allowed, ctx.Scope, ctx.ShapeVar);
                    init.Line("_require_choice(" + PyNaming.StringLiteral(choice.Parameter) + ", " + value + ", " + allowed + ")");
                    return;
                }
                case NoCode _: return;
                case SharedApplication shared: Shared(shared.Reference, ctx, init, fwd); return;
                case TensorStatement t:
                {
                    var (shape, tensor) = Tensor(t.Value, ctx, init, fwd);
                    init.Line(ctx.ShapeVar + " = " + shape);
                    fwd.Line(ctx.TensorVar + " = " + tensor);
                    return;
                }
                case TensorBinding { Assign: var assign, Value: var value }:
                {
                    var (shape, tensor) = Tensor(value, ctx, init, fwd);
                    var sv = _locals.Fresh(PyNaming.Identifier(assign.Name) + "_shape");
                    var tv = _locals.Fresh(PyNaming.Identifier(assign.Name));
                    init.Line(sv + " = " + shape);
                    fwd.Line(tv + " = " + tensor);
                    ctx.Scope.Add(new CsLocal(assign.Name, tv, ArchType.Tensor, sv, tv));
                    return;
                }
                case Group { Block: var g }:
                {
                    // Python has no block scope: the scope object alone keeps inner names from leaking.
                    var inner = ctx.Nested();
                    foreach (var st in g.Body.Statements) Statement(st, inner, init, fwd);
                    return;
                }
                case Conditional c: If(c, ctx, init, fwd); return;
                case Lowering.Loop loop: Loop(loop, ctx, init, fwd); return;
                case Lowering.Residual r: Residual(r, ctx, init, fwd); return;
                case Merge m: Branches(m, ctx, init, fwd); return;
                case Lowering.Dense d: Dense(d, ctx, init, fwd); return;
                case Lowering.NamedOutput o: NamedOutput(o, ctx, init, fwd); return;
                case Unsupported u: NotSupported(u); return;
                default: throw new InvalidOperationException("unexpected lowered statement " + lowered.GetType().Name);
            }
        }

        /// <summary><c>name: aux statement</c>: runs on the current tensor in training mode only; its result goes to a
        /// forward local the class returns beside the main output; the current tensor flows on.</summary>
        private void Aux(LabeledStmt labeled, AuxStmt aux, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var local = _locals.Fresh("aux_" + PyNaming.Identifier(labeled.Name.StaticText!));
            _aux.Add((local, labeled.Name.StaticText!));
            var shape = _locals.Fresh("aux_shape");
            var tensor = _locals.Fresh("aux_input");
            var inner = new PyWriter();
            init.Line(shape + " = " + ctx.ShapeVar);
            inner.Line(tensor + " = " + ctx.TensorVar);
            Statement(new LabeledStmt(labeled.Name, aux.Body, labeled.Span), ctx.Nested() with { ShapeVar = shape, TensorVar = tensor }, init, inner);
            inner.Line(local + " = " + tensor);
            fwd.Open("if self.training").Append(inner).Close();
        }

        private string NameKey(NameSpec name, Ctx ctx)
        {
            if (name.IsStatic) return PyNaming.StringLiteral(name.StaticText!);
            var parts = name.Parts.Select(p => p.Text != null
                ? PyNaming.StringLiteral(p.Text)
                : "str(" + _expr.Emit(p.Expression!, ctx.Scope, ctx.ShapeVar) + ")");
            return "\"\".join([" + string.Join(", ", parts) + "])";
        }

        private static string Register(Ctx ctx, string key, string module) =>
            (ctx.SequentialVar ?? "self") + ".add_module(" + ctx.NamesVar + ".next(" + key + "), " + module + ")";

        private static bool IsPlainName(string? name) =>
            name != null && name.Length > 0 && PyNaming.Identifier(name) == name && !name.StartsWith("_", StringComparison.Ordinal);

        /// <summary>Places a created module: a registered child the forward calls (Explicit), or an entry of a list or
        /// Sequential whose owner runs it. A child with a plain static name is read back as <c>self.name</c>; any
        /// other is found through the key it was registered under.</summary>
        private void Place(string create, Func<string, string> reshape, string? key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var keyExpr = key ?? "None";
            if (ctx.Mode == Mode.Explicit)
            {
                string module;
                if (IsPlainName(staticName) && !ModuleMembers.Contains(staticName!) && _members.Fresh(staticName!) == staticName)
                {
                    init.Line(Register(ctx, keyExpr, create));
                    module = "self." + staticName;
                }
                else
                {
                    var keyMember = Member("_key");
                    init.Line(keyMember + " = " + ctx.NamesVar + ".next(" + keyExpr + ")");
                    init.Line("self.add_module(" + keyMember + ", " + create + ")");
                    module = "self._modules[" + keyMember + "]";
                }
                var reshaped = reshape(module);
                if (reshaped.Length > 0) init.Line(ctx.ShapeVar + " = " + reshaped);
                fwd.Line(ctx.TensorVar + " = " + module + "(" + ctx.TensorVar + ")");
                if (staticName != null) _sharable[staticName] = (module, reshape);
                return;
            }
            var m = _locals.Fresh("m");
            init.Line(m + " = " + create);
            init.Line(Register(ctx, keyExpr, m));
            if (ctx.Mode == Mode.Collect) init.Line(ctx.CollectList + ".append(" + m + ")");
            var after = reshape(m);
            if (after.Length > 0) init.Line(ctx.ShapeVar + " = " + after);
        }

        private void Shared(SharedRefExpr shared, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            if (ctx.Mode != Mode.Explicit || !_sharable.TryGetValue(shared.Name, out var target))
            {
                NotSupported(shared, "'@" + shared.Name + "' here; share a layer declared by a plain name at the block's top level");
                return;
            }
            var reshaped = target.Reshape(target.Module);
            if (reshaped.Length > 0) init.Line(ctx.ShapeVar + " = " + reshaped);
            fwd.Line(ctx.TensorVar + " = " + target.Module + "(" + ctx.TensorVar + ")");
        }
    }
}
