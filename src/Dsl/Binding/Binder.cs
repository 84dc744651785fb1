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
    /// <summary>Resolves imports and names, checks argument lists and types, finds cycles. Reports
    /// diagnostics into the bag and never throws on user input.</summary>
    public sealed class Binder
    {
        private readonly DiagnosticBag _diagnostics;
        private readonly IImportResolver _resolver;
        private readonly CancellationToken _cancellation;
        private readonly Dictionary<ExprSyntax, ArchType> _types = new Dictionary<ExprSyntax, ArchType>(NodeComparer<ExprSyntax>.Instance);
        private readonly Dictionary<ExprSyntax, BoundCall> _calls = new Dictionary<ExprSyntax, BoundCall>(NodeComparer<ExprSyntax>.Instance);
        private readonly List<ParsedFile> _files = new List<ParsedFile>();
        /// <summary>The files each file imports directly (resolved paths), for what a file's generated code can see.</summary>
        private readonly Dictionary<string, List<string>> _imports = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        private readonly Dictionary<string, DefinitionSymbol> _definitions = new Dictionary<string, DefinitionSymbol>(StringComparer.Ordinal);
        private readonly Dictionary<DefinitionSymbol, HashSet<DefinitionSymbol>> _uses = new Dictionary<DefinitionSymbol, HashSet<DefinitionSymbol>>();

        private Binder(DiagnosticBag diagnostics, IImportResolver resolver, CancellationToken cancellation)
        {
            _diagnostics = diagnostics;
            _resolver = resolver;
            _cancellation = cancellation;
        }

        public static BoundProgram Bind(SourceFile file, IImportResolver resolver, DiagnosticBag diagnostics, CancellationToken cancellation)
        {
            var binder = new Binder(diagnostics, resolver, cancellation);
            return binder.Run(file);
        }

        private BoundProgram Run(SourceFile source)
        {
            var main = ParseAndReport(source.Path, source.Text);
            _files.Add(main);
            LoadImports(main, new List<string> { main.Path });

            // Definitions: imported files first, so a local duplicate is the one reported.
            var local = ImmutableArray.CreateBuilder<DefinitionSymbol>();
            foreach (var file in _files.Skip(1).Concat(new[] { main }))
            {
                foreach (var decl in file.Unit.Declarations.OfType<DefinitionDecl>())
                {
                    var symbol = new DefinitionSymbol(decl.Name, decl.Kind, BindParameters(decl, file), decl, file);
                    if (_definitions.TryGetValue(decl.Name, out var existing))
                    {
                        _diagnostics.Report(DiagnosticCatalogue.DuplicateName, file.Path, decl.NameSpan, decl.Name,
                            "(" + (existing.IsNetwork ? "network" : "block") + " in " + existing.File.Path + ")");
                        continue;
                    }
                    _definitions[decl.Name] = symbol;
                    if (ReferenceEquals(file, main)) local.Add(symbol);
                }
            }

            foreach (var def in _definitions.Values.ToList())
            {
                _cancellation.ThrowIfCancellationRequested();
                CheckDefinition(def);
            }

            var variants = ImmutableArray.CreateBuilder<VariantSymbol>();
            var variantNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var decl in main.Unit.Declarations.OfType<VariantDecl>())
            {
                var v = CheckVariant(decl, main);
                if (!variantNames.Add(decl.Name) || _definitions.ContainsKey(decl.Name))
                {
                    _diagnostics.Report(DiagnosticCatalogue.DuplicateName, main.Path, decl.NameSpan, decl.Name, "in this file");
                    continue;
                }
                variants.Add(v);
            }

            FindCycles();
            return new BoundProgram(main, _definitions.ToImmutableDictionary(StringComparer.Ordinal), local.ToImmutable(),
                variants.ToImmutable(), _types, _files.ToImmutableArray(), _calls);
        }

        // ------------------------------------------------------------ files and imports

        private ParsedFile ParseAndReport(string path, string text)
        {
            text ??= string.Empty;
            if (text.Length > ReliabilityLimits.MaxFileLength)
            {
                _diagnostics.Report(DiagnosticCatalogue.TooLarge, path, new TextSpan(0, 0),
                    "The file has " + text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters; .arch files may have at most "
                    + ReliabilityLimits.MaxFileLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return new ParsedFile(path, text, new CompilationUnit(ImmutableArray<DeclarationSyntax>.Empty, new TextSpan(0, 0)));
            }
            var unit = ArchParser.ParseUnit(text);
            var file = new ParsedFile(path, text, unit);
            foreach (var node in SyntaxWalker.Descendants(unit))
            {
                if (node is ErrorStmt es) _diagnostics.Report(DiagnosticCatalogue.SyntaxError, path, es.Span, es.Expected);
                else if (node is ErrorDecl ed) _diagnostics.Report(DiagnosticCatalogue.SyntaxError, path, ed.Span, ed.Expected);
            }
            return file;
        }

        private void LoadImports(ParsedFile file, List<string> stack)
        {
            foreach (var import in file.Unit.Declarations.OfType<ImportDecl>())
            {
                SourceFile? target;
                string? refusal = null;
                try { target = _resolver.Resolve(file.Path, import.Path); }
                catch (ImportRefusedException refused) { target = null; refusal = refused.Message; }
                catch (Exception) { target = null; }
                if (target == null)
                {
                    _diagnostics.Report(DiagnosticCatalogue.ImportNotFound, file.Path, import.PathSpan, refusal == null
                        ? "Cannot find the imported file '" + import.Path + "'"
                        : "Cannot import '" + import.Path + "': it " + refusal);
                    continue;
                }
                if (!_imports.TryGetValue(file.Path, out var direct)) _imports[file.Path] = direct = new List<string>();
                direct.Add(target.Path);
                if (stack.Contains(target.Path, StringComparer.Ordinal))
                {
                    _diagnostics.Report(DiagnosticCatalogue.CyclicImport, file.Path, import.PathSpan,
                        string.Join(" -> ", stack.Concat(new[] { target.Path })));
                    continue;
                }
                if (_files.Any(f => string.Equals(f.Path, target.Path, StringComparison.Ordinal))) continue;
                var parsed = ParseAndReport(target.Path, target.Text);
                _files.Add(parsed);
                stack.Add(target.Path);
                LoadImports(parsed, stack);
                stack.RemoveAt(stack.Count - 1);
            }
        }

        private ImmutableArray<ParameterSymbol> BindParameters(DefinitionDecl decl, ParsedFile file)
        {
            var result = ImmutableArray.CreateBuilder<ParameterSymbol>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in decl.Parameters)
            {
                var type = ArchType.FromName(p.Type.Name, p.Type.ListDepth);
                if (type == null)
                {
                    _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, file.Path, p.Type.Span,
                        "Unknown type '" + p.Type.Name + "'; use int, float, bool, string, block or a list of them (int[])");
                    type = ArchType.Error;
                }
                if (!seen.Add(p.Name))
                    _diagnostics.Report(DiagnosticCatalogue.DuplicateName, file.Path, p.NameSpan, p.Name, "as a parameter of '" + decl.Name + "'");
                if (Builtins.Values.Contains(p.Name) || p.Name == Builtins.Input)
                    _diagnostics.Report(DiagnosticCatalogue.DuplicateName, file.Path, p.NameSpan, p.Name, "as a builtin value");
                result.Add(new ParameterSymbol(p.Name, type, p));
            }
            return result.ToImmutable();
        }

        // ------------------------------------------------------------ scopes

        private enum LocalKind { Parameter, Let, Loop, Tensor, Builtin }

        private sealed class Local
        {
            public Local(string name, LocalKind kind, ArchType type, TextSpan span) { Name = name; Kind = kind; Type = type; Span = span; }
            public string Name { get; }
            public LocalKind Kind { get; }
            public ArchType Type { get; }
            public TextSpan Span { get; }
            public bool Used { get; set; }
        }

        /// <summary>Per-definition state while checking its body.</summary>
        private sealed class Context
        {
            public Context(DefinitionSymbol? definition, ParsedFile file) { Definition = definition; File = file; }
            public DefinitionSymbol? Definition { get; }
            public ParsedFile File { get; }
            /// <summary>Static labels declared so far in the definition (what '@name' may refer to).</summary>
            public HashSet<string> Labels { get; } = new HashSet<string>(StringComparer.Ordinal);
            /// <summary>Names the definition's labels and tensor bindings may produce (interpolated ones as samples,
            /// <see cref="IndexedNames.Sample"/>), for '@w{i}' and 'x{i}'.</summary>
            public List<string> LabelNames { get; } = new List<string>();
            public List<string> TensorNames { get; } = new List<string>();
            public string Path => File.Path;
        }

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
            if (!(s is ExprStmt es)) return false;
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

        // ------------------------------------------------------------ arguments

        private void CheckDuplicateArguments(ImmutableArray<ArgumentSyntax> args, Context ctx)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in args)
                if (a.Name != null && !seen.Add(a.Name))
                    _diagnostics.Report(DiagnosticCatalogue.DuplicateArgument, ctx.Path, a.Span, a.Name);
        }

        /// <summary>Reports an argument list's matching problems, then checks each matched argument's type against
        /// its parameter (a primitive's pair parameter takes an int or [h, w]).</summary>
        private void CheckArguments(string callee, ArgumentMatch match, ImmutableArray<ArgumentSyntax> args, Func<int, object> parameter, Context ctx, ScopeChain<Local> scope)
        {
            foreach (var problem in match.Problems)
                _diagnostics.Report(problem.Descriptor, ctx.Path, problem.Span, problem.Arguments.ToArray());
            foreach (var a in args)
            {
                var t = Infer(a.Value, scope, ctx);
                int index = match.ByParameter.IndexOf(a);
                if (index < 0) continue;
                switch (parameter(index))
                {
                    case PrimitiveParameter p:
                    {
                        bool ok = p.Kind == ArgKind.Pair
                            ? t.IsError || t.Kind == TypeKind.Int || (t.Kind == TypeKind.List && t.Element!.Kind == TypeKind.Int)
                            : p.Type.Accepts(t);
                        if (!ok)
                            _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, a.Value.Span,
                                "'" + p.Name + "' of '" + callee + "' takes " + (p.Kind == ArgKind.Pair ? "an int or [h, w]" : "a " + p.Type) + ", not " + t);
                        break;
                    }
                    case ParameterSymbol p:
                        if (!p.Type.Accepts(t))
                            _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, a.Value.Span, "'" + p.Name + "' of '" + callee + "' is " + p.Type + ", not " + t);
                        else if (p.Type.Kind == TypeKind.Block) CheckBlockIsVisible(callee, p, a.Value, ctx, scope);
                        break;
                }
            }
        }

        /// <summary>A block passed to a definition of another file must be one that file sees (its own or imported):
        /// the definition's class is generated with its own file's block choices, so any other block could not be named
        /// in C# (nor in Python). Reported at the argument instead of as a compile error in generated code.</summary>
        private void CheckBlockIsVisible(string callee, ParameterSymbol parameter, ExprSyntax value, Context ctx, ScopeChain<Local> scope)
        {
            if (value is not NameExpr name || scope.Lookup(name.Name) != null) return;
            if (!_definitions.TryGetValue(callee, out var target) || !_definitions.TryGetValue(name.Name, out var block) || block.IsNetwork) return;
            var visible = FilesSeenBy(target.File.Path);
            if (visible.Contains(block.File.Path)) return;
            var choices = _definitions.Values.Where(d => !d.IsNetwork && visible.Contains(d.File.Path)).Select(d => d.Name).OrderBy(n => n, StringComparer.Ordinal);
            _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, value.Span,
                "'" + parameter.Name + "' of '" + callee + "' takes a block that " + target.File.Path + " sees (" + string.Join(", ", choices)
                + "): '" + name.Name + "' is declared in " + block.File.Path + ", which it does not import. Declare '" + callee
                + "' in the same file as '" + name.Name + "', or '" + name.Name + "' where " + target.File.Path + " imports it");
        }

        /// <summary>A file and every file it imports, directly or not.</summary>
        private HashSet<string> FilesSeenBy(string path)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { path };
            var pending = new Stack<string>(new[] { path });
            while (pending.Count > 0)
                if (_imports.TryGetValue(pending.Pop(), out var direct))
                    foreach (var next in direct)
                        if (seen.Add(next)) pending.Push(next);
            return seen;
        }

        // ------------------------------------------------------------ variants

        private VariantSymbol CheckVariant(VariantDecl decl, ParsedFile file)
        {
            var ctx = new Context(null, file);
            if (decl.Data != null) CheckDataClause(decl.Data, ctx);
            if (!_definitions.TryGetValue(decl.Target, out var target))
            {
                _diagnostics.Report(DiagnosticCatalogue.UnknownCallee, file.Path, decl.TargetSpan, decl.Target);
                foreach (var a in decl.Arguments) Infer(a.Value, new ScopeChain<Local>(null), ctx);
                return new VariantSymbol(decl.Name, null, decl, file);
            }
            if (!target.IsNetwork)
            {
                _diagnostics.Report(DiagnosticCatalogue.NotANetwork, file.Path, decl.TargetSpan, decl.Name, decl.Target, "a block");
                return new VariantSymbol(decl.Name, null, decl, file);
            }
            var match = ArgumentMatcher.Match(target, decl.Arguments, decl.TargetSpan);
            CheckArguments(target.Name, match, decl.Arguments, i => target.Parameters[i], ctx, new ScopeChain<Local>(null));
            return new VariantSymbol(decl.Name, target, decl, file) { Match = match };
        }

        /// <summary>A variant's <c>data</c> clause: a known preset, and named arguments of the types
        /// <see cref="Analysis.DataConfigs.Parameters"/> gives (their values are checked against the input later).</summary>
        private void CheckDataClause(DataClause data, Context ctx)
        {
            if (data.Preset != null && !Analysis.DataConfigs.Presets.ContainsKey(data.Preset))
                _diagnostics.Report(DiagnosticCatalogue.InvalidValue, ctx.Path, data.PresetSpan, "Unknown data preset '" + data.Preset + "' (presets: " + string.Join(", ", Analysis.DataConfigs.Presets.Keys.OrderBy(k => k, StringComparer.Ordinal)) + ")");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in data.Arguments)
            {
                var t = Infer(a.Value, new ScopeChain<Local>(null), ctx);
                if (a.Name == null)
                {
                    _diagnostics.Report(DiagnosticCatalogue.ArgumentCount, ctx.Path, a.Span, "data takes named arguments only (" + string.Join(", ", Analysis.DataConfigs.Parameters.Keys.OrderBy(k => k, StringComparer.Ordinal)) + ")");
                    continue;
                }
                if (!Analysis.DataConfigs.Parameters.TryGetValue(a.Name, out var type))
                {
                    _diagnostics.Report(DiagnosticCatalogue.UnknownParameter, ctx.Path, new TextSpan(a.Span.Start, a.Name.Length), "data", a.Name);
                    continue;
                }
                if (!seen.Add(a.Name)) _diagnostics.Report(DiagnosticCatalogue.DuplicateArgument, ctx.Path, new TextSpan(a.Span.Start, a.Name.Length), a.Name);
                else if (!type.Accepts(t)) _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, a.Value.Span, "'" + a.Name + "' of 'data' takes a " + type + ", not " + t);
            }
        }

        // ------------------------------------------------------------ cycles

        private void FindCycles()
        {
            var state = new Dictionary<DefinitionSymbol, int>();
            var path = new List<DefinitionSymbol>();
            foreach (var def in _definitions.Values.OrderBy(d => d.Syntax.Span.Start))
                Visit(def, state, path);
        }

        private void Visit(DefinitionSymbol def, Dictionary<DefinitionSymbol, int> state, List<DefinitionSymbol> path)
        {
            state.TryGetValue(def, out var s);
            if (s == 2) return;
            if (s == 1)
            {
                int start = path.IndexOf(def);
                var cycle = path.Skip(start).Select(d => d.Name).Concat(new[] { def.Name });
                _diagnostics.Report(DiagnosticCatalogue.CyclicDefinition, def.File.Path, def.Syntax.NameSpan, def.Name, string.Join(" -> ", cycle));
                return;
            }
            state[def] = 1;
            path.Add(def);
            if (_uses.TryGetValue(def, out var targets))
                foreach (var t in targets.OrderBy(t => t.Syntax.Span.Start)) Visit(t, state, path);
            path.RemoveAt(path.Count - 1);
            state[def] = 2;
        }

        // ------------------------------------------------------------ expressions

        private static int LineOf(Context ctx, TextSpan span)
        {
            var text = ctx.File.Text;
            int line = 1;
            for (int k = 0; k < span.Start && k < text.Length; k++) if (text[k] == '\n') line++;
            return line;
        }

        /// <summary>The type of the items a loop or comprehension runs over: a list's element, or int for a range a..b.</summary>
        private ArchType LoopElement(ExprSyntax source, ScopeChain<Local> scope, Context ctx, string who)
        {
            if (source is RangeExpr range)
            {
                Expect(range.From, ArchType.Int, scope, ctx, "A range bound");
                Expect(range.To, ArchType.Int, scope, ctx, "A range bound");
                _types[range] = ArchType.ListOf(ArchType.Int);
                return ArchType.Int;
            }
            var t = Infer(source, scope, ctx);
            if (t.Kind == TypeKind.List) return t.Element!;
            if (!t.IsError)
                _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, source.Span, who + " a list or a range a..b, not " + t);
            return ArchType.Error;
        }

        /// <summary>A comprehension's type: a list of its item's type; the variable is bound in a scope of its own.</summary>
        private ArchType InferComprehension(ComprehensionExpr co, ScopeChain<Local> scope, Context ctx)
        {
            var element = LoopElement(co.Source, scope, ctx, "A comprehension needs");
            var inner = new ScopeChain<Local>(scope);
            Declare(inner, new Local(co.Variable, LocalKind.Loop, element, co.VariableSpan), ctx);
            if (co.Filter != null) Expect(co.Filter, ArchType.Bool, inner, ctx, "A comprehension's 'if'");
            var item = Infer(co.Item, inner, ctx);
            if (item.IsError) return ArchType.Error;
            if (item.Kind == TypeKind.Tensor) return Mismatch(co.Item, "A list holds scalars, not tensors", ctx);
            return ArchType.ListOf(item);
        }

        private void Expect(ExprSyntax e, ArchType expected, ScopeChain<Local> scope, Context ctx, string what)
        {
            var t = Infer(e, scope, ctx);
            if (!expected.Accepts(t))
                _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, e.Span, what + " must be " + expected + ", not " + t);
        }

        private ArchType Infer(ExprSyntax e, ScopeChain<Local> scope, Context ctx, HashSet<string>? container = null)
        {
            var t = InferCore(e, scope, ctx, container);
            _types[e] = t;
            return t;
        }

        private ArchType InferCore(ExprSyntax e, ScopeChain<Local> scope, Context ctx, HashSet<string>? container)
        {
            switch (e)
            {
                case IntLiteral _: return ArchType.Int;
                case FloatLiteral _: return ArchType.Float;
                case BoolLiteral _: return ArchType.Bool;
                case StringLiteral _: return ArchType.String;
                case NameExpr n:
                {
                    var local = scope.Lookup(n.Name);
                    if (local != null) { local.Used = true; return local.Type; }
                    if (n.Name == Builtins.Input) return ArchType.Tensor;
                    if (Builtins.Values.Contains(n.Name)) return ArchType.Int;
                    if (_definitions.TryGetValue(n.Name, out var def))
                    {
                        Use(ctx, def);
                        return ArchType.Block;
                    }
                    if (Primitives.Find(n.Name) != null)
                    {
                        _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, n.Span,
                            "'" + n.Name + "' is a layer; apply it as a statement or as a pipeline stage (x |> " + n.Name + ")");
                        return ArchType.Error;
                    }
                    _diagnostics.Report(DiagnosticCatalogue.UnknownName, ctx.Path, n.Span, n.Name);
                    return ArchType.Error;
                }
                case ListExpr list:
                {
                    ArchType? element = null;
                    foreach (var item in list.Items)
                    {
                        var t = Infer(item, scope, ctx);
                        var u = element == null ? t : ArchType.Unify(element, t);
                        if (u == null)
                        {
                            _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, item.Span, "List items must share a type: " + element + " and " + t);
                            u = ArchType.Error;
                        }
                        element = u;
                    }
                    return ArchType.ListOf(element ?? ArchType.Int);
                }
                case UnaryExpr u:
                {
                    var t = Infer(u.Operand, scope, ctx);
                    if (t.IsError) return t;
                    if (u.Op == "!")
                    {
                        if (t.Kind != TypeKind.Bool) return Mismatch(u, "'!' needs a bool, not " + t, ctx);
                        return ArchType.Bool;
                    }
                    if (t.IsNumeric || t.Kind == TypeKind.Tensor) return t;
                    return Mismatch(u, "'-' needs a number, not " + t, ctx);
                }
                case BinaryExpr b: return InferBinary(b, scope, ctx, container);
                case ConditionalExpr c:
                {
                    Expect(c.Condition, ArchType.Bool, scope, ctx, "A condition");
                    var a = Infer(c.WhenTrue, scope, ctx);
                    var bt = Infer(c.WhenFalse, scope, ctx);
                    var u = ArchType.Unify(a, bt);
                    if (u == null) return Mismatch(c, "Both branches of '?:' must have the same type: " + a + " and " + bt, ctx);
                    if (u.Kind == TypeKind.Tensor) return Mismatch(c, "'?:' chooses between scalars; choose between tensors with 'if'", ctx);
                    return u;
                }
                case IndexExpr ix:
                {
                    var target = Infer(ix.Target, scope, ctx);
                    Expect(ix.Index, ArchType.Int, scope, ctx, "An index");
                    if (target.IsError) return ArchType.Error;
                    if (target.Kind != TypeKind.List) return Mismatch(ix, "Only lists can be indexed, not " + target, ctx);
                    return target.Element!;
                }
                case RangeExpr r:
                    Infer(r.From, scope, ctx);
                    Infer(r.To, scope, ctx);
                    return Mismatch(r, "A range a..b is only allowed after 'for … in'", ctx);
                case CallExpr call: return InferCall(call, scope, ctx);
                case ComprehensionExpr co: return InferComprehension(co, scope, ctx);
                case SharedRefExpr sr:
                    return Mismatch(sr, "'@" + sr.Name + "' applies a module; use it as a statement or a pipeline stage", ctx);
                case IndexedSharedRefExpr isr:
                    return Mismatch(isr, "'@" + IndexedNames.Display(isr.Name) + "' applies a module; use it as a statement or a pipeline stage", ctx);
                case IndexedNameExpr ine:
                {
                    CheckNameParts(ine.Name, scope, ctx);
                    if (!ctx.TensorNames.Any(n => IndexedNames.CouldName(ine.Name, n)))
                    {
                        _diagnostics.Report(DiagnosticCatalogue.UnknownName, ctx.Path, ine.Span, IndexedNames.Display(ine.Name));
                        return ArchType.Error;
                    }
                    return ArchType.Tensor;
                }
                case PipeExpr pipe:
                {
                    var source = Infer(pipe.Source, scope, ctx);
                    if (source.Kind != TypeKind.Tensor && !source.IsError)
                        _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, pipe.Source.Span, "A pipeline starts from a tensor (e.g. 'input'), not a " + source);
                    var names = container ?? new HashSet<string>(StringComparer.Ordinal);
                    foreach (var stage in pipe.Stages) CheckStatement(stage, scope, names, ctx);
                    return ArchType.Tensor;
                }
            }
            return ArchType.Error;
        }

        private ArchType Mismatch(ExprSyntax e, string message, Context ctx)
        {
            _diagnostics.Report(DiagnosticCatalogue.TypeMismatch, ctx.Path, e.Span, message);
            return ArchType.Error;
        }

        private ArchType InferBinary(BinaryExpr b, ScopeChain<Local> scope, Context ctx, HashSet<string>? container)
        {
            var l = Infer(b.Left, scope, ctx, container);
            var r = Infer(b.Right, scope, ctx, container);
            if (l.IsError || r.IsError) return ArchType.Error;
            switch (b.Op)
            {
                case "&&":
                case "||":
                    if (l.Kind != TypeKind.Bool || r.Kind != TypeKind.Bool) return Mismatch(b, "'" + b.Op + "' needs bools, not " + l + " and " + r, ctx);
                    return ArchType.Bool;
                case "==":
                case "!=":
                    if (ArchType.Unify(l, r) == null || l.Kind == TypeKind.Tensor) return Mismatch(b, "Cannot compare " + l + " with " + r, ctx);
                    return ArchType.Bool;
                case "<":
                case "<=":
                case ">":
                case ">=":
                    if (!l.IsNumeric || !r.IsNumeric) return Mismatch(b, "'" + b.Op + "' compares numbers, not " + l + " and " + r, ctx);
                    return ArchType.Bool;
            }
            if (l.Kind == TypeKind.Tensor || r.Kind == TypeKind.Tensor)
            {
                bool ok = (b.Op == "*" || b.Op == "+" || b.Op == "-")
                    && (l.Kind == TypeKind.Tensor || l.IsNumeric) && (r.Kind == TypeKind.Tensor || r.IsNumeric);
                if (!ok) return Mismatch(b, "Tensors combine element-wise with +, - and * only", ctx);
                return ArchType.Tensor;
            }
            if (b.Op == "+" && l.Kind == TypeKind.String && r.Kind == TypeKind.String) return ArchType.String;
            if (!l.IsNumeric || !r.IsNumeric) return Mismatch(b, "'" + b.Op + "' needs numbers, not " + l + " and " + r, ctx);
            return l.Kind == TypeKind.Int && r.Kind == TypeKind.Int ? ArchType.Int : ArchType.Float;
        }

        private ArchType InferCall(CallExpr call, ScopeChain<Local> scope, Context ctx)
        {
            var argTypes = call.Arguments.Select(a => Infer(a.Value, scope, ctx)).ToList();
            if (!Builtins.Functions.TryGetValue(call.Callee, out var arity))
            {
                if (Primitives.Find(call.Callee) != null || _definitions.ContainsKey(call.Callee) || scope.Lookup(call.Callee)?.Type.Kind == TypeKind.Block)
                    _diagnostics.Report(DiagnosticCatalogue.TensorMisuse, ctx.Path, call.CalleeSpan,
                        "'" + call.Callee + "' is a layer or block; apply it as a statement or as a pipeline stage (x |> " + call.Callee + "(…))");
                else
                    _diagnostics.Report(DiagnosticCatalogue.UnknownName, ctx.Path, call.CalleeSpan, call.Callee);
                return ArchType.Error;
            }
            foreach (var a in call.Arguments)
                if (a.Name != null)
                    _diagnostics.Report(DiagnosticCatalogue.UnknownParameter, ctx.Path, a.Span, call.Callee, a.Name);
            if (argTypes.Count < arity.Min || argTypes.Count > arity.Max)
            {
                _diagnostics.Report(DiagnosticCatalogue.ArgumentCount, ctx.Path, call.CalleeSpan,
                    "'" + call.Callee + "' takes " + (arity.Min == arity.Max ? arity.Min.ToString(System.Globalization.CultureInfo.InvariantCulture) : arity.Min + " to " + arity.Max) + " arguments, not " + argTypes.Count);
                return ArchType.Error;
            }
            if (argTypes.Any(t => t.IsError)) return call.Callee == "float" || call.Callee == "log" || call.Callee == "exp" || call.Callee == "sqrt" ? ArchType.Float : call.Callee == "len" || call.Callee == "make_divisible" ? ArchType.Int : ArchType.Error;
            if (call.Callee == "len")
            {
                if (argTypes[0].Kind != TypeKind.List) return Mismatch(call, "'len' takes a list, not " + argTypes[0], ctx);
                return ArchType.Int;
            }
            if (call.Callee == "sum" || call.Callee == "cumsum")
            {
                var list = argTypes[0];
                if (list.Kind != TypeKind.List || !list.Element!.IsNumeric)
                    return Mismatch(call.Arguments[0].Value, "'" + call.Callee + "' takes a list of numbers, not " + list, ctx);
                return call.Callee == "sum" ? list.Element! : list;
            }
            for (int i = 0; i < argTypes.Count; i++)
                if (!argTypes[i].IsNumeric)
                    return Mismatch(call.Arguments[i].Value, "'" + call.Callee + "' takes numbers, not " + argTypes[i], ctx);
            // make_divisible rounds to a multiple of its divisor (and floor): both are counts of channels.
            if (call.Callee == "make_divisible")
                for (int i = 1; i < argTypes.Count; i++)
                    if (argTypes[i].Kind != TypeKind.Int)
                        return Mismatch(call.Arguments[i].Value, "'make_divisible' takes an int " + (i == 1 ? "divisor" : "minimum") + ", not " + argTypes[i], ctx);
            switch (call.Callee)
            {
                case "make_divisible":
                case "round":
                case "ceil":
                case "floor":
                case "int":
                    return ArchType.Int;
                case "float":
                case "log":
                case "exp":
                case "sqrt":
                    return ArchType.Float;
                default:
                    return argTypes.All(t => t.Kind == TypeKind.Int) ? ArchType.Int : ArchType.Float;
            }
        }
    }
}
