using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.Lowering
{
    /// <summary>Lowers a body's statements, one at a time as a printer reaches them, to what they become in a
    /// generated module class (<see cref="LoweredStatement"/>): which statements apply a module, which build a
    /// container, a residual, a merge or a dense block, which are tensor expressions and which operands of those are
    /// tensors, and which statements no target can express here. Every decision is the same for C# and Python; the
    /// printers only spell the result.</summary>
    /// <remarks>Where the two printers still differ, it is a target's capability or idiom, not a second reading of
    /// the body: in the dataflow form C# writes an <c>else if</c> chain flat and lowers each
    /// branch's statements, where Python nests the next <c>if</c> in the <c>else</c> (a chain there is one step); a
    /// block-valued parameter is a switch over the block classes in C# and the class itself in Python; C# checks an
    /// auxiliary output's name against the members of its Outputs record.</remarks>
    internal sealed class BodyLowering
    {
        private readonly BoundProgram _program;
        private readonly string _path;
        private readonly Analysis.InPlaceSites _inPlace;

        /// <param name="path">The source file of the bodies lowered (sites are located by it).</param>
        /// <param name="inPlace">Where the file's networks may overwrite a tensor (<see cref="Analysis.InPlaceSites"/>).</param>
        public BodyLowering(BoundProgram program, string path, Analysis.InPlaceSites inPlace)
        {
            _program = program;
            _path = path;
            _inPlace = inPlace;
        }

        /// <summary>True when the activation <paramref name="call"/> is built to overwrite its input.</summary>
        public bool RunsInPlace(BoundCall call) => _inPlace.Activations.Contains((_path, call.Syntax.Span.Start));

        /// <summary>True when <paramref name="e"/> applies a primitive layer, a block, or a block-valued local.</summary>
        public bool IsApplication(ExprSyntax e) => BodyForms.IsApplication(_program, e);

        /// <summary>Statements whose modules simply run one after another (so a list or a Sequential can hold them).</summary>
        public bool IsChain(StatementSyntax s, CsScope scope) => BodyForms.IsChain(_program, s, scope);

        /// <summary>A statement of a body with an explicit forward. <paramref name="explicitForward"/> is false inside a
        /// loop's module list or a Sequential, where only chains of modules can go; <paramref name="auxAllowed"/> is
        /// true in a network's own body.</summary>
        public LoweredStatement Lower(StatementSyntax s, CsScope scope, bool explicitForward, bool auxAllowed)
        {
            switch (s)
            {
                case LetStmt let:
                    return new LoweredLet(let);
                case LabeledStmt labeled:
                    if (labeled.Statement is ExprStmt applied && IsApplication(applied.Expression))
                        return LowerApplication(labeled, applied.Expression, labeled.Name, explicitForward);
                    if (labeled.Statement is AuxStmt aux)
                        return auxAllowed && explicitForward && labeled.Name.IsStatic
                            ? new AuxOutput(labeled, aux)
                            : new Unsupported(labeled, "an auxiliary output here; declare it with a plain name in the network's own body");
                    return IsChain(labeled.Statement, scope)
                        ? new Container(labeled, Sequential: true, ImmutableHashSet<string>.Empty)
                        : new Container(labeled, Sequential: false, BodyForms.NamesUsed(new[] { labeled.Statement }).ToImmutableHashSet());
                case ExprStmt es when es.Expression is CallExpr domain && ParameterDomains.IsDomain(domain.Callee) && scope.Lookup(domain.Callee) == null:
                    // choice(p: [...]) checks a constructor argument; slimmable(...) is read by the layer factory.
                    return domain.Callee == ParameterDomains.Choice
                        ? new ChoiceCheck(es, domain.Arguments[0].Name!, domain.Arguments[0].Value)
                        : new NoCode(es);
                case ExprStmt es:
                    if (es.Expression is SharedRefExpr shared) return new SharedApplication(es, shared);
                    if (IsApplication(es.Expression)) return LowerApplication(es, es.Expression, null, explicitForward);
                    if (!explicitForward) return new Unsupported(es, "a tensor expression inside a loop or a labeled group");
                    return new TensorStatement(es, LowerTensor(es.Expression, scope, indexedNames: false));
                case AssignStmt assign:
                    if (!explicitForward) return new Unsupported(assign, "a tensor binding inside a loop or a labeled group");
                    return new TensorBinding(assign, LowerTensor(assign.Value, scope, indexedNames: false));
                case GroupStmt g:
                    return new Group(g);
                case IfStmt ifs:
                    if (!explicitForward && !IsChain(ifs, scope)) return new Unsupported(ifs, "this 'if' inside a loop or group; put it in a block");
                    return LowerIf(ifs);
                case RepeatStmt rep:
                    return LowerLoop(rep, rep.Body, scope, explicitForward);
                case ForStmt f:
                    return LowerLoop(f, f.Body, scope, explicitForward);
                case ResidualStmt r:
                    if (!explicitForward) return new Unsupported(r, "a residual inside a loop; put the residual in a block");
                    return LowerResidual(r, scope);
                case MergeStmt m:
                    if (!explicitForward) return new Unsupported(m, "a merge inside a loop; put it in a block");
                    return new Merge(m, m.Branches.Statements, Op(m.Kind), Split: false);
                case SplitStmt sp:
                    if (!explicitForward) return new Unsupported(sp, "a split inside a loop; put it in a block");
                    return new Merge(sp, sp.Branches.Statements, MergeOp.Concat, Split: true);
                case DenseStmt d:
                    if (!explicitForward) return new Unsupported(d, "a dense block inside a loop; label it (denseblock{i}: dense …) or put it in a block");
                    if (!d.Loop.Body.Statements.All(x => IsChain(x, scope)))
                        return new Unsupported(d, "a dense layer that is more than a chain of layers and blocks");
                    return new Dense(d, d.Loop);
                case AuxStmt a:
                    return new Unsupported(a, "an auxiliary output");
                case OutputStmt o:
                    if (!auxAllowed || !explicitForward) return new Unsupported(o, "an output here; declare it in the network's own body");
                    return new NamedOutput(o, o.Value == null ? null : LowerTensor(o.Value, scope, indexedNames: false));
                default:
                    return new Unsupported(s, "this statement");
            }
        }

        /// <summary>A learnable tensor is a parameter of the module itself, under its label: only a module's own body
        /// can hold one (a list or a Sequential would not apply it).</summary>
        private LoweredStatement LowerApplication(StatementSyntax s, ExprSyntax e, NameSpec? label, bool explicitForward)
        {
            var call = _program.CallOf(e)!;
            if (call.Kind == CalleeKind.BlockValue) return new Application(s, e, label, ApplicationKind.BlockValue);
            if (call.Primitive == null) return new Application(s, e, label, ApplicationKind.Block);
            if (!Layers.LayerTable.Of(call.Primitive.Kind).IsParameter) return new Application(s, e, label, ApplicationKind.Layer);
            if (!explicitForward || label == null)
                return new Unsupported(call.Syntax, "a learnable tensor inside a loop or a labeled group; put it in a block's own body");
            return new Application(s, e, label, ApplicationKind.Learnable);
        }

        /// <summary>An if / else-if chain, walked in a loop (a chain of hundreds of branches is no recursion that deep).</summary>
        private static Conditional LowerIf(IfStmt first)
        {
            var branches = ImmutableArray.CreateBuilder<IfBranch>();
            StatementSyntax? branch = first;
            for (; branch is IfStmt current; branch = current.Else) branches.Add(new IfBranch(current.Condition, current.Then));
            return new Conditional(first, branches.ToImmutable(), branch);
        }

        private LoweredStatement LowerLoop(StatementSyntax loop, BodySyntax body, CsScope scope, bool explicitForward)
        {
            if (body.Statements.All(s => IsChain(s, scope))) return new Loop(loop, body, LoopForm.ModuleList, ImmutableHashSet<string>.Empty);
            if (!explicitForward)
                return new Unsupported(loop, "a loop whose body is more than a chain of layers and blocks here; put the body in a block");
            return new Loop(loop, body, LoopForm.IterationClasses, BodyForms.NamesUsed(body.Statements).ToImmutableHashSet());
        }

        private static MergeOp Op(MergeKind kind) => kind switch
        {
            MergeKind.Concat => MergeOp.Concat,
            MergeKind.Add => MergeOp.Add,
            _ => MergeOp.Mul,
        };

        /// <summary>A shortcut with a body is a registered Sequential when it is named and a list the owner runs
        /// otherwise; only chains of modules can be either.</summary>
        private Residual LowerResidual(ResidualStmt r, CsScope scope)
        {
            var sc = r.Shortcut;
            bool zeroPad = sc != null && sc.Kind == ShortcutKind.ZeroPad;
            Shortcut shortcut;
            if (sc == null || sc.Body == null)
                shortcut = new Shortcut(ShortcutForm.Identity, null, null, null, zeroPad, null);
            else if (!sc.Body.Statements.All(s => IsChain(s, scope)))
                shortcut = new Shortcut(ShortcutForm.Identity, sc.Condition, null, null, zeroPad,
                    new Unsupported(sc, "a shortcut that is more than a chain of layers"));
            else
                shortcut = new Shortcut(sc.Name != null ? ShortcutForm.Sequential : ShortcutForm.List, sc.Condition, sc.Name, sc.Body, zeroPad, null);
            return new Residual(r, r.Condition, r.Body.Statements, r.ShortcutFirst, shortcut,
                SumsInPlace: _inPlace.ResidualSums.Contains((_path, r.Span.Start)));
        }

        /// <summary>A statement of a body in the dataflow form (<see cref="ModuleEmitter.NeedsDataflow"/>).</summary>
        public LoweredStatement LowerFlow(StatementSyntax s, CsScope scope)
        {
            switch (s)
            {
                case LetStmt let:
                    return new LoweredLet(let);
                case LabeledStmt labeled when labeled.Statement is ExprStmt es && IsApplication(es.Expression)
                                              && _program.CallOf(es.Expression)?.Primitive != null:
                    // A named layer may be re-applied later (@name, @w{j}_{i}): remembered with its shapes.
                    return new FlowSharableLayer(labeled);
                case ExprStmt es when es.Expression is SharedRefExpr sr:
                    return new FlowReapply(es, sr.Name, null);
                case ExprStmt es when es.Expression is IndexedSharedRefExpr isr:
                    return new FlowReapply(es, null, isr.Name);
                case AssignStmt assign:
                    return new TensorBinding(assign, LowerTensor(assign.Value, scope, indexedNames: true));
                case IndexedAssignStmt indexed:
                    return new FlowIndexedBinding(indexed, LowerTensor(indexed.Value, scope, indexedNames: true));
                case ExprStmt es when !IsApplication(es.Expression):
                    return new TensorStatement(es, LowerTensor(es.Expression, scope, indexedNames: true));
                case GroupStmt g when !IsChain(g, scope):
                    return new Group(g);
                case IfStmt ifs when !IsChain(ifs, scope):
                    return new FlowConditional(ifs);
                case RepeatStmt rep when !IsChain(s, scope):
                    return new FlowLoop(rep, rep.Body);
                case ForStmt f when !IsChain(s, scope):
                    return new FlowLoop(f, f.Body);
                case MergeStmt m:
                    return new FlowMerge(m, m.Branches.Statements.Select(Branch).ToImmutableArray(), Op(m.Kind));
            }
            if (IsChain(s, scope)) return new FlowChain(s);
            return new Unsupported(s, "this statement in a body with indexed names (a residual, split, dense or aux there)");
        }

        private static FlowBranch Branch(StatementSyntax branch) => branch switch
        {
            RepeatStmt r => new FlowBranch(r, r.Body.Statements),
            ForStmt f => new FlowBranch(f, f.Body.Statements),
            _ => new FlowBranch(null, ImmutableArray.Create(branch)),
        };

        /// <summary>A tensor expression. <paramref name="indexedNames"/>: the dataflow form, where <c>x{j}</c> reads
        /// the tensor table.</summary>
        public LoweredTensor LowerTensor(ExprSyntax e, CsScope scope, bool indexedNames)
        {
            switch (e)
            {
                case NameExpr n:
                {
                    var local = scope.Lookup(n.Name);
                    return local != null && local.Type.Kind == TypeKind.Tensor ? new NamedTensor(n, n.Name) : new CurrentTensor(n);
                }
                case IndexedNameExpr ine when indexedNames:
                    return new IndexedTensor(ine, ine.Name);
                case PipeExpr p:
                    return new PipedTensor(p, LowerTensor(p.Source, scope, indexedNames), p.Stages);
                case CallExpr call when _program.ResizeOf(call) is { } resize:
                    return new ResizedTensor(call, resize, LowerTensor(resize.Target, scope, indexedNames));
                case UnaryExpr u when u.Op == "-":
                    return new NegatedTensor(u, LowerTensor(u.Operand, scope, indexedNames));
                case BinaryExpr b when b.Op == "*" || b.Op == "+" || b.Op == "-":
                {
                    var op = b.Op == "*" ? TensorOp.Mul : b.Op == "+" ? TensorOp.Add : TensorOp.Sub;
                    bool lt = IsTensor(b.Left, scope, indexedNames), rt = IsTensor(b.Right, scope, indexedNames);
                    if (lt && rt) return new TensorPair(b, op, LowerTensor(b.Left, scope, indexedNames), LowerTensor(b.Right, scope, indexedNames));
                    if (lt) return new TensorWithScalar(b, op, LowerTensor(b.Left, scope, indexedNames), b.Right, ScalarFirst: false);
                    if (rt) return new TensorWithScalar(b, op, LowerTensor(b.Right, scope, indexedNames), b.Left, ScalarFirst: true);
                    break;
                }
            }
            return new UnsupportedTensor(e);
        }

        private bool IsTensor(ExprSyntax e, CsScope scope, bool indexedNames) =>
            _program.IsTensor(e, name => scope.Lookup(name) is { } local ? local.Type.Kind == TypeKind.Tensor : null, indexedNames);
    }
}
