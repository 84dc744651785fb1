// Binder: the entry point, files and imports, parameters and scopes.
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
    public sealed partial class Binder
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
            /// <summary>The named outputs declared so far (<c>output name</c>) and where.</summary>
            public Dictionary<string, TextSpan> Outputs { get; } = new Dictionary<string, TextSpan>(StringComparer.Ordinal);
            public string Path => File.Path;
        }
    }
}
