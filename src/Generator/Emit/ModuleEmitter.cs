using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Generator.Emit.Lowering;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Translates one block or network body into a TorchSharp module class: the body becomes
    /// construction code (lets are locals, if/repeat/for are C# control flow, names are register_module keys,
    /// shapes are threaded through <c>FeatureShape</c>), and a forward that mirrors it with explicit calls.
    /// Loops whose iterations are plain chains of modules become module lists the forward iterates; a labeled
    /// group becomes an nn.Sequential, or a nested class when it holds more than a chain.</summary>
    internal sealed partial class ModuleEmitter
    {
        private enum Mode { Explicit, Collect, Sequential }

        /// <summary>Where the statements being translated put their modules and how the forward finds them.</summary>
        private sealed record Ctx(CsScope Scope, string ShapeVar, string TensorVar, string NamesVar, string? SequentialVar,
            Mode Mode, string? CollectList, bool Conditional)
        {
            public Ctx Nested() => this with { Scope = new CsScope(Scope) };
        }

        private const string ModuleType = "nn.Module<Tensor, Tensor>";
        private const string SequentialType = "TorchSharp.Modules.Sequential";

        private readonly ExpressionEmitter _expr;
        private readonly BoundProgram _program;
        private readonly BodyLowering _lowering;
        private readonly Analysis.InPlaceSites _inPlace;
        private readonly string _className;
        private readonly string _path;
        private readonly DiagnosticBag _diagnostics;
        private readonly List<string> _fields = new List<string>();
        private readonly NameAllocator _members;
        private readonly NameAllocator _locals = ClassEmitter.LocalNames();
        // Conv, linear and batch norm layers emitted so far: a residual branch that ran one owns its result.
        private int _allocatingLayers;
        private readonly Dictionary<string, (string Field, Func<string, string> Reshape)> _sharable = new Dictionary<string, (string, Func<string, string>)>(StringComparer.Ordinal);
        private readonly List<string> _nested = new List<string>();
        private readonly List<(string Local, string Name)> _aux = new List<(string, string)>();
        private int _nestedCount;

        /// <param name="inPlace">Where the file's networks overwrite a tensor: activations built in place and residual sums
        /// added in place (<see cref="Analysis.InPlaceSites"/>).</param>
        public ModuleEmitter(ExpressionEmitter expr, BoundProgram program, string className, string path, DiagnosticBag diagnostics,
            IEnumerable<string> reservedMembers, Analysis.InPlaceSites inPlace)
        {
            _expr = expr;
            _program = program;
            _inPlace = inPlace;
            _lowering = new BodyLowering(program, path, inPlace);
            _className = className;
            _path = path;
            _diagnostics = diagnostics;
            _members = new NameAllocator(reservedMembers.Concat(ClassEmitter.ReferencedNames).Concat(new[] { className }));
        }

        /// <summary>True when a network of the program is slimmable (its layers with state are built switchable). Computed
        /// once per file by whoever builds the emitters: asked of the program at each layer, it made a file of n blocks
        /// cost n^2 (3,000 one-layer blocks: a second of the emitter's time).</summary>
        public bool IsSlimmableFile { get; init; }

        /// <summary>Whether <paramref name="program"/> has a slimmable network (the value of <see cref="IsSlimmableFile"/>).</summary>
        public static bool HasSlimmableNetwork(BoundProgram program) =>
            program.Definitions.Values.Any(d => d.IsNetwork && ParameterDomains.SlimmableOf(d.Syntax) != null);

        public IReadOnlyList<string> Fields => _fields;
        public IReadOnlyList<string> NestedClasses => _nested;

        /// <summary>True for a network's own body, where <c>aux</c> heads may be declared (the class exposes them).</summary>
        public bool AllowsAuxOutputs { get; set; }

        /// <summary>Auxiliary heads in declaration order: the forward's local holding each, and its .arch label.</summary>
        public IReadOnlyList<(string Local, string Name)> AuxOutputs => _aux;

        /// <summary>A constructor parameter: C# declaration and the C# local the body reads.</summary>
        public sealed record Parameter(string Declaration, string CsName, string? Prologue);

        /// <summary>Constructor parameters for .arch parameters: literal defaults stay C# defaults; other defaults
        /// become nullable parameters resolved in the constructor, in declaration order.</summary>
        public List<Parameter> Parameters(IEnumerable<(string Name, ArchType Type, ExprSyntax? Default)> parameters, CsScope scope)
        {
            var result = new List<Parameter>();
            bool optionalSeen = false;
            foreach (var (name, type, def) in parameters)
            {
                var cs = _locals.Fresh(Naming.Camel(name));
                var csType = _expr.CsType(type);
                var constant = def == null ? null : _expr.Constant(def, type);
                if (def != null && constant != null)
                {
                    result.Add(new Parameter(csType + " " + cs + " = " + constant, cs, null));
                    optionalSeen = true;
                    scope.Add(new CsLocal(name, cs, type));
                }
                else if (def != null || optionalSeen)
                {
                    optionalSeen = true;
                    var resolved = _locals.Fresh("_" + cs);
                    string nullable = type.Kind == TypeKind.List || type.Kind == TypeKind.String ? csType + "?" : csType + "?";
                    string fallback = def != null
                        ? "(" + _expr.Emit(def, scope, "input", type) + ")"
                        : "throw new System.ArgumentNullException(" + Naming.StringLiteral(cs) + ")";
                    result.Add(new Parameter(nullable + " " + cs + " = null", cs, "var " + resolved + " = " + cs + " ?? " + fallback + ";"));
                    scope.Add(new CsLocal(name, resolved, type));
                }
                else
                {
                    result.Add(new Parameter(csType + " " + cs, cs, null));
                    scope.Add(new CsLocal(name, cs, type));
                }
            }
            return result;
        }

        /// <summary>A constructor local name no .arch parameter will take.</summary>
        public string ReserveLocal(string wanted) => _locals.Fresh(wanted);

        /// <summary>The generated module's own child names (<c>ArchModule.Children</c>, which a loop body's iteration
        /// shares with its owner); a module registered under one of them is added with <c>ArchModule.Add</c>.</summary>
        private const string OwnNames = "Children";

        /// <summary>Translates a body. Returns the constructor statements and the forward statements. A loop body whose
        /// modules are keyed as the owner's children (<paramref name="ownerNames"/>) does not take the data-flow form.</summary>
        public (IndentedWriter Ctor, IndentedWriter Forward) Body(IEnumerable<StatementSyntax> statements, CsScope scope, string shapeVar, bool ownerNames = false)
        {
            var ctor = new IndentedWriter();
            var fwd = new IndentedWriter();
            if (!ownerNames && NeedsDataflow(statements)) return DataflowBody(statements, scope, shapeVar, OwnNames);
            var ctx = new Ctx(scope, shapeVar, "x", OwnNames, null, Mode.Explicit, null, false);
            foreach (var s in statements) Statement(s, ctx, ctor, fwd);
            return (ctor, fwd);
        }

        /// <summary>Translates a network's body; the statements from <paramref name="headStart"/> on (the head, see
        /// <see cref="BackbonePlan"/>) go to a forward of their own. Without a head (-1), or for a body that needs the
        /// data-flow form, the third writer is null.</summary>
        public (IndentedWriter Ctor, IndentedWriter Forward, IndentedWriter? Head) NetworkBody(IReadOnlyList<StatementSyntax> statements, CsScope scope, string shapeVar, int headStart)
        {
            if (headStart < 0 || NeedsDataflow(statements))
            {
                var (c, f) = Body(statements, scope, shapeVar);
                return (c, f, null);
            }
            var ctor = new IndentedWriter();
            var fwd = new IndentedWriter();
            var head = new IndentedWriter();
            var ctx = new Ctx(scope, shapeVar, "x", OwnNames, null, Mode.Explicit, null, false);
            for (int i = 0; i < statements.Count; i++) Statement(statements[i], ctx, ctor, i < headStart ? fwd : head);
            return (ctor, fwd, head);
        }

        private void NotSupported(Unsupported u) => NotSupported(u.Syntax, u.What);

        private void NotSupported(SyntaxNode node, string what) =>
            _diagnostics.Report(DiagnosticCatalogue.NotSupportedByEmitter, _path, node.Span,
                "The code generator cannot translate " + what + " yet; the front end's analysis is unaffected");

        private string Field(string wanted, string type, bool nullable)
        {
            var name = _members.Fresh(Naming.Identifier(wanted));
            _fields.Add("private readonly " + type + (nullable ? "?" : "") + " " + name + ";");
            return name;
        }

        // ------------------------------------------------------------ statements

        private void Statement(StatementSyntax s, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd) =>
            Print(_lowering.Lower(s, ctx.Scope, ctx.Mode == Mode.Explicit, AllowsAuxOutputs), ctx, ctor, fwd);

        private void Print(LoweredStatement lowered, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            switch (lowered)
            {
                case LoweredLet { Let: var let }:
                {
                    var cs = _locals.Fresh(Naming.Camel(let.Name));
                    ctor.Line("var " + cs + " = " + _expr.Emit(let.Value, ctx.Scope, ctx.ShapeVar) + ";");
                    ctx.Scope.Add(new CsLocal(let.Name, cs, _expr.TypeOf(let.Value)));
                    return;
                }
                case Application a:
                    Apply(a, a.Label == null ? null : NameKey(a.Label, ctx), a.Label?.StaticText, ctx, ctor, fwd);
                    return;
                case AuxOutput aux: Aux(aux.Labeled, aux.Aux, ctx, ctor, fwd); return;
                case Lowering.Container c:
                    Container(c, NameKey(c.Labeled.Name, ctx), c.Labeled.Name.StaticText, ctx, ctor, fwd);
                    return;
                case ChoiceCheck choice:
                    ctor.Line("ParameterChoices.Require(" + Naming.StringLiteral(choice.Parameter) + ", "
                        + _expr.Emit(new NameExpr(choice.Parameter, choice.Statement.Span), ctx.Scope, ctx.ShapeVar) + ", "
                        + _expr.Emit(choice.Allowed, ctx.Scope, ctx.ShapeVar) + ");");
                    return;
                case NoCode _: return;
                case SharedApplication shared: Shared(shared.Reference, ctx, ctor, fwd); return;
                case TensorStatement t:
                {
                    var (shape, tensor) = Tensor(t.Value, ctx, ctor, fwd);
                    if (shape != ctx.ShapeVar) ctor.Line(ctx.ShapeVar + " = " + shape + ";");
                    fwd.Line(ctx.TensorVar + " = " + tensor + ";");
                    return;
                }
                case TensorBinding { Assign: var assign, Value: var value }:
                {
                    var (shape, tensor) = Tensor(value, ctx, ctor, fwd);
                    var sv = _locals.Fresh("_" + Naming.Camel(assign.Name) + "Shape");
                    var tv = _locals.Fresh("_" + Naming.Camel(assign.Name));
                    ctor.Line("var " + sv + " = " + shape + ";");
                    fwd.Line("var " + tv + " = " + tensor + ";");
                    ctx.Scope.Add(new CsLocal(assign.Name, tv, ArchType.Tensor, sv, tv));
                    return;
                }
                case Group { Block: var g }:
                {
                    var inner = ctx.Nested();
                    ctor.Open("");
                    if (ctx.Mode == Mode.Explicit) fwd.Open("");
                    foreach (var st in g.Body.Statements) Statement(st, inner, ctor, fwd);
                    ctor.Close();
                    if (ctx.Mode == Mode.Explicit) fwd.Close();
                    return;
                }
                case Conditional c: If(c, ctx, ctor, fwd); return;
                case Lowering.Loop loop: Loop(loop, ctx, ctor, fwd); return;
                case Lowering.Residual r: Residual(r, ctx, ctor, fwd); return;
                case Merge m: Branches(m, ctx, ctor, fwd); return;
                case Lowering.Dense d: Dense(d, ctx, ctor, fwd); return;
                case Lowering.NamedOutput o: NamedOutput(o, ctx, ctor, fwd); return;
                case Unsupported u: NotSupported(u); return;
                default: throw new InvalidOperationException("unexpected lowered statement " + lowered.GetType().Name);
            }
        }

        /// <summary><c>name: aux statement</c>: the statement runs on the current tensor in training mode only and its
        /// result goes to a forward local the class returns beside the main output; the current tensor flows on.</summary>
        private void Aux(LabeledStmt labeled, AuxStmt aux, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            // Each head is a property of the Outputs record, named in Pascal case beside Output: 'aux1', 'Aux1' and
            // 'aux_1' would all be 'Aux1'.
            var property = Naming.Pascal(labeled.Name.StaticText!);
            if (System.Array.IndexOf(OutputsRecordMembers, property) >= 0)
            {
                _diagnostics.Report(DiagnosticCatalogue.GeneratedNameCollision, _path, labeled.Name.Span,
                    "auxiliary output '" + labeled.Name.StaticText + "' would be the Outputs record's property '" + property
                    + "', a member every record already has; choose another name");
                return;
            }
            var taken = _aux.Concat(_named).FirstOrDefault(a => Naming.Pascal(a.Name) == property).Name ?? (property == ClassEmitter.OutputsMainProperty ? "the main output" : null);
            if (taken != null)
            {
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, _path, labeled.Name.Span, property,
                    "as a property of the generated Outputs record (for " + (taken == "the main output" ? taken : "auxiliary output '" + taken + "'") + ")");
                return;
            }
            var local = _locals.Fresh("_" + Naming.Camel(labeled.Name.StaticText!));
            _aux.Add((local, labeled.Name.StaticText!));
            var shape = _locals.Fresh("_auxShape");
            var tensor = _locals.Fresh("_auxInput");
            var inner = new IndentedWriter();
            ctor.Open("");
            ctor.Line("var " + shape + " = " + ctx.ShapeVar + ";");
            inner.Line("var " + tensor + " = " + ctx.TensorVar + ";");
            Statement(new LabeledStmt(labeled.Name, aux.Body, labeled.Span), ctx.Nested() with { ShapeVar = shape, TensorVar = tensor }, ctor, inner);
            inner.Line(local + " = " + tensor + ";");
            ctor.Close();
            fwd.Open("if (this.training)").Append(inner).Close();
        }

        /// <summary>Members a positional record has already (object's, the record's own and its type name): a
        /// property named like one does not compile.</summary>
        private static readonly string[] OutputsRecordMembers =
        {
            "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "ReferenceEquals",
            "EqualityContract", "Deconstruct", "PrintMembers", "Outputs",
        };

        private bool IsApplication(ExprSyntax e) => _lowering.IsApplication(e);

        /// <summary>Statements whose modules simply run one after another (so a list or a Sequential can hold them).</summary>
        private bool IsChain(StatementSyntax s, CsScope scope) => _lowering.IsChain(s, scope);

        private string NameKey(NameSpec name, Ctx ctx)
        {
            if (name.IsStatic) return Naming.StringLiteral(name.StaticText!);
            // An interpolated label, $"layer{i + 1}", formatted in the invariant culture; a hole with a ':' (a
            // conditional, a string holding one) is parenthesized so the colon is not read as a format.
            var text = new System.Text.StringBuilder("System.FormattableString.Invariant($\"");
            foreach (var p in name.Parts)
            {
                if (p.Text != null)
                {
                    var literal = Naming.StringLiteral(p.Text);
                    text.Append(literal.Substring(1, literal.Length - 2).Replace("{", "{{").Replace("}", "}}"));
                    continue;
                }
                var hole = _expr.Emit(p.Expression!, ctx.Scope, ctx.ShapeVar);
                text.Append('{').Append(hole.Contains(":") ? "(" + hole + ")" : hole).Append('}');
            }
            return text.Append("\")").ToString();
        }

        /// <summary>Registers a module as the next child of the Sequential being built, or (outside one) of the module.</summary>
        private static string Register(Ctx ctx, string key, string module) =>
            ctx.SequentialVar == null
                ? Add(key, module) + ";"
                : ctx.SequentialVar + ".append(" + ctx.NamesVar + ".Next(" + key + "), " + module + ");";

        /// <summary>An expression that registers <paramref name="module"/> as the module's next child, under its own
        /// names (<see cref="OwnNames"/>), and has its value.</summary>
        private static string Add(string key, string module) => "Add(" + key + ", " + module + ")";

        /// <summary>Places a created module: a field with an explicit call (Explicit), or a registered entry of a list
        /// or Sequential whose owner runs it.
        /// <paramref name="createIsLocal"/>: <paramref name="create"/> names a local already holding the module.</summary>
        private void Place(string create, string type, Func<string, string> reshape, string? key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd,
            bool createIsLocal = false)
        {
            var keyExpr = key ?? "null";
            if (ctx.Mode == Mode.Explicit)
            {
                var field = Field(staticName ?? "_m", type, ctx.Conditional);
                if (ctx.SequentialVar == null) ctor.Line("this." + field + " = " + Add(keyExpr, create) + ";");
                else
                {
                    ctor.Line("this." + field + " = " + create + ";");
                    ctor.Line(Register(ctx, keyExpr, "this." + field));
                }
                var reshaped = reshape("this." + field);
                if (reshaped.Length > 0) ctor.Line(ctx.ShapeVar + " = " + reshaped + ";");
                if (ctx.Conditional) fwd.Line(ctx.TensorVar + " = this." + field + "!.call(" + ctx.TensorVar + ");");
                else fwd.Call(ctx.TensorVar, "this." + field);
                if (staticName != null && !ctx.Conditional) _sharable[staticName] = (field, reshape);
                return;
            }
            var m = createIsLocal && ctx.SequentialVar != null ? create : _locals.Fresh("_m");
            if (ctx.SequentialVar == null) ctor.Line("var " + m + " = " + Add(keyExpr, create) + ";");
            else
            {
                if (m != create) ctor.Line("var " + m + " = " + create + ";");
                ctor.Line(Register(ctx, keyExpr, m));
            }
            if (ctx.Mode == Mode.Collect) ctor.Line(ctx.CollectList + ".Add(" + m + ");");
            var after = reshape(m);
            if (after.Length > 0) ctor.Line(ctx.ShapeVar + " = " + after + ";");
        }

        private void Shared(SharedRefExpr shared, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            if (ctx.Mode != Mode.Explicit || !_sharable.TryGetValue(shared.Name, out var target))
            {
                NotSupported(shared, "'@" + shared.Name + "' here; share a layer declared by a plain name at the block's top level");
                return;
            }
            var reshaped = target.Reshape("this." + target.Field);
            if (reshaped.Length > 0) ctor.Line(ctx.ShapeVar + " = " + reshaped + ";");
            fwd.Call(ctx.TensorVar, "this." + target.Field);
        }
    }
}
