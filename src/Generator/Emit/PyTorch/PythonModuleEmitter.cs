using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
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
        private readonly string _className;
        private readonly string _path;
        private readonly DiagnosticBag _diagnostics;
        private readonly NameAllocator _members;
        private readonly NameAllocator _locals;
        private readonly Dictionary<string, (string Module, Func<string, string> Reshape)> _sharable = new Dictionary<string, (string, Func<string, string>)>(StringComparer.Ordinal);
        private readonly List<string> _helpers;
        private readonly List<(string Local, string Name)> _aux = new List<(string, string)>();
        private readonly Func<string> _nextHelperName;

        public PythonModuleEmitter(PythonExpressions expr, BoundProgram program, string className, string path, DiagnosticBag diagnostics,
            IEnumerable<string> globals, List<string> helpers, Func<string> nextHelperName)
        {
            _expr = expr;
            _program = program;
            _className = className;
            _path = path;
            _diagnostics = diagnostics;
            _helpers = helpers;
            _nextHelperName = nextHelperName;
            _members = new NameAllocator(ModuleMembers);
            _locals = new NameAllocator(new[] { "self", "input_shape", "shape", "x", "names" }.Concat(globals));
        }

        /// <summary>Activation calls built to overwrite their input (<see cref="Analysis.InPlaceActivations"/>), as in the C# class.</summary>
        public System.Collections.Immutable.ImmutableHashSet<(string Path, int Start)> InPlaceSites { get; init; } = System.Collections.Immutable.ImmutableHashSet<(string Path, int Start)>.Empty;

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

        /// <summary>Translates a body into <c>__init__</c> and forward statements.</summary>
        public (PyWriter Init, PyWriter Forward) Body(IEnumerable<StatementSyntax> statements, CsScope scope, string shapeVar)
        {
            if (ModuleEmitter.NeedsDataflow(statements)) return DataflowBody(statements, scope, shapeVar);
            var init = new PyWriter();
            var fwd = new PyWriter();
            init.Line("names = _ChildNames()");
            var ctx = new Ctx(scope, shapeVar, "x", "names", null, Mode.Explicit, null);
            foreach (var s in statements) Statement(s, ctx, init, fwd);
            return (init, fwd);
        }

        private void NotSupported(SyntaxNode node, string what) =>
            _diagnostics.Report(DiagnosticCatalogue.NotSupportedByEmitter, _path, node.Span,
                "The PyTorch emitter cannot translate " + what + " yet; the front end's analysis is unaffected");

        private string Member(string wanted) => "self." + _members.Fresh(PyNaming.Identifier(wanted));

        // ------------------------------------------------------------ statements

        private void Statement(StatementSyntax s, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            switch (s)
            {
                case LetStmt let:
                {
                    var py = _locals.Fresh(PyNaming.Identifier(let.Name));
                    init.Line(py + " = " + _expr.Emit(let.Value, ctx.Scope, ctx.ShapeVar));
                    ctx.Scope.Add(new CsLocal(let.Name, py, _expr.TypeOf(let.Value)));
                    return;
                }
                case LabeledStmt labeled:
                {
                    var key = NameKey(labeled.Name, ctx);
                    if (labeled.Statement is ExprStmt es && BodyForms.IsApplication(_program, es.Expression))
                    {
                        Apply(es.Expression, key, labeled.Name.StaticText, ctx, init, fwd);
                        return;
                    }
                    if (labeled.Statement is AuxStmt aux) { Aux(labeled, aux, ctx, init, fwd); return; }
                    Container(labeled.Statement, key, labeled.Name.StaticText, ctx, init, fwd);
                    return;
                }
                case ExprStmt es when es.Expression is CallExpr domain && ParameterDomains.IsDomain(domain.Callee) && ctx.Scope.Lookup(domain.Callee) == null:
                    // choice(p: [...]) checks a constructor argument. slimmable(...) switches widths over shared weights
                    // in the TorchSharp runtime; each width (each variant) is a plain network, which is what is emitted.
                    if (domain.Callee == ParameterDomains.Choice)
                    {
                        var parameter = domain.Arguments[0].Name!;
                        var value = _expr.Emit(new NameExpr(parameter, domain.Span), ctx.Scope, ctx.ShapeVar);
                        var allowed = _expr.Emit(domain.Arguments[0].Value, ctx.Scope, ctx.ShapeVar);
                        init.Line("_require_choice(" + PyNaming.StringLiteral(parameter) + ", " + value + ", " + allowed + ")");
                    }
                    return;
                case ExprStmt es:
                    if (es.Expression is SharedRefExpr shared) { Shared(shared, ctx, init, fwd); return; }
                    if (BodyForms.IsApplication(_program, es.Expression)) { Apply(es.Expression, null, null, ctx, init, fwd); return; }
                    if (ctx.Mode != Mode.Explicit) { NotSupported(es, "a tensor expression inside a loop or a labeled group"); return; }
                    {
                        var (shape, tensor) = Tensor(es.Expression, ctx, init, fwd);
                        init.Line(ctx.ShapeVar + " = " + shape);
                        fwd.Line(ctx.TensorVar + " = " + tensor);
                    }
                    return;
                case AssignStmt assign:
                {
                    if (ctx.Mode != Mode.Explicit) { NotSupported(assign, "a tensor binding inside a loop or a labeled group"); return; }
                    var (shape, tensor) = Tensor(assign.Value, ctx, init, fwd);
                    var sv = _locals.Fresh(PyNaming.Identifier(assign.Name) + "_shape");
                    var tv = _locals.Fresh(PyNaming.Identifier(assign.Name));
                    init.Line(sv + " = " + shape);
                    fwd.Line(tv + " = " + tensor);
                    ctx.Scope.Add(new CsLocal(assign.Name, tv, ArchType.Tensor, sv, tv));
                    return;
                }
                case GroupStmt g:
                {
                    // Python has no block scope: the scope object alone keeps inner names from leaking.
                    var inner = ctx.Nested();
                    foreach (var st in g.Body.Statements) Statement(st, inner, init, fwd);
                    return;
                }
                case IfStmt ifs: If(ifs, ctx, init, fwd); return;
                case RepeatStmt rep: Loop(rep, ctx, init, fwd); return;
                case ForStmt f: Loop(f, ctx, init, fwd); return;
                case ResidualStmt r:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(r, "a residual inside a loop; put the residual in a block"); return; }
                    Residual(r, ctx, init, fwd);
                    return;
                case MergeStmt m:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(m, "a merge inside a loop; put it in a block"); return; }
                    Branches(m.Branches.Statements, m.Kind == MergeKind.Concat ? "concat" : m.Kind == MergeKind.Add ? "add" : "mul", false, ctx, init, fwd);
                    return;
                case SplitStmt sp:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(sp, "a split inside a loop; put it in a block"); return; }
                    Branches(sp.Branches.Statements, "concat", true, ctx, init, fwd);
                    return;
                case DenseStmt d:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(d, "a dense block inside a loop; label it or put it in a block"); return; }
                    Dense(d, ctx, init, fwd);
                    return;
                case AuxStmt a: NotSupported(a, "an auxiliary output"); return;
                default: NotSupported(s, "this statement"); return;
            }
        }

        /// <summary><c>name: aux statement</c>: runs on the current tensor in training mode only; its result goes to a
        /// forward local the class returns beside the main output; the current tensor flows on.</summary>
        private void Aux(LabeledStmt labeled, AuxStmt aux, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            if (!AllowsAuxOutputs || ctx.Mode != Mode.Explicit || !labeled.Name.IsStatic)
            {
                NotSupported(labeled, "an auxiliary output here; declare it with a plain name in the network's own body");
                return;
            }
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

        // ------------------------------------------------------------ applications

        private void Apply(ExprSyntax e, string? key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var call = _program.CallOf(e)!;
            if (call.Kind == CalleeKind.BlockValue)
            {
                // A block-valued parameter holds the block's class; Python binds the arguments by position and name.
                Place(ctx.Scope.Lookup(call.Callee)!.CsName + "(" + BlockArguments(call.Arguments, ctx) + ")", m => m + ".output_shape", key, staticName, ctx, init, fwd);
                return;
            }
            if (call.Primitive != null)
            {
                Primitive(call, key, staticName, ctx, init, fwd);
                return;
            }
            Place(PyNaming.Class(call.Definition!.Name) + "(" + BlockArguments(call.Arguments, ctx) + ")", m => m + ".output_shape", key, staticName, ctx, init, fwd);
        }

        private string BlockArguments(ImmutableArray<ArgumentSyntax> args, Ctx ctx)
        {
            var parts = new List<string> { ctx.ShapeVar };
            foreach (var a in args)
                parts.Add((a.Name != null ? ParameterName(a.Name) + "=" : "") + _expr.Emit(a.Value, ctx.Scope, ctx.ShapeVar));
            return string.Join(", ", parts);
        }

        private void Primitive(BoundCall call, string? key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            if (Layers.LayerTable.Of(call.Primitive!.Kind).IsParameter)
            {
                Learnable(call, key, ctx, init, fwd);
                return;
            }
            var syntax = new PythonLayerSyntax(_expr, ctx.Scope, ctx.ShapeVar);
            string create = LayerCalls.Construction(call, ctx.ShapeVar, syntax, InPlaceSites.Contains((_path, call.Syntax.Span.Start)));
            string shape = LayerCalls.Shape(call, ctx.ShapeVar, syntax);
            var biasInit = call.PrimitiveArguments.FirstOrDefault(a => a.Parameter.Name == "bias_init");
            if (biasInit?.Expression != null)
                create = "_init_bias(" + create + ", " + _expr.Emit(biasInit.Expression, ctx.Scope, ctx.ShapeVar, ArchType.Float) + ")";
            // The new shape reads only the current shape, so it may be computed after the module is created.
            Place(create, _ => shape, key, staticName, ctx, init, fwd);
        }

        /// <summary>A learnable tensor (<c>scale</c>): a parameter of the module itself, under its name, that multiplies
        /// the tensor in the forward. Only a module's own body can hold one (a Sequential would not apply it).</summary>
        private void Learnable(BoundCall call, string? key, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            if (ctx.Mode != Mode.Explicit || key == null)
            {
                NotSupported(call.Syntax, "a learnable tensor inside a loop or a labeled group; put it in a block's own body");
                return;
            }
            var keyMember = Member("_key");
            var value = call.Argument("init") is { Expression: { } e } ? _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float) : "1.0";
            init.Line(keyMember + " = " + ctx.NamesVar + ".next(" + key + ")");
            init.Line("self.register_parameter(" + keyMember + ", nn.Parameter(torch.full(" + ctx.ShapeVar + ".learnable_size(), float(" + value + "))))");
            fwd.Line(ctx.TensorVar + " = " + ctx.TensorVar + " * getattr(self, " + keyMember + ")");
        }

        /// <summary>Python's spelling of a layer's construction (PyTorch) and shape call.</summary>
        private sealed class PythonLayerSyntax : LayerSyntax
        {
            public PythonLayerSyntax(PythonExpressions expr, CsScope scope, string shapeVar) : base((e, t) => expr.Emit(e, scope, shapeVar, t), expr.TypeOf) { }

            public override string Constant(object? value, bool real) => value switch
            {
                long l => real ? PyNaming.Double(l) : PyNaming.Long(l),
                double d => PyNaming.Double(d),
                bool b => PyNaming.Bool(b),
                _ => "None",
            };
            public override string Pair(string value, bool isList, string h, string w, bool anyList) => isList ? "tuple(" + value + ")" : value;
            public override string Array(string h, string w) => "(" + h + ", " + w + ")";
            public override string Keyword(string name, string value) => name + "=" + value;
            public override string? KeywordOf(Layers.EmittedArgument argument) => argument.PyTorchName;
            public override string InputChannels(string shapeVar) => shapeVar + ".channels";
            public override string SpatialChannels(string shapeVar, string layer) => shapeVar + ".spatial(\"" + layer + "\").channels";
            public override string Constructor(Layers.ModuleConstruction module) => module.RuntimeClass ? module.PyTorchClass : "nn." + module.PyTorchClass;
            public override string ShapeMethod(string method) =>
                string.Concat(method.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(ch) : ch.ToString()));
        }

        // ------------------------------------------------------------ containers and control flow

        private void Container(StatementSyntax inner, string key, string? staticName, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            if (BodyForms.IsChain(_program, inner, ctx.Scope))
            {
                var seq = _locals.Fresh("seq");
                var names = _locals.Fresh("seq_names");
                init.Line(seq + " = nn.Sequential()");
                init.Line(names + " = _ChildNames()");
                var inside = ctx with { Scope = new CsScope(ctx.Scope), NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential, CollectList = null };
                Statement(inner, inside, init, new PyWriter());
                Place(seq, _ => "", key, staticName, ctx, init, fwd);
                return;
            }
            // More than a chain: a helper class holding the statement, built with the scalars in scope it reads.
            var used = BodyForms.NamesUsed(new[] { inner });
            var captured = ctx.Scope.Visible().Where(c => used.Contains(c.ArchName)).ToList();
            var helperName = _nextHelperName();
            var emitter = new PythonModuleEmitter(_expr, _program, helperName, _path, _diagnostics, Array.Empty<string>(), _helpers, _nextHelperName) { InPlaceSites = InPlaceSites };
            var scope = new CsScope(null);
            var (signature, prologue) = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope, "input_shape");
            var (hinit, hfwd) = emitter.Body(new[] { inner }, scope, "shape");
            _helpers.Add(PythonClassWriter.ModuleClass(helperName, "A labeled group of " + _className + ".", true, signature, prologue, null, hinit, hfwd, emitter.AuxOutputs));
            var args = string.Join(", ", new[] { ctx.ShapeVar }.Concat(captured.Select(c => c.CsName)));
            Place(helperName + "(" + args + ")", m => m + ".output_shape", key, staticName, ctx, init, fwd);
        }

        private void If(IfStmt ifs, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var cond = _expr.Emit(ifs.Condition, ctx.Scope, ctx.ShapeVar);
            if (ctx.Mode != Mode.Explicit)
            {
                if (!BodyForms.IsChain(_program, ifs, ctx.Scope)) { NotSupported(ifs, "this 'if' inside a loop or group; put it in a block"); return; }
                init.Open("if " + cond);
                foreach (var s in ifs.Then.Statements) Statement(s, ctx.Nested(), init, fwd);
                init.Close();
                if (ifs.Else != null)
                {
                    init.Open("else");
                    Statement(ifs.Else, ctx.Nested(), init, fwd);
                    init.Close();
                }
                return;
            }
            var flag = Member("_if");
            init.Line(flag + " = " + cond);
            init.Open("if " + flag);
            fwd.Open("if " + flag);
            foreach (var s in ifs.Then.Statements) Statement(s, ctx.Nested(), init, fwd);
            init.Close();
            fwd.Close();
            if (ifs.Else != null)
            {
                init.Open("else");
                fwd.Open("else");
                Statement(ifs.Else, ctx.Nested(), init, fwd);
                init.Close();
                fwd.Close();
            }
        }

        private void Loop(StatementSyntax loop, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var body = loop is RepeatStmt r ? r.Body : ((ForStmt)loop).Body;
            if (!body.Statements.All(s => BodyForms.IsChain(_program, s, ctx.Scope)))
            {
                NotSupported(loop, "a loop whose body is more than a chain of layers and blocks; put the body in a block");
                return;
            }
            var inner = ctx.Nested();
            if (ctx.Mode == Mode.Explicit)
            {
                // A plain list: the modules are registered on this module by name, the list only orders the forward.
                var list = Member("_stage");
                init.Line(list + " = []");
                inner = inner with { Mode = Mode.Collect, CollectList = list };
                fwd.Open("for m in " + list).Line(ctx.TensorVar + " = m(" + ctx.TensorVar + ")").Close();
            }
            LoopHeader(loop, ctx, inner, init);
            foreach (var s in body.Statements) Statement(s, inner, init, fwd);
            init.Close();
        }

        private void LoopHeader(StatementSyntax loop, Ctx outer, Ctx inner, PyWriter init)
        {
            if (loop is RepeatStmt rep)
            {
                var i = _locals.Fresh(rep.Variable != null ? PyNaming.Identifier(rep.Variable) : "_i");
                if (rep.Variable != null) inner.Scope.Add(new CsLocal(rep.Variable, i, ArchType.Int));
                init.Open("for " + i + " in range(" + _expr.Emit(rep.Count, outer.Scope, outer.ShapeVar) + ")");
                return;
            }
            var f = (ForStmt)loop;
            var v = _locals.Fresh(PyNaming.Identifier(f.Variable));
            if (f.Source is RangeExpr range)
            {
                inner.Scope.Add(new CsLocal(f.Variable, v, ArchType.Int));
                init.Open("for " + v + " in range(" + _expr.Emit(range.From, outer.Scope, outer.ShapeVar) + ", " + _expr.Emit(range.To, outer.Scope, outer.ShapeVar) + ")");
                return;
            }
            var t = _expr.TypeOf(f.Source);
            inner.Scope.Add(new CsLocal(f.Variable, v, t.Kind == TypeKind.List ? t.Element! : ArchType.Error));
            init.Open("for " + v + " in " + _expr.Emit(f.Source, outer.Scope, outer.ShapeVar));
        }

        private void Residual(ResidualStmt r, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var inShape = _locals.Fresh("residual_input");
            var identity = _locals.Fresh("identity");
            init.Line(inShape + " = " + ctx.ShapeVar);
            fwd.Line(identity + " = " + ctx.TensorVar);
            string? active = null;
            if (r.Condition != null)
            {
                active = Member("_residual");
                init.Line(active + " = " + _expr.Emit(r.Condition, ctx.Scope, ctx.ShapeVar));
            }
            // A shortcut written first is constructed (and registered) before the body.
            var bodyInit = r.ShortcutFirst ? new PyWriter() : init;
            foreach (var s in r.Body.Statements) Statement(s, ctx.Nested(), bodyInit, fwd);
            var outShape = _locals.Fresh("residual_output");
            bodyInit.Line(outShape + " = " + ctx.ShapeVar);
            var sc = r.Shortcut;
            var shortcut = _locals.Fresh("shortcut");
            var scInit = new PyWriter();
            var scFwd = new PyWriter();
            scFwd.Line(shortcut + " = " + identity);
            if (sc != null && sc.Body != null)
            {
                string? scCond = sc.Condition == null ? null : _expr.Emit(sc.Condition, ctx.Scope, inShape);
                var scCtx = ctx.Nested() with { ShapeVar = inShape, TensorVar = shortcut };
                if (!sc.Body.Statements.All(s => BodyForms.IsChain(_program, s, ctx.Scope)))
                    NotSupported(sc, "a shortcut that is more than a chain of layers");
                else if (sc.Name != null)
                {
                    var key = NameKey(sc.Name, ctx);
                    var member = Member("_shortcut_key");
                    var seq = _locals.Fresh("seq");
                    var names = _locals.Fresh("seq_names");
                    init.Line(member + " = None");
                    scInit.Line(seq + " = nn.Sequential()");
                    scInit.Line(names + " = _ChildNames()");
                    var inside = scCtx with { NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential };
                    Statement(new GroupStmt(sc.Body, sc.Body.Span), inside, scInit, new PyWriter());
                    scInit.Line(member + " = " + ctx.NamesVar + ".next(" + key + ")");
                    scInit.Line((ctx.SequentialVar ?? "self") + ".add_module(" + member + ", " + seq + ")");
                    scFwd.Line("if " + member + " is not None: " + shortcut + " = self._modules[" + member + "](" + identity + ")");
                }
                else
                {
                    var list = Member("_shortcut");
                    init.Line(list + " = []");
                    var inside = scCtx with { Mode = Mode.Collect, CollectList = list };
                    foreach (var s in sc.Body.Statements) Statement(s, inside, scInit, new PyWriter());
                    scFwd.Open("for m in " + list).Line(shortcut + " = m(" + shortcut + ")").Close();
                }
                if (scCond != null && !scInit.IsEmpty)
                {
                    var wrapped = new PyWriter();
                    wrapped.Open("if " + scCond).Append(scInit).Close();
                    scInit = wrapped;
                }
            }
            if (sc != null && sc.Kind == ShortcutKind.ZeroPad)
                scFwd.Line(shortcut + " = _zero_pad_channels(" + shortcut + ", " + ctx.TensorVar + ".shape[1])");
            scFwd.Line(ctx.TensorVar + " = " + ctx.TensorVar + " + " + shortcut);
            if (active != null)
            {
                init.Open("if " + active).Append(scInit).Close();
                fwd.Open("if " + active).Append(scFwd).Close();
            }
            else
            {
                init.Append(scInit);
                fwd.Append(scFwd);
            }
            if (r.ShortcutFirst) init.Append(bodyInit);
            init.Line(ctx.ShapeVar + " = " + outShape);
        }

        private void Branches(ImmutableArray<StatementSyntax> branches, string merge, bool split, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var inShape = _locals.Fresh("branch_input_shape");
            var inTensor = _locals.Fresh("branch_input");
            var shapes = _locals.Fresh("branch_shapes");
            var outputs = _locals.Fresh("branch_outputs");
            init.Line(inShape + " = " + ctx.ShapeVar);
            init.Line(shapes + " = []");
            fwd.Line(inTensor + " = " + ctx.TensorVar);
            fwd.Line(outputs + " = []");
            int n = branches.Length;
            for (int i = 0; i < n; i++)
            {
                init.Line(ctx.ShapeVar + " = " + (split ? inShape + ".with_channels(" + inShape + ".channels // " + n + ")" : inShape));
                fwd.Line(ctx.TensorVar + " = " + (split ? "_channel_chunk(" + inTensor + ", " + i + ", " + n + ")" : inTensor));
                Statement(branches[i], ctx.Nested(), init, fwd);
                init.Line(shapes + ".append(" + ctx.ShapeVar + ")");
                fwd.Line(outputs + ".append(" + ctx.TensorVar + ")");
            }
            if (merge == "concat")
            {
                init.Line(ctx.ShapeVar + " = _Shape.concat(" + shapes + ")");
                fwd.Line(ctx.TensorVar + " = torch.cat(" + outputs + ", 1)");
                return;
            }
            bool mul = merge == "mul";
            init.Line(ctx.ShapeVar + " = _Shape.merge(" + shapes + ", " + PyNaming.Bool(mul) + ")");
            fwd.Line(ctx.TensorVar + " = " + outputs + "[0]");
            fwd.Open("for y in " + outputs + "[1:]").Line(ctx.TensorVar + " = " + ctx.TensorVar + (mul ? " * y" : " + y")).Close();
        }

        private void Dense(DenseStmt d, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            var loop = d.Loop;
            if (!loop.Body.Statements.All(s => BodyForms.IsChain(_program, s, ctx.Scope)))
            {
                NotSupported(d, "a dense layer that is more than a chain of layers and blocks");
                return;
            }
            var layers = Member("_dense");
            init.Line(layers + " = []");
            var all = _locals.Fresh("dense_shape");
            init.Line(all + " = " + ctx.ShapeVar);
            var chain = _locals.Fresh("chain");
            var inner = ctx.Nested() with { Mode = Mode.Collect, CollectList = chain };
            LoopHeader(loop, ctx, inner, init);
            init.Line(chain + " = []");
            init.Line(ctx.ShapeVar + " = " + all);
            foreach (var s in loop.Body.Statements) Statement(s, inner, init, fwd);
            init.Line(layers + ".append(" + chain + ")");
            init.Line(all + " = _Shape.concat([" + all + ", " + ctx.ShapeVar + "])");
            init.Close();
            init.Line(ctx.ShapeVar + " = " + all);

            var features = _locals.Fresh("features");
            fwd.Line(features + " = [" + ctx.TensorVar + "]");
            fwd.Open("for layer in " + layers);
            fwd.Line("y = torch.cat(" + features + ", 1)");
            fwd.Open("for m in layer").Line("y = m(y)").Close();
            fwd.Line(features + ".append(y)");
            fwd.Close();
            fwd.Line(ctx.TensorVar + " = torch.cat(" + features + ", 1)");
        }

        // ------------------------------------------------------------ tensor expressions

        private (string Shape, string Tensor) Tensor(ExprSyntax e, Ctx ctx, PyWriter init, PyWriter fwd)
        {
            switch (e)
            {
                case NameExpr n:
                {
                    var local = ctx.Scope.Lookup(n.Name);
                    if (local != null && local.Type.Kind == TypeKind.Tensor) return (local.ShapeVar!, local.TensorVar!);
                    return (ctx.ShapeVar, ctx.TensorVar);
                }
                case PipeExpr p:
                {
                    var (s0, t0) = Tensor(p.Source, ctx, init, fwd);
                    var sv = _locals.Fresh("pipe_shape");
                    var tv = _locals.Fresh("pipe");
                    init.Line(sv + " = " + s0);
                    fwd.Line(tv + " = " + t0);
                    var inner = ctx with { ShapeVar = sv, TensorVar = tv };
                    foreach (var stage in p.Stages) Statement(stage, inner, init, fwd);
                    return (sv, tv);
                }
                case UnaryExpr u when u.Op == "-":
                {
                    var (s, t) = Tensor(u.Operand, ctx, init, fwd);
                    return (s, "(-" + t + ")");
                }
                case BinaryExpr b when b.Op == "*" || b.Op == "+" || b.Op == "-":
                {
                    bool lt = IsTensor(b.Left, ctx.Scope), rt = IsTensor(b.Right, ctx.Scope);
                    if (lt && rt)
                    {
                        var (ls, lten) = Tensor(b.Left, ctx, init, fwd);
                        var (rs, rten) = Tensor(b.Right, ctx, init, fwd);
                        return ("_Shape.merge([" + ls + ", " + rs + "], True)", "(" + lten + " " + b.Op + " " + rten + ")");
                    }
                    if (lt)
                    {
                        var (ls, lten) = Tensor(b.Left, ctx, init, fwd);
                        return (ls, "(" + lten + " " + b.Op + " " + Scalar(b.Right, ctx, init) + ")");
                    }
                    if (rt)
                    {
                        var (rs, rten) = Tensor(b.Right, ctx, init, fwd);
                        return (rs, "(" + Scalar(b.Left, ctx, init) + " " + b.Op + " " + rten + ")");
                    }
                    break;
                }
            }
            NotSupported(e, "this tensor expression");
            return (ctx.ShapeVar, ctx.TensorVar);
        }

        private static bool IsTensor(ExprSyntax e, CsScope scope) => e switch
        {
            NameExpr n => scope.Lookup(n.Name)?.Type.Kind == TypeKind.Tensor || (scope.Lookup(n.Name) == null && n.Name == Builtins.Input),
            PipeExpr _ => true,
            UnaryExpr u => IsTensor(u.Operand, scope),
            BinaryExpr b => (b.Op == "*" || b.Op == "+" || b.Op == "-") && (IsTensor(b.Left, scope) || IsTensor(b.Right, scope)),
            _ => false,
        };

        /// <summary>A scalar the forward needs: literals inline, anything else computed once in <c>__init__</c>.</summary>
        private string Scalar(ExprSyntax e, Ctx ctx, PyWriter init)
        {
            if (e is IntLiteral i) return PyNaming.Double(i.Value);
            if (e is FloatLiteral f) return PyNaming.Double(f.Value);
            var member = Member("_scalar");
            init.Line(member + " = " + _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float));
            return member;
        }
    }
}
