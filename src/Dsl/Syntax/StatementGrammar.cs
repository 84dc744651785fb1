using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Text;
using Sprache;
using static ArchDsl.Syntax.Lexical;
using static ArchDsl.Syntax.ArchParser;
using static ArchDsl.Syntax.ExpressionGrammar;
using static ArchDsl.Syntax.NameGrammar;

namespace ArchDsl.Syntax
{
    /// <summary>The .arch grammar: statements and bodies, with recovery statement by statement. Part of <see cref="ArchParser"/>.</summary>
    internal static class StatementGrammar
    {
        // ------------------------------------------------------------ statements

        internal static readonly Parser<StatementSyntax> StatementRef = Ref(() => Statement);
        internal static readonly Parser<StatementSyntax> Let =
            from start in Start
            from k in Kw("let")
            from id in Ident
            from eq in SymNot("=", "=")
            from value in Expr
            select (StatementSyntax)new LetStmt(id.Name, S(id.Start, id.End), value, S(start, value.Span.End));

        internal static readonly Parser<StatementSyntax> InputDecl =
            from start in Start
            from k in Kw("input")
            from dims in Dims.Select(ds => ds.Select(d => (ExprSyntax)new IntLiteral(d.Value, S(d.Start, d.End))).ToImmutableArray())
                .Or(ListLit.Select(l => ((ListExpr)l).Items))
            from end in Pos
            select (StatementSyntax)new InputStmt(dims, S(start, end));

        /// <summary>A binding's value: a tensor expression, or a merge (<c>t = add { … }</c>), which is read as
        /// <c>input |> { add { … } }</c>: the merge applied to the current tensor.</summary>
        internal static readonly Parser<ExprSyntax> BindingValue = Ref(() =>
            Merge("concat", MergeKind.Concat).Or(Merge("add", MergeKind.Add)).Or(Merge("mul", MergeKind.Mul))
                .Select(m => (ExprSyntax)new PipeExpr(new NameExpr("input", new TextSpan(m.Span.Start, 0)),
                    ImmutableArray.Create<StatementSyntax>(new GroupStmt(new BodySyntax(ImmutableArray.Create(m), m.Span), m.Span)), m.Span))
                .Or(Expr));

        internal static readonly Parser<StatementSyntax> Assign =
            from id in Ident
            from eq in SymNot("=", "=")
            from value in BindingValue
            select (StatementSyntax)new AssignStmt(id.Name, S(id.Start, id.End), value, S(id.Start, value.Span.End));

        /// <summary><c>output name</c> or <c>output name = value</c> (<c>output</c> is a keyword only here).</summary>
        internal static readonly Parser<StatementSyntax> Output =
            from start in Start
            from k in Kw("output")
            from id in Ident
            from value in SymNot("=", "=").Then(_ => BindingValue).Optional()
            select (StatementSyntax)new OutputStmt(id.Name, S(id.Start, id.End), value.GetOrDefault(), S(start, value.IsDefined ? value.Get().Span.End : id.End));

        internal static readonly Parser<StatementSyntax> IndexedAssign =
            from name in NameSpecRef
            where !name.IsStatic
            from eq in SymNot("=", "=")
            from value in BindingValue
            select (StatementSyntax)new IndexedAssignStmt(name, value, name.Span.Cover(value.Span));

        internal static readonly Parser<(int Start, ExprSyntax Condition, BodySyntax Then)> IfHead =
            from start in Start
            from k in Kw("if")
            from cond in Expr
            from then in BodyRef
            select (start, cond, then);

        /// <summary><c>if c { … } else if d { … } … else { … }</c>. The branches of a chain are read in a loop, not by
        /// recursion, so a chain of any length costs the parser the stack of one; the tree nests each <c>else if</c>
        /// in the previous one's else (<see cref="BeyondLimits"/> counts a chain as one level). An <c>else</c>
        /// followed by neither an <c>if</c> nor a body is not part of the statement.</summary>
        internal static readonly Parser<StatementSyntax> If = input =>
        {
            var first = IfHead(input);
            if (!first.WasSuccessful) return Result.Failure<StatementSyntax>(first.Remainder, first.Message, first.Expectations);
            var heads = new List<(int Start, ExprSyntax Condition, BodySyntax Then)> { first.Value };
            var rest = first.Remainder;
            StatementSyntax? last = null;
            while (true)
            {
                var els = Kw("else")(rest);
                if (!els.WasSuccessful) break;
                var head = IfHead(els.Remainder);
                if (head.WasSuccessful) { heads.Add(head.Value); rest = head.Remainder; continue; }
                var body = BodyRef(els.Remainder);
                if (body.WasSuccessful) { last = new GroupStmt(body.Value, body.Value.Span); rest = body.Remainder; }
                break;
            }
            for (int k = heads.Count - 1; k >= 0; k--)
            {
                var (start, cond, then) = heads[k];
                last = new IfStmt(cond, then, last, S(start, last?.Span.End ?? then.Span.End));
            }
            return Result.Success(last!, rest);
        };

        internal static readonly Parser<RepeatStmt> Repeat =
            from start in Start
            from k in Kw("repeat")
            from count in Expr
            from variable in Kw("as").Then(_ => Ident).Optional()
            from body in BodyRef
            select new RepeatStmt(count, variable.IsDefined ? variable.Get().Name : null,
                variable.IsDefined ? S(variable.Get().Start, variable.Get().End) : new TextSpan(start, 0), body, S(start, body.Span.End));

        internal static readonly Parser<StatementSyntax> For =
            from start in Start
            from k in Kw("for")
            from id in Ident
            from kin in Kw("in")
            from source in Expr
            from upper in Sym("..").Then(_ => Expr).Optional()
            from body in BodyRef
            select (StatementSyntax)new ForStmt(id.Name, S(id.Start, id.End),
                upper.IsDefined ? new RangeExpr(source, upper.Get(), source.Span.Cover(upper.Get().Span)) : source,
                body, S(start, body.Span.End));

        internal static readonly Parser<ShortcutSyntax> Shortcut =
            (from start in Start
             from k in Kw("shortcut")
             from z in Kw("zeropad")
             from cond in Kw("when").Then(_ => Expr).Optional()
             from body in BodyRef.Optional()
             from end in Pos
             select new ShortcutSyntax(ShortcutKind.ZeroPad, null, cond.GetOrDefault(), body.GetOrDefault(), S(start, end)))
            .Or(from start in Start
                from k in Kw("shortcut")
                from name in ShortcutLabelRef.Optional()
                from cond in Kw("when").Then(_ => Expr).Optional()
                from body in BodyRef
                select new ShortcutSyntax(ShortcutKind.Projection, name.GetOrDefault(), cond.GetOrDefault(), body, S(start, body.Span.End)));

        /// <summary><c>residual [when c] { body } [shortcut …]</c>, or the shortcut clause first
        /// (<c>residual [when c] shortcut … { body }</c>: its modules are registered before the body's).</summary>
        internal static readonly Parser<StatementSyntax> Residual =
            (from start in Start
             from k in Kw("residual")
             from cond in Kw("when").Then(_ => Expr).Optional()
             from shortcut in Shortcut
             from body in BodyRef
             select (StatementSyntax)new ResidualStmt(cond.GetOrDefault(), body, shortcut, S(start, body.Span.End), ShortcutFirst: true))
            .Or(from start in Start
                from k in Kw("residual")
                from cond in Kw("when").Then(_ => Expr).Optional()
                from body in BodyRef
                from shortcut in Shortcut.Optional()
                select (StatementSyntax)new ResidualStmt(cond.GetOrDefault(), body, shortcut.GetOrDefault(),
                    S(start, shortcut.IsDefined ? shortcut.Get().Span.End : body.Span.End)));

        internal static Parser<StatementSyntax> Merge(string keyword, MergeKind kind) =>
            from start in Start
            from k in Kw(keyword)
            from body in BodyRef
            select (StatementSyntax)new MergeStmt(kind, body, S(start, body.Span.End));

        internal static readonly Parser<StatementSyntax> Split =
            from start in Start
            from k in Kw("split")
            from body in BodyRef
            select (StatementSyntax)new SplitStmt(body, S(start, body.Span.End));

        internal static readonly Parser<StatementSyntax> Dense =
            from start in Start
            from k in Kw("dense")
            from loop in Repeat
            select (StatementSyntax)new DenseStmt(loop, S(start, loop.Span.End));

        internal static readonly Parser<StatementSyntax> Aux =
            from start in Start
            from k in Kw("aux")
            from body in UnlabeledRef
            select (StatementSyntax)new AuxStmt(body, S(start, body.Span.End));

        internal static readonly Parser<StatementSyntax> Group = BodyRef.Select(b => (StatementSyntax)new GroupStmt(b, b.Span));

        internal static readonly Parser<StatementSyntax> ExpressionStatement = Expr.Select(e => (StatementSyntax)new ExprStmt(e, e.Span));

        internal static readonly Parser<StatementSyntax> Unlabeled =
            If.Or(Repeat.Select(r => (StatementSyntax)r)).Or(For).Or(Residual)
              .Or(Merge("concat", MergeKind.Concat)).Or(Merge("add", MergeKind.Add)).Or(Merge("mul", MergeKind.Mul))
              .Or(Split).Or(Dense).Or(Aux).Or(Group).Or(ExpressionStatement)
              .Named("statement");

        internal static readonly Parser<StatementSyntax> Labeled =
            from name in LabelRef
            from colon in SymNot(":", ":")
            from inner in UnlabeledRef
            select (StatementSyntax)new LabeledStmt(name, inner, name.Span.Cover(inner.Span));

        internal static readonly Parser<IOption<string>> Semicolon = Sym(";").Optional();

        internal static readonly Parser<StatementSyntax> Statement =
            from s in Let.Or(InputDecl).Or(Output).Or(Assign).Or(IndexedAssign).Or(Labeled).Or(Unlabeled)
            from semi in Semicolon
            select s;

        /// <summary><c>{ statement* }</c> with recovery: a statement that fails to parse becomes an
        /// <see cref="ErrorStmt"/> and parsing resumes after it (next line or ';' at the same brace depth).</summary>
        internal static readonly Parser<BodySyntax> Body = input =>
        {
            var open = Sym("{")(input);
            if (!open.WasSuccessful) return Result.Failure<BodySyntax>(open.Remainder, "'{'", new[] { "'{'" });
            int start = open.Remainder.Position - 1;
            var statements = ImmutableArray.CreateBuilder<StatementSyntax>();
            var i = open.Remainder;
            while (true)
            {
                i = Ws(i).Remainder;
                if (i.AtEnd) return Result.Failure<BodySyntax>(i, "'}'", new[] { "'}'" });
                if (i.Current == '}')
                {
                    i = i.Advance();
                    return Result.Success(new BodySyntax(statements.ToImmutable(), S(start, i.Position)), i);
                }
                var r = Statement(i);
                if (r.WasSuccessful && r.Remainder.Position > i.Position)
                {
                    statements.Add(r.Value);
                    i = r.Remainder;
                    continue;
                }
                int failAt = Math.Max(r.Remainder.Position, i.Position);
                int resume = Resync(i.Source, i.Position, failAt, stopAtDeclaration: false);
                statements.Add(new ErrorStmt(Expected(r.Expectations, "a statement"), ErrorSpan(i.Source, failAt)));
                i = AdvanceTo(i, resume);
            }
        };

        internal static string Expected(IEnumerable<string> expectations, string fallback)
        {
            var list = expectations.Where(e => !string.IsNullOrEmpty(e)).Distinct().OrderBy(e => e, StringComparer.Ordinal).ToList();
            return list.Count == 0 ? fallback : global::System.String.Join(" or ", list);
        }

        internal static TextSpan ErrorSpan(string text, int at)
        {
            if (at >= text.Length) return new TextSpan(text.Length, 0);
            int end = at;
            if (IsIdentPart(text[at])) while (end < text.Length && IsIdentPart(text[end])) end++;
            else end = at + 1;
            return S(at, end);
        }

        /// <summary>Where to resume after an error between <paramref name="from"/> and <paramref name="failAt"/>:
        /// the next line break (or ';') past the failure at brace depth 0, or just before a '}' that closes the
        /// enclosing body. At the top level: the next line that starts a declaration.</summary>
        internal static int Resync(string text, int from, int failAt, bool stopAtDeclaration)
        {
            int depth = 0;
            int p = from;
            bool inString = false;
            while (p < text.Length)
            {
                char c = text[p];
                if (inString)
                {
                    // A string ends at its quote or, unterminated, at the line break, which is still a place to resume.
                    if (c == '\\' && p + 1 < text.Length && text[p + 1] != '\n') { p += 2; continue; }
                    if (c != '\n') { if (c == '"') inString = false; p++; continue; }
                    inString = false;
                }
                else if (c == '"') { inString = true; p++; continue; }
                if (c == '/' && p + 1 < text.Length && text[p + 1] == '/') { while (p < text.Length && text[p] != '\n') p++; continue; }
                if (c == '/' && p + 1 < text.Length && text[p + 1] == '*') { int close = text.IndexOf("*/", p + 2, StringComparison.Ordinal); p = close < 0 ? text.Length : close + 2; continue; }
                if (c == '{') depth++;
                else if (c == '}')
                {
                    if (depth == 0 && !stopAtDeclaration) return p > from ? p : p + 1;
                    if (depth > 0) depth--;
                }
                else if ((c == '\n' || c == ';') && depth <= 0 && p >= failAt)
                {
                    if (!stopAtDeclaration) return p + 1;
                    if (StartsDeclaration(text, p + 1)) return p + 1;
                }
                p++;
            }
            return text.Length;
        }

        internal static bool StartsDeclaration(string text, int p)
        {
            while (p < text.Length && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r')) p++;
            foreach (var k in new[] { "block", "network", "variant", "import" })
            {
                if (string.CompareOrdinal(text, p, k, 0, k.Length) == 0 && (p + k.Length >= text.Length || !IsIdentPart(text[p + k.Length])))
                    return true;
            }
            return false;
        }
    }
}
