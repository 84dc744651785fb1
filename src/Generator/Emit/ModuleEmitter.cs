using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
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

        public ModuleEmitter(ExpressionEmitter expr, BoundProgram program, string className, string path, DiagnosticBag diagnostics, IEnumerable<string> reservedMembers)
        {
            _expr = expr;
            _program = program;
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

        /// <summary>Activation calls built to overwrite their input (<see cref="Analysis.InPlaceActivations"/>).</summary>
        public ImmutableHashSet<(string Path, int Start)> InPlaceSites { get; init; } = ImmutableHashSet<(string Path, int Start)>.Empty;

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

        private void Statement(StatementSyntax s, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            switch (s)
            {
                case LetStmt let:
                {
                    var cs = _locals.Fresh(Naming.Camel(let.Name));
                    ctor.Line("var " + cs + " = " + _expr.Emit(let.Value, ctx.Scope, ctx.ShapeVar) + ";");
                    ctx.Scope.Add(new CsLocal(let.Name, cs, _expr.TypeOf(let.Value)));
                    return;
                }
                case LabeledStmt labeled:
                {
                    var key = NameKey(labeled.Name, ctx);
                    if (labeled.Statement is ExprStmt es && IsApplication(es.Expression))
                    {
                        Apply(es.Expression, key, labeled.Name.StaticText, ctx, ctor, fwd);
                        return;
                    }
                    if (labeled.Statement is AuxStmt aux) { Aux(labeled, aux, ctx, ctor, fwd); return; }
                    Container(labeled.Statement, key, labeled.Name.StaticText, ctx, ctor, fwd);
                    return;
                }
                case ExprStmt es when es.Expression is CallExpr domain && ParameterDomains.IsDomain(domain.Callee) && ctx.Scope.Lookup(domain.Callee) == null:
                    // choice(p: [...]) checks a constructor argument; slimmable(...) is handled by the layer factory.
                    if (domain.Callee == ParameterDomains.Choice)
                        ctor.Line("ParameterChoices.Require(" + Naming.StringLiteral(domain.Arguments[0].Name!) + ", "
                            + _expr.Emit(new NameExpr(domain.Arguments[0].Name!, domain.Span), ctx.Scope, ctx.ShapeVar) + ", "
                            + _expr.Emit(domain.Arguments[0].Value, ctx.Scope, ctx.ShapeVar) + ");");
                    return;
                case ExprStmt es:
                    if (es.Expression is SharedRefExpr shared) { Shared(shared, ctx, ctor, fwd); return; }
                    if (IsApplication(es.Expression)) { Apply(es.Expression, null, null, ctx, ctor, fwd); return; }
                    if (ctx.Mode != Mode.Explicit) { NotSupported(es, "a tensor expression inside a loop or a labeled group"); return; }
                    {
                        var (shape, tensor) = Tensor(es.Expression, ctx, ctor, fwd);
                        if (shape != ctx.ShapeVar) ctor.Line(ctx.ShapeVar + " = " + shape + ";");
                        fwd.Line(ctx.TensorVar + " = " + tensor + ";");
                    }
                    return;
                case AssignStmt assign:
                {
                    if (ctx.Mode != Mode.Explicit) { NotSupported(assign, "a tensor binding inside a loop or a labeled group"); return; }
                    var (shape, tensor) = Tensor(assign.Value, ctx, ctor, fwd);
                    var sv = _locals.Fresh("_" + Naming.Camel(assign.Name) + "Shape");
                    var tv = _locals.Fresh("_" + Naming.Camel(assign.Name));
                    ctor.Line("var " + sv + " = " + shape + ";");
                    fwd.Line("var " + tv + " = " + tensor + ";");
                    ctx.Scope.Add(new CsLocal(assign.Name, tv, ArchType.Tensor, sv, tv));
                    return;
                }
                case GroupStmt g:
                {
                    var inner = ctx.Nested();
                    ctor.Open("");
                    if (ctx.Mode == Mode.Explicit) fwd.Open("");
                    foreach (var st in g.Body.Statements) Statement(st, inner, ctor, fwd);
                    ctor.Close();
                    if (ctx.Mode == Mode.Explicit) fwd.Close();
                    return;
                }
                case IfStmt ifs: If(ifs, ctx, ctor, fwd); return;
                case RepeatStmt rep: Loop(rep, ctx, ctor, fwd); return;
                case ForStmt f: Loop(f, ctx, ctor, fwd); return;
                case ResidualStmt r:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(r, "a residual inside a loop; put the residual in a block"); return; }
                    Residual(r, ctx, ctor, fwd);
                    return;
                case MergeStmt m:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(m, "a merge inside a loop; put it in a block"); return; }
                    Branches(m.Branches.Statements, m.Kind == MergeKind.Concat ? "concat" : m.Kind == MergeKind.Add ? "add" : "mul", false, ctx, ctor, fwd);
                    return;
                case SplitStmt sp:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(sp, "a split inside a loop; put it in a block"); return; }
                    Branches(sp.Branches.Statements, "concat", true, ctx, ctor, fwd);
                    return;
                case DenseStmt d:
                    if (ctx.Mode != Mode.Explicit) { NotSupported(d, "a dense block inside a loop; label it (denseblock{i}: dense …) or put it in a block"); return; }
                    Dense(d, ctx, ctor, fwd);
                    return;
                case AuxStmt a: NotSupported(a, "an auxiliary output"); return;
                default: NotSupported(s, "this statement"); return;
            }
        }

        /// <summary><c>name: aux statement</c>: the statement runs on the current tensor in training mode only and its
        /// result goes to a forward local the class returns beside the main output; the current tensor flows on.</summary>
        private void Aux(LabeledStmt labeled, AuxStmt aux, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            if (!AllowsAuxOutputs || ctx.Mode != Mode.Explicit || !labeled.Name.IsStatic)
            {
                NotSupported(labeled, "an auxiliary output here; declare it with a plain name in the network's own body");
                return;
            }
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
            var taken = _aux.FirstOrDefault(a => Naming.Pascal(a.Name) == property).Name ?? (property == ClassEmitter.OutputsMainProperty ? "the main output" : null);
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

        private bool IsApplication(ExprSyntax e) => BodyForms.IsApplication(_program, e);

        /// <summary>Statements whose modules simply run one after another (so a list or a Sequential can hold them).</summary>
        private bool IsChain(StatementSyntax s, CsScope scope) => BodyForms.IsChain(_program, s, scope);

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

        // ------------------------------------------------------------ applications

        private void Apply(ExprSyntax e, string? key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var call = _program.CallOf(e)!;
            if (call.Kind == CalleeKind.BlockValue)
            {
                var local = ctx.Scope.Lookup(call.Callee)!;
                var arms = new List<string>();
                foreach (var def in _program.Definitions.Values.Where(d => !d.IsNetwork).OrderBy(d => d.Name, StringComparer.Ordinal))
                {
                    var ctorArgs = BlockArguments(def, call, ctx);
                    if (ctorArgs == null) continue;
                    arms.Add(_expr.BlocksEnum + "." + Naming.Identifier(def.Name) + " => new " + _expr.BlockClass(def) + "(" + ctorArgs + ")");
                }
                arms.Add("_ => throw new System.ArgumentException(\"This block does not accept the arguments given at " + Naming.Xml(call.Callee).Replace("\"", "") + "\")");
                // The block classes share no type but the module's, so the switch takes it from the local it initializes.
                var chosen = _locals.Fresh("_block");
                ctor.Line(ModuleType + " " + chosen + " = " + local.CsName + " switch");
                ctor.Line("{");
                ctor.Indent();
                foreach (var arm in arms) ctor.Line(arm + ",");
                ctor.Outdent();
                ctor.Line("};");
                Place(chosen, ModuleType, m => "((IArchModule)" + m + ").OutputShape", key, staticName, ctx, ctor, fwd, createIsLocal: true);
                return;
            }
            if (call.Primitive != null)
            {
                Primitive(call, key, staticName, ctx, ctor, fwd);
                return;
            }
            var block = call.Definition!;
            var blockArgs = BlockArguments(block, call, ctx) ?? "";
            Place("new " + _expr.BlockClass(block) + "(" + blockArgs + ")", _expr.BlockClass(block), m => "((IArchModule)" + m + ").OutputShape", key, staticName, ctx, ctor, fwd);
        }

        /// <summary>C# arguments for a block's constructor, or null when the block cannot take these arguments.</summary>
        private string? BlockArguments(DefinitionSymbol def, BoundCall call, Ctx ctx)
        {
            var match = call.MatchTo(def);
            if (!match.Fits) return null;
            var parts = new List<string> { ctx.ShapeVar };
            var names = ClassEmitter.LocalNames();
            var csNames = def.Parameters.ToDictionary(p => p.Name, p => names.Fresh(Naming.Camel(p.Name)));
            // Arguments in the order written (their expressions are evaluated in that order).
            foreach (var a in call.Arguments)
            {
                int index = match.ByParameter.IndexOf(a);
                var p = def.Parameters[index];
                var t = _expr.TypeOf(a.Value);
                if (!p.Type.Accepts(t) && !t.IsError) return null;
                var value = p.Type.Kind == TypeKind.Int ? _expr.EmitArgument(a.Value, ctx.Scope, ctx.ShapeVar) : _expr.Emit(a.Value, ctx.Scope, ctx.ShapeVar, p.Type);
                if (p.Type.Kind == TypeKind.Block) value = _expr.BlockValueFor(def, a.Value, value, ctx.Scope);
                parts.Add(csNames[p.Name] + ": " + value);
            }
            return string.Join(", ", parts);
        }

        private void Primitive(BoundCall call, string? key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var rule = Layers.LayerTable.Of(call.Primitive!.Kind);
            if (rule.IsParameter)
            {
                Learnable(call, key, staticName, ctx, ctor, fwd);
                return;
            }
            var syntax = new CSharpLayerSyntax(_expr, ctx.Scope, ctx.ShapeVar);
            // As torchvision's ReLU(inplace=True), where the data flow allows it: one activation map fewer.
            string create = LayerCalls.Construction(call, ctx.ShapeVar, syntax, InPlaceSites.Contains((_path, call.Syntax.Span.Start)));
            string shape = LayerCalls.Shape(call, ctx.ShapeVar, syntax);
            if (rule.HasState) _allocatingLayers++;
            // A file that declares a slimmable network builds its weighted layers through SlimmableLayers, which makes
            // plain layers unless SlimmableLayers.Build is constructing the shared-weight network.
            // A field holds the layer's own TorchSharp type (Conv2d, BatchNorm2d, ...), a slimmable layer the module type.
            string type = rule.Construction.RuntimeClass ? rule.Construction.TorchSharpType : "TorchSharp.Modules." + rule.Construction.TorchSharpType;
            // Inference fusion (Fusion.FoldBatchNorms) puts an Identity where a folded batch norm was, field included.
            if (rule.Construction.TorchSharpType.StartsWith("BatchNorm", System.StringComparison.Ordinal)) type = ModuleType;
            if (IsSlimmableFile && rule.HasState)
            {
                create = "SlimmableLayers." + create.Substring("nn.".Length);
                type = ModuleType;
            }
            var biasInit = call.PrimitiveArguments.FirstOrDefault(a => a.Parameter.Name == "bias_init");
            if (biasInit?.Expression != null)
                create = "ArchOps.InitBias(" + create + ", " + _expr.Emit(biasInit.Expression, ctx.Scope, ctx.ShapeVar, ArchType.Float) + ")";
            // The new shape reads the current shape, which creation also reads: compute it first when the
            // module is kept in a field (reshape runs after creation, but only S changes, never the module).
            Place(create, type, _ => shape, key, staticName, ctx, ctor, fwd);
        }

        /// <summary>A learnable tensor (<c>scale</c>): a parameter of the module itself, registered under its name (so
        /// its key is the name, as torchvision's <c>layer_scale</c>), that multiplies the tensor in the forward. The
        /// forward looks it up by name, so it follows the module to another device. Only a module's own body can hold
        /// one (a Sequential would not apply it).</summary>
        private void Learnable(BoundCall call, string? key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            if (ctx.Mode != Mode.Explicit || key == null)
            {
                NotSupported(call.Syntax, "a learnable tensor inside a loop or a labeled group; put it in a block's own body");
                return;
            }
            var field = Field((staticName ?? "_p") + "Key", "string", ctx.Conditional);
            var init = call.Argument("init") is { Expression: { } e } ? _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float) : "1.0";
            ctor.Line("this." + field + " = " + ctx.NamesVar + ".Next(" + key + ");");
            ctor.Line("register_parameter(this." + field + ", ArchOps.Learnable(" + ctx.ShapeVar + ", " + init + "));");
            fwd.Line(ctx.TensorVar + " = " + ctx.TensorVar + ".mul(get_parameter(this." + field + (ctx.Conditional ? "!" : "") + ")!);");
        }

        /// <summary>C#'s spelling of a layer's construction (TorchSharp) and shape call.</summary>
        private sealed class CSharpLayerSyntax : LayerSyntax
        {
            // A constant int 0 converts to any enum as well as to long, so TorchSharp's overloads taking a Padding
            // enum where others take a long make `padding: 0` ambiguous (CS0121); a long zero picks the long one.
            public CSharpLayerSyntax(ExpressionEmitter expr, CsScope scope, string shapeVar)
                : base((e, t) => expr.EmitArgument(e, scope, shapeVar, t) is var v && v == "0" ? "0L" : v, expr.TypeOf) { }

            public override string Constant(object? value, bool real) => value switch
            {
                long l => real ? Naming.Double(l) : Naming.LongArgument(l),
                double d => Naming.Double(d),
                bool b => Naming.Bool(b),
                _ => "default",
            };
            public override string Pair(string value, bool isList, string h, string w, bool anyList) => anyList ? "(" + h + ", " + w + ")" : value;
            public override string Array(string h, string w) => "new long[] { " + h + ", " + w + " }";   // plain literals would make an int[]
            public override string Keyword(string name, string value) => name + ": " + value;
            public override string? KeywordOf(Layers.EmittedArgument argument) => argument.TorchSharpName;
            public override string InputChannels(string shapeVar) => shapeVar + ".Channels";
            public override string SpatialChannels(string shapeVar, string layer) => shapeVar + ".Spatial(" + Naming.StringLiteral(layer) + ").Channels";
            public override string Constructor(Layers.ModuleConstruction module) => module.RuntimeClass ? "new " + module.TorchSharpType : "nn." + module.TorchSharpFactory;
            public override string ShapeMethod(string method) => method;
            public override string ShapeCall(string shapeVar, string method, IReadOnlyList<string> arguments) =>
                CompactShapeCall.Of(shapeVar, method, arguments) ?? base.ShapeCall(shapeVar, method, arguments);
        }

        // ------------------------------------------------------------ containers and control flow

        private void Container(StatementSyntax inner, string key, string? staticName, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            if (IsChain(inner, ctx.Scope))
            {
                var seq = _locals.Fresh("_seq");
                var names = _locals.Fresh("_names");
                ctor.Line("var " + seq + " = nn.Sequential();");
                ctor.Line("var " + names + " = new ChildNames();");
                var inside = ctx with { Scope = new CsScope(ctx.Scope), NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential, CollectList = null };
                Statement(inner, inside, ctor, new IndentedWriter());
                Place(seq, SequentialType, _ => "", key, staticName, ctx, ctor, fwd);
                return;
            }
            // More than a chain: a nested module class holding the statement, built with the scalars in scope it reads.
            var used = BodyForms.NamesUsed(new[] { inner });
            var captured = ctx.Scope.Visible().Where(c => used.Contains(c.ArchName)).ToList();
            var nestedName = _members.Fresh(_className + "Group" + (++_nestedCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var emitter = new ModuleEmitter(_expr, _program, nestedName, _path, _diagnostics, ClassEmitter.ReservedMembers) { InPlaceSites = InPlaceSites, IsSlimmableFile = IsSlimmableFile };
            var scope = new CsScope(null);
            var parameters = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope);
            var (nctor, nfwd) = emitter.Body(new[] { inner }, scope, "shape");
            _nested.Add(ClassEmitter.ModuleClass(nestedName, "private sealed", "A labeled group of " + Naming.Xml(_className) + ".",
                new[] { "FeatureShape input" }.Concat(parameters.Select(p => p.Declaration)).ToList(), parameters, nctor, nfwd, emitter, guard: null, isNetwork: false));
            var args = string.Join(", ", new[] { ctx.ShapeVar }.Concat(captured.Select(c => c.CsName)));
            Place("new " + nestedName + "(" + args + ")", nestedName, m => "((IArchModule)" + m + ").OutputShape", key, staticName, ctx, ctor, fwd);
        }

        /// <summary>An <c>if</c> and its <c>else if</c> branches, written flat (<c>else if</c> on one line, not an
        /// <c>else</c> block per branch), so the C# grows linearly with the branches and nests one level whatever
        /// their number. In an explicit forward each branch's condition is a field the forward tests: the first is
        /// the condition, each later one is set in its branch (fields start false), so the constructor evaluates a
        /// condition only where the ones before it were false, as the front end does.</summary>
        private void If(IfStmt ifs, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            bool isExplicit = ctx.Mode == Mode.Explicit;
            if (!isExplicit && !IsChain(ifs, ctx.Scope)) { NotSupported(ifs, "this 'if' inside a loop or group; put it in a block"); return; }
            StatementSyntax? branch = ifs;
            for (bool first = true; branch is IfStmt current; first = false, branch = current.Else)
            {
                var cond = _expr.Emit(current.Condition, ctx.Scope, ctx.ShapeVar);
                var keyword = first ? "if" : "else if";
                var inner = ctx.Nested();
                if (isExplicit)
                {
                    var field = Field("_if", "bool", false);
                    if (first) ctor.Line("this." + field + " = " + cond + ";");
                    ctor.Open(keyword + " (" + (first ? "this." + field : cond) + ")");
                    if (!first) ctor.Line("this." + field + " = true;");
                    fwd.Open(keyword + " (this." + field + ")");
                    inner = inner with { Conditional = true };
                }
                else ctor.Open(keyword + " (" + cond + ")");
                foreach (var s in current.Then.Statements) Statement(s, inner, ctor, fwd);
                ctor.Close();
                if (isExplicit) fwd.Close();
            }
            if (branch == null) return;
            var other = isExplicit ? ctx.Nested() with { Conditional = true } : ctx.Nested();
            ctor.Open("else");
            if (isExplicit) fwd.Open("else");
            Statement(branch, other, ctor, fwd);
            ctor.Close();
            if (isExplicit) fwd.Close();
        }

        private void Loop(StatementSyntax loop, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var body = loop is RepeatStmt r ? r.Body : ((ForStmt)loop).Body;
            if (!body.Statements.All(s => IsChain(s, ctx.Scope)))
            {
                if (ctx.Mode != Mode.Explicit) { NotSupported(loop, "a loop whose body is more than a chain of layers and blocks here; put the body in a block"); return; }
                LoopOfBodies(loop, body, ctx, ctor, fwd);
                return;
            }
            var inner = ctx.Nested();
            if (ctx.Mode == Mode.Explicit)
            {
                var list = Field("_stage", "System.Collections.Generic.List<" + ModuleType + ">", false);
                ctor.Line("this." + list + " = new System.Collections.Generic.List<" + ModuleType + ">();");
                inner = inner with { Mode = Mode.Collect, CollectList = "this." + list, Conditional = false };
                fwd.CallEach(ctx.TensorVar, "this." + list);
            }
            LoopHeader(loop, ctx, inner, ctor);
            foreach (var s in body.Statements) Statement(s, inner, ctor, fwd);
            ctor.Close();
        }

        /// <summary>A loop whose body holds residuals, merges or tensor expressions: the body becomes a nested module
        /// class built once per iteration with the scalars in scope (the loop variable included). It keys its modules
        /// with the owner's <c>ChildNames</c> and the owner registers them as its own children, so the state-dict keys
        /// are those of the body written out in place; the owner's forward runs the iterations in order.</summary>
        private void LoopOfBodies(StatementSyntax loop, BodySyntax body, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var nestedName = _members.Fresh(_className + "Iteration" + (++_nestedCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var listType = "System.Collections.Generic.List<" + nestedName + ">";
            var list = "this." + Field("_iterations", listType, ctx.Conditional);
            ctor.Line(list + " = new " + listType + "();");
            var inner = ctx.Nested();
            LoopHeader(loop, ctx, inner, ctor);
            var used = BodyForms.NamesUsed(body.Statements);
            var captured = inner.Scope.Visible().Where(c => used.Contains(c.ArchName)).ToList();
            var emitter = new ModuleEmitter(_expr, _program, nestedName, _path, _diagnostics, ClassEmitter.ReservedMembers) { InPlaceSites = InPlaceSites, IsSlimmableFile = IsSlimmableFile };
            var namesParam = emitter.ReserveLocal("_ownerNames");
            var scope = new CsScope(null);
            var parameters = emitter.Parameters(captured.Select(c => (c.ArchName, c.Type, (ExprSyntax?)null)), scope);
            var (nctor, nfwd) = emitter.Body(body.Statements, scope, "shape", ownerNames: true);
            _nested.Add(ClassEmitter.ModuleClass(nestedName, "private sealed", "One iteration of a loop of " + Naming.Xml(_className) + "; its modules are registered as the owner's children.",
                new[] { "FeatureShape input", "ChildNames " + namesParam }.Concat(parameters.Select(p => p.Declaration)).ToList(), parameters, nctor, nfwd, emitter, guard: null, isNetwork: false, sharedNames: namesParam));
            var iteration = _locals.Fresh("_iteration");
            var child = _locals.Fresh("_child");
            ctor.Line("var " + iteration + " = new " + nestedName + "(" + string.Join(", ", new[] { ctx.ShapeVar, ctx.NamesVar }.Concat(captured.Select(c => c.CsName))) + ");");
            ctor.Line(list + ".Add(" + iteration + ");");
            ctor.Line("foreach (var " + child + " in " + iteration + ".named_children()) register_module(" + child + ".name, " + child + ".module);");
            ctor.Line(ctx.ShapeVar + " = " + iteration + ".OutputShape;");
            ctor.Close();
            if (ctx.Conditional)
            {
                var m = _locals.Fresh("_iteration");
                fwd.Line("foreach (var " + m + " in " + list + "!) " + ctx.TensorVar + " = " + m + ".call(" + ctx.TensorVar + ");");
            }
            else fwd.CallEach(ctx.TensorVar, list);
        }

        /// <summary>A loop's bound: a constant as it is, anything else evaluated once into a local.</summary>
        private string Bound(ExprSyntax bound, string local, Ctx outer, IndentedWriter ctor)
        {
            if (bound is IntLiteral) return _expr.EmitArgument(bound, outer.Scope, outer.ShapeVar);
            var name = _locals.Fresh(local);
            ctor.Line("var " + name + " = " + _expr.Emit(bound, outer.Scope, outer.ShapeVar) + ";");
            return name;
        }

        private void LoopHeader(StatementSyntax loop, Ctx outer, Ctx inner, IndentedWriter ctor)
        {
            if (loop is RepeatStmt rep)
            {
                var count = Bound(rep.Count, "_count", outer, ctor);
                var i = _locals.Fresh(rep.Variable != null ? Naming.Camel(rep.Variable) : "_i");
                if (rep.Variable != null) inner.Scope.Add(new CsLocal(rep.Variable, i, ArchType.Int));
                ctor.Open("for (long " + i + " = 0; " + i + " < " + count + "; " + i + "++)");
                return;
            }
            var f = (ForStmt)loop;
            var v = _locals.Fresh(Naming.Camel(f.Variable));
            if (f.Source is RangeExpr range)
            {
                var end = Bound(range.To, "_end", outer, ctor);
                inner.Scope.Add(new CsLocal(f.Variable, v, ArchType.Int));
                ctor.Open("for (long " + v + " = " + _expr.EmitArgument(range.From, outer.Scope, outer.ShapeVar) + "; " + v + " < " + end + "; " + v + "++)");
                return;
            }
            var t = _expr.TypeOf(f.Source);
            inner.Scope.Add(new CsLocal(f.Variable, v, t.Kind == TypeKind.List ? t.Element! : ArchType.Error));
            ctor.Open("foreach (var " + v + " in " + _expr.Emit(f.Source, outer.Scope, outer.ShapeVar) + ")");
        }

        private void Residual(ResidualStmt r, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var inShape = _locals.Fresh("_residualInput");
            var identity = _locals.Fresh("_identity");
            ctor.Line("var " + inShape + " = " + ctx.ShapeVar + ";");
            fwd.Line("var " + identity + " = " + ctx.TensorVar + ";");
            string? active = null;
            if (r.Condition != null)
            {
                active = "this." + Field("_residual", "bool", false);
                ctor.Line(active + " = " + _expr.Emit(r.Condition, ctx.Scope, ctx.ShapeVar) + ";");
            }
            int allocatingBefore = _allocatingLayers;
            // A shortcut written first is constructed (and registered) before the body.
            var bodyCtor = r.ShortcutFirst ? new IndentedWriter() : ctor;
            foreach (var s in r.Body.Statements) Statement(s, ctx.Nested(), bodyCtor, fwd);
            // A branch that runs a conv, linear or batch norm ends in memory of its own, never a view of the block's
            // input, so the runtime may add the shortcut into it in place.
            bool branchOwnsResult = _allocatingLayers > allocatingBefore;
            var outShape = _locals.Fresh("_residualOutput");
            bodyCtor.Line("var " + outShape + " = " + ctx.ShapeVar + ";");
            var sc = r.Shortcut;
            var shortcut = _locals.Fresh("_shortcut");
            var shortcutCtor = new IndentedWriter();
            var shortcutFwd = new IndentedWriter();
            shortcutFwd.Line("var " + shortcut + " = " + identity + ";");
            if (sc != null && sc.Body != null)
            {
                string? scCond = sc.Condition == null ? null : _expr.Emit(sc.Condition, ctx.Scope, inShape);
                var scCtx = ctx.Nested() with { ShapeVar = inShape, TensorVar = shortcut, Conditional = scCond != null || active != null };
                if (!sc.Body.Statements.All(s => IsChain(s, ctx.Scope)))
                    NotSupported(sc, "a shortcut that is more than a chain of layers");
                else if (sc.Name != null)
                {
                    var key = NameKey(sc.Name, ctx);
                    var group = new GroupStmt(sc.Body, sc.Body.Span);
                    var field = "this." + Field(sc.Name.StaticText ?? "_shortcut", SequentialType, true);
                    var seq = _locals.Fresh("_seq");
                    var names = _locals.Fresh("_names");
                    shortcutCtor.Line("var " + seq + " = nn.Sequential();");
                    shortcutCtor.Line("var " + names + " = new ChildNames();");
                    var inside = scCtx with { NamesVar = names, SequentialVar = seq, Mode = Mode.Sequential };
                    Statement(group, inside, shortcutCtor, new IndentedWriter());
                    shortcutCtor.Line(field + " = " + seq + ";");
                    shortcutCtor.Line(Register(ctx, key, seq));
                    shortcutFwd.Line("if (" + field + " is not null) " + shortcut + " = " + field + ".call(" + identity + ");");
                }
                else
                {
                    var list = "this." + Field("_shortcut", "System.Collections.Generic.List<" + ModuleType + ">", false);
                    ctor.Line(list + " = new System.Collections.Generic.List<" + ModuleType + ">();");
                    var inside = scCtx with { Mode = Mode.Collect, CollectList = list };
                    foreach (var s in sc.Body.Statements) Statement(s, inside, shortcutCtor, new IndentedWriter());
                    shortcutFwd.CallEach(shortcut, list);
                }
                if (scCond != null && !shortcutCtor.IsEmpty)
                {
                    var wrapped = new IndentedWriter();
                    wrapped.Open("if (" + scCond + ")").Append(shortcutCtor).Close();
                    shortcutCtor = wrapped;
                }
            }
            if (sc != null && sc.Kind == ShortcutKind.ZeroPad)
                shortcutFwd.Line(shortcut + " = ArchOps.ZeroPadChannels(" + shortcut + ", " + ctx.TensorVar + ".shape[1]);");
            shortcutFwd.Line(ctx.TensorVar + " = " + (branchOwnsResult
                ? "ArchOps.AddShortcut(" + ctx.TensorVar + ", " + shortcut + ");"
                : ctx.TensorVar + ".add(" + shortcut + ");"));
            if (active != null)
            {
                ctor.Open("if (" + active + ")").Append(shortcutCtor).Close();
                fwd.Open("if (" + active + ")").Append(shortcutFwd).Close();
            }
            else
            {
                ctor.Append(shortcutCtor);
                fwd.Append(shortcutFwd);
            }
            if (r.ShortcutFirst) ctor.Append(bodyCtor);
            ctor.Line(ctx.ShapeVar + " = " + outShape + ";");
        }

        private void Branches(ImmutableArray<StatementSyntax> branches, string merge, bool split, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var inShape = _locals.Fresh("_branchInput");
            var inTensor = _locals.Fresh("_branchInput");
            var shapes = _locals.Fresh("_branchShapes");
            var outputs = _locals.Fresh("_branchOutputs");
            ctor.Line("var " + inShape + " = " + ctx.ShapeVar + ";");
            ctor.Line("var " + shapes + " = new System.Collections.Generic.List<FeatureShape>();");
            fwd.Line("var " + inTensor + " = " + ctx.TensorVar + ";");
            fwd.Line("var " + outputs + " = new System.Collections.Generic.List<Tensor>();");
            int n = branches.Length;
            for (int i = 0; i < n; i++)
            {
                var index = Naming.Long(i);
                ctor.Open("");
                ctor.Line(ctx.ShapeVar + " = " + (split ? inShape + ".WithChannels(" + inShape + ".Channels / " + Naming.Long(n) + ")" : inShape) + ";");
                fwd.Open("");
                fwd.Line(ctx.TensorVar + " = " + (split ? "ArchOps.ChannelChunk(" + inTensor + ", " + index + ", " + Naming.Long(n) + ")" : inTensor) + ";");
                Statement(branches[i], ctx.Nested(), ctor, fwd);
                ctor.Line(shapes + ".Add(" + ctx.ShapeVar + ");");
                fwd.Line(outputs + ".Add(" + ctx.TensorVar + ");");
                ctor.Close();
                fwd.Close();
            }
            switch (merge)
            {
                case "concat":
                    ctor.Line(ctx.ShapeVar + " = FeatureShape.Concat(" + shapes + ");");
                    fwd.Line(ctx.TensorVar + " = torch.cat(" + outputs + ", 1);");
                    break;
                default:
                {
                    bool mul = merge == "mul";
                    ctor.Line(ctx.ShapeVar + " = " + shapes + "[0];");
                    ctor.Line("for (int _k = 1; _k < " + shapes + ".Count; _k++) " + ctx.ShapeVar + " = FeatureShape.Broadcast(" + ctx.ShapeVar + ", " + shapes + "[_k], " + Naming.Bool(mul) + ");");
                    fwd.Line(ctx.TensorVar + " = " + outputs + "[0];");
                    fwd.Line("for (int _k = 1; _k < " + outputs + ".Count; _k++) " + ctx.TensorVar + " = " + ctx.TensorVar + (mul ? ".mul(" : ".add(") + outputs + "[_k]);");
                    break;
                }
            }
        }

        private void Dense(DenseStmt d, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
        {
            var loop = d.Loop;
            if (!loop.Body.Statements.All(s => IsChain(s, ctx.Scope)))
            {
                NotSupported(d, "a dense layer that is more than a chain of layers and blocks");
                return;
            }
            var listType = "System.Collections.Generic.List<System.Collections.Generic.List<" + ModuleType + ">>";
            var layers = "this." + Field("_dense", listType, false);
            ctor.Line(layers + " = new " + listType + "();");
            var all = _locals.Fresh("_denseShape");
            ctor.Line("var " + all + " = " + ctx.ShapeVar + ";");
            var chain = _locals.Fresh("_chain");
            var inner = ctx.Nested() with { Mode = Mode.Collect, CollectList = chain, Conditional = false };
            LoopHeader(loop, ctx, inner, ctor);
            ctor.Line("var " + chain + " = new System.Collections.Generic.List<" + ModuleType + ">();");
            ctor.Line(ctx.ShapeVar + " = " + all + ";");
            foreach (var s in loop.Body.Statements) Statement(s, inner, ctor, fwd);
            ctor.Line(layers + ".Add(" + chain + ");");
            ctor.Line(all + " = FeatureShape.Concat(new[] { " + all + ", " + ctx.ShapeVar + " });");
            ctor.Close();
            ctor.Line(ctx.ShapeVar + " = " + all + ";");

            var features = _locals.Fresh("_features");
            var layer = _locals.Fresh("_layer");
            var y = _locals.Fresh("_y");
            fwd.Line("var " + features + " = new System.Collections.Generic.List<Tensor> { " + ctx.TensorVar + " };");
            fwd.Open("foreach (var " + layer + " in " + layers + ")");
            // The concatenation is this layer's alone: freed as soon as the layer has read it.
            fwd.Line("var " + y + " = ArchOps.Sequence(torch.cat(" + features + ", 1), " + layer + ", freeInput: true);");
            fwd.Line(features + ".Add(" + y + ");");
            fwd.Close();
            fwd.Line(ctx.TensorVar + " = torch.cat(" + features + ", 1);");
        }

        // ------------------------------------------------------------ tensor expressions

        /// <summary>Emits a tensor expression; returns the C# shape (constructor) and tensor (forward) expressions.</summary>
        private (string Shape, string Tensor) Tensor(ExprSyntax e, Ctx ctx, IndentedWriter ctor, IndentedWriter fwd)
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
                    var (s0, t0) = Tensor(p.Source, ctx, ctor, fwd);
                    var sv = _locals.Fresh("_pipeShape");
                    var tv = _locals.Fresh("_pipe");
                    ctor.Line("var " + sv + " = " + s0 + ";");
                    fwd.Line("var " + tv + " = " + t0 + ";");
                    var inner = ctx with { ShapeVar = sv, TensorVar = tv };
                    foreach (var stage in p.Stages) Statement(stage, inner, ctor, fwd);
                    return (sv, tv);
                }
                case UnaryExpr u when u.Op == "-":
                {
                    var (s, t) = Tensor(u.Operand, ctx, ctor, fwd);
                    return (s, t + ".neg()");
                }
                case BinaryExpr b when b.Op == "*" || b.Op == "+" || b.Op == "-":
                {
                    bool lt = IsTensor(b.Left, ctx.Scope), rt = IsTensor(b.Right, ctx.Scope);
                    string method = b.Op == "*" ? "mul" : b.Op == "+" ? "add" : "sub";
                    if (lt && rt)
                    {
                        var (ls, lten) = Tensor(b.Left, ctx, ctor, fwd);
                        var (rs, rten) = Tensor(b.Right, ctx, ctor, fwd);
                        return ("FeatureShape.Broadcast(" + ls + ", " + rs + ", true)", lten + "." + method + "(" + rten + ")");
                    }
                    if (lt)
                    {
                        var (ls, lten) = Tensor(b.Left, ctx, ctor, fwd);
                        return (ls, lten + "." + method + "(" + Scalar(b.Right, ctx, ctor) + ")");
                    }
                    if (rt)
                    {
                        var (rs, rten) = Tensor(b.Right, ctx, ctor, fwd);
                        var scalar = Scalar(b.Left, ctx, ctor);
                        return (rs, b.Op == "-" ? rten + ".neg().add(" + scalar + ")" : rten + "." + method + "(" + scalar + ")");
                    }
                    break;
                }
            }
            NotSupported(e, "this tensor expression");
            return (ctx.ShapeVar, ctx.TensorVar);
        }

        private bool IsTensor(ExprSyntax e, CsScope scope) => e switch
        {
            NameExpr n => scope.Lookup(n.Name)?.Type.Kind == TypeKind.Tensor || (scope.Lookup(n.Name) == null && n.Name == Builtins.Input),
            PipeExpr _ => true,
            UnaryExpr u => IsTensor(u.Operand, scope),
            BinaryExpr b => (b.Op == "*" || b.Op == "+" || b.Op == "-") && (IsTensor(b.Left, scope) || IsTensor(b.Right, scope)),
            _ => false,
        };

        /// <summary>A scalar the forward needs: literals inline, anything else computed once in the constructor.</summary>
        private string Scalar(ExprSyntax e, Ctx ctx, IndentedWriter ctor)
        {
            if (e is IntLiteral i) return Naming.Double(i.Value);
            if (e is FloatLiteral f) return Naming.Double(f.Value);
            var field = "this." + Field("_scalar", "double", false);
            ctor.Line(field + " = " + _expr.Emit(e, ctx.Scope, ctx.ShapeVar, ArchType.Float) + ";");
            return field;
        }
    }
}
