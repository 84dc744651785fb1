// Binder: argument lists, variants and data clauses, and cycles between definitions.
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
    }
}
