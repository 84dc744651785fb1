// Binder: definitions and their statements - names, labels, applications and what each uses.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Binding
{
    public sealed partial class Binder
    {
        // ------------------------------------------------------------ definitions

        private void CheckDefinition(DefinitionSymbol def)
        {
            var ctx = new Context(def, def.File);
            var scope = new ScopeChain<Local>(null);
            foreach (var p in def.Parameters)
            {
                if (p.Syntax.Default != null)
                {
                    var t = Infer(p.Syntax.Default, scope, ctx);
                    if (!p.Type.Accepts(t))
                        _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, p.Syntax.Default.Span,
                            "Default of '" + p.Name + "' is " + t + " but the parameter is " + p.Type);
                }
                scope.Declare(p.Name, new Local(p.Name, LocalKind.Parameter, p.Type, p.Syntax.NameSpan));
            }
            var body = new ScopeChain<Local>(scope);
            var topLevel = new HashSet<string>(StringComparer.Ordinal);
            var statements = def.Syntax.Body.Statements;
            for (int i = 0; i < statements.Length; i++)
            {
                var s = statements[i];
                if (s is InputStmt input)
                {
                    if (!def.IsNetwork)
                        _diagnostics.Report(DiagnosticCatalogue.MisplacedStatement, ctx.Path, s.Span, "A block takes its input from where it is used; only a network declares 'input'");
                    else if (i != 0)
                        _diagnostics.Report(DiagnosticCatalogue.InputDeclaration, ctx.Path, s.Span, "'input' must be the first statement of network '" + def.Name + "'");
                    CheckInput(input, body, ctx);
                    continue;
                }
                if (s is OutputStmt output)
                {
                    CheckOutput(output, body, topLevel, ctx, inOwnBody: true);
                    continue;
                }
                CheckStatement(s, body, topLevel, ctx);
            }
            // A second pass is not needed: names are declared before use.
            if (def.IsNetwork && !statements.OfType<InputStmt>().Any())
                _diagnostics.Report(DiagnosticCatalogue.InputDeclaration, ctx.Path, def.Syntax.NameSpan,
                    "Network '" + def.Name + "' needs an input declaration such as 'input 3x224x224' as its first statement");

            foreach (var l in scope.Own)
            {
                if (!l.Used)
                    _diagnostics.Report(DiagnosticCatalogue.UnusedParameter, ctx.Path, l.Span, l.Name, def.Name);
            }
        }

        private void CheckInput(InputStmt input, ScopeChain<Local> scope, Context ctx)
        {
            if (input.Dimensions.Length != 3)
                _diagnostics.Report(DiagnosticCatalogue.InputDeclaration, ctx.Path, input.Span,
                    "'input' takes three sizes, channels x height x width (e.g. 3x224x224), not " + input.Dimensions.Length);
            foreach (var d in input.Dimensions) Expect(d, ArchType.Int, scope, ctx, "An input size");
        }

        // Container names: the static child names already used in the container being filled.
        private void CheckStatement(StatementSyntax s, ScopeChain<Local> scope, HashSet<string> container, Context ctx)
        {
            _cancellation.ThrowIfCancellationRequested();
            switch (s)
            {
                case ErrorStmt _:
                    return;
                case LetStmt let:
                {
                    var t = Infer(let.Value, scope, ctx);
                    if (t.Kind == TypeKind.Tensor)
                        _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, let.Value.Span, "'let' binds a scalar; bind a tensor with '" + let.Name + " = …' instead");
                    Declare(scope, new Local(let.Name, LocalKind.Let, t, let.NameSpan), ctx);
                    return;
                }
                case InputStmt input:
                    _diagnostics.Report(DiagnosticCatalogue.MisplacedStatement, ctx.Path, input.Span, "'input' is only allowed as the first statement of a network");
                    return;
                case AssignStmt assign:
                {
                    var t = Infer(assign.Value, scope, ctx, container);
                    if (t.Kind != TypeKind.Tensor && !t.IsError)
                        _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, assign.Value.Span,
                            "'" + assign.Name + " = …' binds a tensor but the value is " + t + "; use 'let' for scalars");
                    Declare(scope, new Local(assign.Name, LocalKind.Tensor, ArchType.Tensor, assign.NameSpan), ctx);
                    ctx.TensorNames.Add(assign.Name);
                    return;
                }
                case OutputStmt output:
                    CheckOutput(output, scope, container, ctx, inOwnBody: false);
                    return;
                case IndexedAssignStmt indexed:
                {
                    // Declared before its value is checked: a loop's binding reads the earlier iterations' (x{j}, j < i).
                    CheckNameParts(indexed.Name, scope, ctx);
                    ctx.TensorNames.Add(IndexedNames.Sample(indexed.Name));
                    var t = Infer(indexed.Value, scope, ctx, container);
                    if (t.Kind != TypeKind.Tensor && !t.IsError)
                        _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, indexed.Value.Span,
                            "'" + IndexedNames.Display(indexed.Name) + " = …' binds a tensor but the value is " + t);
                    return;
                }
                case LabeledStmt labeled:
                {
                    CheckName(labeled.Name, scope, container, ctx);
                    if (labeled.Statement is AuxStmt aux)
                    {
                        // 'name: aux S' names S as 'name: S' would.
                        CheckStatement(new LabeledStmt(labeled.Name, aux.Body, labeled.Span), scope, new HashSet<string>(StringComparer.Ordinal), ctx);
                        return;
                    }
                    if (labeled.Statement is ExprStmt resized && IsResize(resized.Expression, scope) != null)
                        _diagnostics.Report(DiagnosticCatalogue.InvalidValue, ctx.Path, labeled.Name.Span,
                            "Up-sampling to another tensor's size registers no module, so it takes no name; remove the label");
                    if (IsApplication(labeled.Statement, scope))
                    {
                        if (labeled.Statement is ExprStmt es && (es.Expression is SharedRefExpr || es.Expression is IndexedSharedRefExpr))
                            _diagnostics.Report(DiagnosticCatalogue.SharedModule, ctx.Path, labeled.Name.Span, "A shared module keeps its first name; remove the label before '@'");
                        CheckStatement(labeled.Statement, scope, container, ctx);
                    }
                    else
                        CheckStatement(labeled.Statement, new ScopeChain<Local>(scope), new HashSet<string>(StringComparer.Ordinal), ctx);
                    return;
                }
                case ExprStmt es:
                    CheckApplicationOrTensor(es.Expression, scope, container, ctx);
                    return;
                case GroupStmt g:
                    CheckBody(g.Body, new ScopeChain<Local>(scope), container, ctx);
                    return;
                case IfStmt ifs:
                    Expect(ifs.Condition, ArchType.Bool, scope, ctx, "An 'if' condition");
                    CheckBody(ifs.Then, new ScopeChain<Local>(scope), container, ctx);
                    if (ifs.Else != null) CheckStatement(ifs.Else, new ScopeChain<Local>(scope), container, ctx);
                    return;
                case RepeatStmt rep:
                {
                    Expect(rep.Count, ArchType.Int, scope, ctx, "A repeat count");
                    var inner = new ScopeChain<Local>(scope);
                    if (rep.Variable != null) Declare(inner, new Local(rep.Variable, LocalKind.Loop, ArchType.Int, rep.VariableSpan), ctx);
                    CheckBody(rep.Body, inner, container, ctx);
                    return;
                }
                case ForStmt f:
                {
                    var element = LoopElement(f.Source, scope, ctx, "'for' needs");
                    var inner = new ScopeChain<Local>(scope);
                    Declare(inner, new Local(f.Variable, LocalKind.Loop, element, f.VariableSpan), ctx);
                    CheckBody(f.Body, inner, container, ctx);
                    return;
                }
                case ResidualStmt r:
                    if (r.Condition != null) Expect(r.Condition, ArchType.Bool, scope, ctx, "A residual condition");
                    CheckBody(r.Body, new ScopeChain<Local>(scope), container, ctx);
                    if (r.Shortcut != null)
                    {
                        if (r.Shortcut.Condition != null) Expect(r.Shortcut.Condition, ArchType.Bool, scope, ctx, "A shortcut condition");
                        if (r.Shortcut.Name != null)
                        {
                            CheckName(r.Shortcut.Name, scope, container, ctx);
                            if (r.Shortcut.Body != null) CheckBody(r.Shortcut.Body, new ScopeChain<Local>(scope), new HashSet<string>(StringComparer.Ordinal), ctx);
                        }
                        else if (r.Shortcut.Body != null) CheckBody(r.Shortcut.Body, new ScopeChain<Local>(scope), container, ctx);
                    }
                    return;
                case MergeStmt m:
                    CheckBranches(m.Branches, scope, container, ctx, m.Kind.ToString().ToLowerInvariant());
                    return;
                case SplitStmt sp:
                    CheckBranches(sp.Branches, scope, container, ctx, "split");
                    return;
                case DenseStmt d:
                    CheckStatement(d.Loop, scope, container, ctx);
                    return;
                case AuxStmt aux:
                    CheckStatement(aux.Body, scope, container, ctx);
                    return;
            }
        }

        private void CheckBranches(BodySyntax branches, ScopeChain<Local> scope, HashSet<string> container, Context ctx, string what)
        {
            int count = branches.Statements.Count(b => !(b is ErrorStmt));
            if (count == 0)
                _diagnostics.Report(DiagnosticCatalogue.InvalidValue, ctx.Path, branches.Span, "'" + what + "' needs at least one branch");
            foreach (var b in branches.Statements)
            {
                if (b is LetStmt || b is AssignStmt)
                    _diagnostics.Report(DiagnosticCatalogue.MisplacedStatement, ctx.Path, b.Span, "Each statement in '" + what + "' is a branch; put bindings before it or inside a { } branch");
                CheckStatement(b, new ScopeChain<Local>(scope), container, ctx);
            }
        }

        private void CheckBody(BodySyntax body, ScopeChain<Local> scope, HashSet<string> container, Context ctx)
        {
            foreach (var s in body.Statements) CheckStatement(s, scope, container, ctx);
        }

        private void Declare(ScopeChain<Local> scope, Local local, Context ctx)
        {
            var previous = scope.Lookup(local.Name);
            if (previous != null && previous.Kind == LocalKind.Parameter && local.Kind != LocalKind.Parameter)
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, local.Span, local.Name, "as a parameter");
            // A 'let' or loop variable never rebinds nor shadows a visible scalar: 'let acc = acc + d' inside a loop would
            // make a new local each iteration and leave the outer one unchanged (build such values with sum, cumsum or a
            // comprehension instead).
            else if (previous != null && (local.Kind == LocalKind.Let || local.Kind == LocalKind.Loop)
                && (previous.Kind == LocalKind.Let || previous.Kind == LocalKind.Loop))
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, local.Span, local.Name,
                    "as " + (previous.Kind == LocalKind.Let ? "a 'let'" : "a loop variable") + " at line " + LineOf(ctx, previous.Span)
                    + "; a name is bound once (no shadowing, no rebinding): choose another name, or build the value with sum, cumsum or [… for … in …]");
            if (Builtins.Values.Contains(local.Name) || local.Name == Builtins.Input)
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, local.Span, local.Name, "as a builtin value");
            scope.Declare(local.Name, local);
        }

        private void CheckName(NameSpec name, ScopeChain<Local> scope, HashSet<string> container, Context ctx)
        {
            CheckNameParts(name, scope, ctx);
            ctx.LabelNames.Add(name.IsStatic ? name.StaticText! : IndexedNames.Sample(name));
            if (name.IsStatic) ctx.Labels.Add(name.StaticText!);
            if (name.IsStatic && !container.Add(name.StaticText!))
                _diagnostics.Report(DiagnosticCatalogue.DuplicateName, ctx.Path, name.Span, name.StaticText!, "in this container");
        }

        private void CheckNameParts(NameSpec name, ScopeChain<Local> scope, Context ctx)
        {
            foreach (var part in name.Parts)
            {
                if (part.Expression == null) continue;
                var t = Infer(part.Expression, scope, ctx);
                if (!(t.Kind == TypeKind.Int || t.Kind == TypeKind.String || t.IsError))
                    _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, part.Expression.Span, "A name part must be an int or a string, not " + t);
            }
        }

        /// <summary>Whether a statement applies a single module (which a label then names).</summary>
        private bool IsApplication(StatementSyntax s, ScopeChain<Local> scope)
        {
            if (!(s is ExprStmt es) || IsResize(es.Expression, scope) != null) return false;
            return ApplicationCallee(es.Expression, scope) != CalleeKind.None || es.Expression is SharedRefExpr || es.Expression is IndexedSharedRefExpr;
        }

        private CalleeKind ApplicationCallee(ExprSyntax e, ScopeChain<Local> scope)
        {
            string? name = e is CallExpr c ? c.Callee : e is NameExpr n ? n.Name : null;
            if (name == null) return CalleeKind.None;
            var local = scope.Lookup(name);
            if (local != null) return local.Type.Kind == TypeKind.Block ? CalleeKind.BlockValue : CalleeKind.None;
            if (Primitives.Find(name) != null) return CalleeKind.Primitive;
            if (_definitions.ContainsKey(name)) return CalleeKind.Definition;
            if (e is CallExpr && Builtins.Functions.ContainsKey(name)) return CalleeKind.Function;
            return CalleeKind.None;
        }

        private void CheckApplicationOrTensor(ExprSyntax e, ScopeChain<Local> scope, HashSet<string> container, Context ctx)
        {
            if (e is SharedRefExpr shared)
            {
                if (!ctx.Labels.Contains(shared.Name))
                    _diagnostics.Report(DiagnosticCatalogue.SharedModule, ctx.Path, shared.Span,
                        "'@" + shared.Name + "' must name a layer declared earlier in this definition as '" + shared.Name + ": …'");
                return;
            }
            if (e is IndexedSharedRefExpr indexedShared)
            {
                CheckNameParts(indexedShared.Name, scope, ctx);
                if (!ctx.LabelNames.Any(l => IndexedNames.CouldName(indexedShared.Name, l)))
                    _diagnostics.Report(DiagnosticCatalogue.SharedModule, ctx.Path, indexedShared.Span,
                        "'@" + IndexedNames.Display(indexedShared.Name) + "' must name a layer declared earlier in this definition under such a name (e.g. '"
                        + IndexedNames.Display(indexedShared.Name) + ": conv(…)')");
                return;
            }
            if (e is CallExpr domain && ParameterDomains.IsDomain(domain.Callee) && scope.Lookup(domain.Callee) == null)
            {
                var problem = ParameterDomains.Check(domain, ctx.Definition);
                if (problem != null) _diagnostics.Report(DiagnosticCatalogue.MisplacedStatement, ctx.Path, domain.Span, problem);
                foreach (var a in domain.Arguments) Infer(a.Value, scope, ctx);
                return;
            }
            if (IsResize(e, scope) is { } resize)
            {
                _types[e] = CheckResize(resize, scope, ctx);
                return;
            }
            var kind = ApplicationCallee(e, scope);
            var (name, args, span) = BoundCall.Parts(e);
            switch (kind)
            {
                case CalleeKind.Primitive:
                {
                    var bound = BoundCall.ForPrimitive(Primitives.Find(name!)!, e);
                    _calls[e] = bound;
                    CheckArguments(name!, bound.Match!, args, i => bound.Primitive!.Parameters[i], ctx, scope);
                    _types[e] = ArchType.Tensor;
                    return;
                }
                case CalleeKind.Definition:
                {
                    var def = _definitions[name!];
                    var bound = BoundCall.ForDefinition(def, e);
                    _calls[e] = bound;
                    if (def.IsNetwork)
                        _diagnostics.Report(DiagnosticCatalogue.MisplacedStatement, ctx.Path, span, "'" + name + "' is a network; only blocks can be applied inside a body");
                    else
                        CheckArguments(def.Name, bound.Match!, args, i => def.Parameters[i], ctx, scope);
                    Use(ctx, def);
                    _types[e] = ArchType.Tensor;
                    return;
                }
                case CalleeKind.BlockValue:
                    _calls[e] = BoundCall.ForBlockValue(e);
                    scope.Lookup(name!)!.Used = true;
                    foreach (var a in args) Infer(a.Value, scope, ctx);
                    CheckDuplicateArguments(args, ctx);
                    _types[e] = ArchType.Tensor;
                    return;
                case CalleeKind.Function:
                    _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, span, "'" + name + "' is a scalar function, not a layer");
                    return;
            }
            if (e is CallExpr || (e is NameExpr ne && scope.Lookup(ne.Name) == null && ne.Name != Builtins.Input && !Builtins.Values.Contains(ne.Name)))
            {
                _diagnostics.Report(DiagnosticCatalogue.UnknownCallee, ctx.Path, span, name!);
                return;
            }
            var t = Infer(e, scope, ctx, container);
            if (t.Kind != TypeKind.Tensor && !t.IsError)
                _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, e.Span,
                    "A statement must apply a layer or compute a tensor; this is a " + t + " value");
        }

        private void Use(Context ctx, DefinitionSymbol target)
        {
            if (ctx.Definition == null) return;
            if (!_uses.TryGetValue(ctx.Definition, out var set)) _uses[ctx.Definition] = set = new HashSet<DefinitionSymbol>();
            set.Add(target);
        }
    }
}
