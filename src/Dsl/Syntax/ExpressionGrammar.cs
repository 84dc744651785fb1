using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Text;
using Sprache;
using static ArchDsl.Syntax.Lexical;
using static ArchDsl.Syntax.ArchParser;
using static ArchDsl.Syntax.NameGrammar;
using static ArchDsl.Syntax.StatementGrammar;

namespace ArchDsl.Syntax
{
    /// <summary>The .arch grammar: expressions - literals, lists, comprehensions, calls, operators, pipes and argument lists. Part of <see cref="ArchParser"/>.</summary>
    internal static class ExpressionGrammar
    {
        // ------------------------------------------------------------ expressions

        internal static readonly Parser<ExprSyntax> ExprRef = Ref(() => Expr);
        internal static readonly Parser<ExprSyntax> TernaryRef = Ref(() => Ternary);
        internal static readonly Parser<BodySyntax> BodyRef = Ref(() => Body);
        internal static readonly Parser<NameSpec> NameSpecRef = Ref(() => NameSpecP);
        internal static readonly Parser<NameSpec> LabelRef = Ref(() => LabelP);
        internal static readonly Parser<NameSpec> ShortcutLabelRef = Ref(() => ShortcutLabelP);
        internal static readonly Parser<StatementSyntax> UnlabeledRef = Ref(() => Unlabeled);

        /// <summary>Zero or more <c>separator item</c>; once a separator is read, the item is required and its
        /// failure (the deepest one) is the result. Tokens skip whitespace first, so Sprache's XMany would
        /// treat skipped whitespace as consumed input; this does not.</summary>
        internal static Parser<List<T>> Continued<T>(Parser<string> separator, Parser<T> item) => input =>
        {
            var items = new List<T>();
            var i = input;
            while (true)
            {
                var s = separator(i);
                if (!s.WasSuccessful) return Result.Success(items, i);
                var r = item(s.Remainder);
                if (!r.WasSuccessful) return Result.Failure<List<T>>(r.Remainder, r.Message, r.Expectations);
                items.Add(r.Value);
                i = r.Remainder;
            }
        };

        /// <summary>Items separated by commas, possibly none. A list that has started must finish: an error after
        /// its first item (or inside it) is the result, not an empty list.</summary>
        internal static Parser<ImmutableArray<T>> CommaList<T>(Parser<T> item)
        {
            var more = Continued(Sym(","), item);
            return input => CommaListAt(item, more, input);
        }

        internal static IResult<ImmutableArray<T>> CommaListAt<T>(Parser<T> item, Parser<List<T>> more, IInput input)
        {
            int start = Ws(input).Remainder.Position;
            var first = item(input);
            if (!first.WasSuccessful)
            {
                if (first.Remainder.Position > start) return Result.Failure<ImmutableArray<T>>(first.Remainder, first.Message, first.Expectations);
                return Result.Success(ImmutableArray<T>.Empty, input);
            }
            var rest = more(first.Remainder);
            if (!rest.WasSuccessful) return Result.Failure<ImmutableArray<T>>(rest.Remainder, rest.Message, rest.Expectations);
            var items = ImmutableArray.CreateBuilder<T>(rest.Value.Count + 1);
            items.Add(first.Value);
            items.AddRange(rest.Value);
            return Result.Success(items.MoveToImmutable(), rest.Remainder);
        }

        internal static readonly Parser<ArgumentSyntax> Argument =
            from start in Start
            from name in (from id in Ident from colon in SymNot(":", ":") select id.Name).Optional()
            from value in ExprRef
            select new ArgumentSyntax(name.GetOrDefault(), value, S(start, value.Span.End));

        internal static readonly Parser<(ImmutableArray<ArgumentSyntax> Args, int End)> ArgumentList =
            from open in Sym("(")
            from args in CommaList(Argument)
            from close in Sym(")")
            from end in Pos
            select (args, end);

        internal static readonly Parser<ExprSyntax> NumberLiteral =
            Number.Select(n => n.IsFloat
                ? (ExprSyntax)new FloatLiteral(double.Parse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture), n.Text, S(n.Start, n.End))
                : long.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                    ? new IntLiteral(v, S(n.Start, n.End))
                    : new FloatLiteral(double.Parse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture), n.Text, S(n.Start, n.End)));

        internal static readonly Parser<ExprSyntax> StringLit = StringToken.Select(s => (ExprSyntax)new StringLiteral(s.Value, S(s.Start, s.End)));

        internal static readonly Parser<ExprSyntax> BoolLit =
            (from start in Start from k in Kw("true") from end in Pos select (ExprSyntax)new BoolLiteral(true, S(start, end)))
            .Or(from start in Start from k in Kw("false") from end in Pos select (ExprSyntax)new BoolLiteral(false, S(start, end)));

        /// <summary>A list item: a number followed by <c>,</c> or <c>]</c> is read as the literal it is, without the
        /// whole expression grammar (a list of 206,000 numbers spent 2 s there); anything else is an expression.</summary>
        internal static readonly Parser<ExprSyntax> ListItem = input =>
        {
            var number = NumberLiteral(input);
            if (number.WasSuccessful)
            {
                var next = Ws(number.Remainder).Remainder;
                if (!next.AtEnd && (next.Current == ',' || next.Current == ']')) return number;
            }
            return ExprRef(input);
        };

        internal static readonly Parser<List<ExprSyntax>> MoreListItems = Continued(Sym(","), ListItem);

        /// <summary>A list's items, as <c>CommaList(ListItem)</c> reads them. A leading run of whole numbers, each followed
        /// by <c>,</c> and the last by <c>]</c>, is read straight from the text: no cursor, token result or string per
        /// item (a list of 206,000 numbers spent most of its parse there). The first item that is anything else, and
        /// all after it, are read through the grammar; the result is the same either way.</summary>
        internal static readonly Parser<ImmutableArray<ExprSyntax>> ListItems = input =>
        {
            if (!(input is SourceInput cursor)) return CommaListAt(ListItem, MoreListItems, input);
            string source = cursor.Source;
            var run = ImmutableArray.CreateBuilder<ExprSyntax>();
            int position = cursor.Position; // where the next item's trivia starts
            while (true)
            {
                int start = SkipTrivia(source, position);
                if (!(PlainInteger(source, start) is { } whole)) break;
                int next = SkipTrivia(source, whole.End);
                if (next >= source.Length || (source[next] != ',' && source[next] != ']')) break;
                run.Add(new IntLiteral(whole.Value, S(start, whole.End)));
                if (source[next] == ']') return Result.Success(run.ToImmutable(), (IInput)cursor.Seek(whole.End));
                position = next + 1;
            }
            if (run.Count == 0) return CommaListAt(ListItem, MoreListItems, input);
            // After a comma an item is required, as in Continued.
            var item = ListItem(cursor.Seek(position));
            if (!item.WasSuccessful) return Result.Failure<ImmutableArray<ExprSyntax>>(item.Remainder, item.Message, item.Expectations);
            var rest = MoreListItems(item.Remainder);
            if (!rest.WasSuccessful) return Result.Failure<ImmutableArray<ExprSyntax>>(rest.Remainder, rest.Message, rest.Expectations);
            run.Add(item.Value);
            run.AddRange(rest.Value);
            return Result.Success(run.ToImmutable(), rest.Remainder);
        };

        internal static readonly Parser<ExprSyntax> ListLit =
            from start in Start
            from open in Sym("[")
            from items in ListItems
            from close in Sym("]")
            from end in Pos
            select (ExprSyntax)new ListExpr(items, S(start, end));

        /// <summary><c>[item for x in source [if filter]]</c>, the source a list or <c>a..b</c>. Tried only where the
        /// brackets hold the word <c>for</c> at their own depth, so a plain list is read once (nested lists would
        /// otherwise be read twice per level: 2^depth).</summary>
        internal static readonly Parser<ExprSyntax> Comprehension = input =>
        {
            var at = Ws(input).Remainder;
            return BracketHoldsFor(at.Source, at.Position) ? ComprehensionBody!(input) : Result.Failure<ExprSyntax>(input, "comprehension", new[] { "'['" });
        };

        /// <summary>Whether the '[' at <paramref name="open"/> holds the word <c>for</c> directly (not inside nested
        /// brackets, parentheses, braces or strings) before its matching ']'.</summary>
        internal static bool BracketHoldsFor(string text, int open)
        {
            if (open >= text.Length || text[open] != '[') return false;
            int depth = 0;
            for (int i = open; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '"') { i++; while (i < text.Length && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1; continue; }
                if (c == '[' || c == '(' || c == '{') depth++;
                else if (c == ']' || c == ')' || c == '}') { if (--depth == 0) return false; }
                else if (depth == 1 && c == 'f' && string.CompareOrdinal(text, i, "for", 0, 3) == 0
                    && (i == 0 || !IsIdentPart(text[i - 1])) && (i + 3 >= text.Length || !IsIdentPart(text[i + 3])))
                    return true;
            }
            return false;
        }

        internal static readonly Parser<ExprSyntax> ComprehensionBody =
            from start in Start
            from open in Sym("[")
            from item in ExprRef
            from k in Kw("for")
            from id in Ident
            from kin in Kw("in")
            from source in ExprRef
            from upper in Sym("..").Then(_ => ExprRef).Optional()
            from filter in Kw("if").Then(_ => ExprRef).Optional()
            from close in Sym("]")
            from end in Pos
            select (ExprSyntax)new ComprehensionExpr(item, id.Name, S(id.Start, id.End),
                upper.IsDefined ? new RangeExpr(source, upper.Get(), source.Span.Cover(upper.Get().Span)) : source,
                filter.GetOrDefault(), S(start, end));

        internal static readonly Parser<ExprSyntax> Parenthesized =
            from open in Sym("(")
            from e in ExprRef
            from close in Sym(")")
            select e;

        /// <summary>The parts of an indexed name after its first word, when '{' follows that word directly
        /// (<c>x{i}</c>, <c>w{j}_{i}</c>); none otherwise.</summary>
        internal static readonly Parser<List<NamePart>> IndexedRest = input =>
        {
            // `if flag{` and `for i in 0..n{` open a body: an index closes on its own line, a body does not.
            if (input.AtEnd || input.Current != '{' || !ClosesOnSameLine(input.Source, input.Position))
                return Result.Success(new List<NamePart>(), input);
            var r = NameParts!(input);
            return r.WasSuccessful ? Result.Success(r.Value.ToList(), r.Remainder) : Result.Failure<List<NamePart>>(r.Remainder, r.Message, r.Expectations);
        };

        /// <summary>Whether the '{' at <paramref name="open"/> has its matching '}' before the end of the line.</summary>
        internal static bool ClosesOnSameLine(string source, int open)
        {
            int depth = 0;
            for (int i = open; i < source.Length && source[i] != '\n'; i++)
            {
                if (source[i] == '{') depth++;
                else if (source[i] == '}' && --depth == 0) return true;
            }
            return false;
        }

        internal static readonly Parser<NamePart> InterpolatedPartRef = Ref(() => InterpolatedPart);
        internal static readonly Parser<NamePart> LiteralPartRef = Ref(() => LiteralPart);

        // A parser written inside a query after its first 'from' is built each time the query runs; the ones on hot
        // paths are fields instead.
        internal static readonly Parser<char> AtSign = Parse.Char('@');
        internal static readonly Parser<char> OpenBrace = Parse.Char('{');

        internal static readonly Parser<ExprSyntax> SharedRef =
            from start in Start
            from at in AtSign
            from id in NameChars
            from rest in IndexedRest
            from end in Pos
            select rest.Count == 0
                ? (ExprSyntax)new SharedRefExpr(id, S(start, end))
                : new IndexedSharedRefExpr(new NameSpec(MergeParts(new NamePart(id, null, S(start + 1, start + 1 + id.Length)), rest), S(start + 1, end)), S(start, end));

        /// <summary><c>x{j}</c>: a tensor bound under an interpolated name (no space before '{').</summary>
        internal static readonly Parser<ExprSyntax> IndexedName =
            from id in Ident
            from rest in IndexedRest
            from end in Pos
            where rest.Count > 0
            select (ExprSyntax)new IndexedNameExpr(new NameSpec(MergeParts(new NamePart(id.Name, null, S(id.Start, id.End)), rest), S(id.Start, end)), S(id.Start, end));

        /// <summary>An argument list when '(' follows on the same line; once '(' is there, its errors are the result
        /// (so <c>conv(8, 3,, 1)</c> reports the missing argument, not a stray parenthesis).</summary>
        internal static readonly Parser<IOption<(ImmutableArray<ArgumentSyntax> Args, int End)>> CallArguments = input =>
        {
            var i = input;
            while (!i.AtEnd && (i.Current == ' ' || i.Current == '\t')) i = i.Advance();
            if (i.AtEnd || i.Current != '(') return Result.Success(Option<(ImmutableArray<ArgumentSyntax>, int)>.None, input);
            var r = ArgumentList(input);
            if (!r.WasSuccessful) return Result.Failure<IOption<(ImmutableArray<ArgumentSyntax>, int)>>(r.Remainder, r.Message, r.Expectations);
            return Result.Success(Option<(ImmutableArray<ArgumentSyntax>, int)>.Some(r.Value), r.Remainder);
        };

        internal static readonly Parser<ExprSyntax> CallOrName =
            from id in Ident
            from args in CallArguments
            select args.IsDefined
                ? (ExprSyntax)new CallExpr(id.Name, S(id.Start, id.End), args.Get().Args, S(id.Start, args.Get().End))
                : new NameExpr(id.Name, S(id.Start, id.End));

        internal static readonly Parser<ExprSyntax> Primary =
            NumberLiteral.Or(StringLit).Or(BoolLit).Or(Comprehension).Or(ListLit).Or(Parenthesized).Or(SharedRef).Or(IndexedName).Or(CallOrName)
            .Named("expression");

        internal static readonly Parser<IEnumerable<(ExprSyntax index, int end)>> Indices =
            (from open in Sym("[") from index in ExprRef from close in Sym("]") from end in Pos select (index, end)).Many();

        internal static readonly Parser<ExprSyntax> Postfix =
            from target in Primary
            from indices in Indices
            select indices.Aggregate(target, (t, ix) => (ExprSyntax)new IndexExpr(t, ix.index, S(t.Span.Start, ix.end)));

        internal static readonly Parser<ExprSyntax> UnaryRef = Ref(() => Unary);

        internal static readonly Parser<IOption<ExprSyntax>> Exponent = Sym("^").Then(_ => UnaryRef).Optional();

        internal static readonly Parser<ExprSyntax> Power =
            from b in Postfix
            from exp in Exponent
            select exp.IsDefined ? new BinaryExpr("^", b, exp.Get(), b.Span.Cover(exp.Get().Span)) : b;

        internal static readonly Parser<string> PrefixOperator = Parse.Char('-').Return("-").Or(SymNot("!", "=").Return("!"));

        internal static readonly Parser<ExprSyntax> Unary =
            (from start in Start
             from op in PrefixOperator
             from operand in UnaryRef
             select (ExprSyntax)new UnaryExpr(op, operand, S(start, operand.Span.End)))
            .Or(Power);

        /// <summary>Left-associative operators over <paramref name="operand"/>, the first matching operator in
        /// <paramref name="ops"/> order. As Sprache's ChainOperator over the operators' Or: a failed operator, or an
        /// operand that fails after one, ends the chain at the last operand (neither is an error); but a loop, not
        /// parsers built per operand.
        /// <paramref name="starts"/> holds the operators' first characters: where the next token starts with none of
        /// them, no operator is tried (their failures would be dropped anyway).</summary>
        internal static Parser<ExprSyntax> Binary(Parser<ExprSyntax> operand, string starts, params Parser<string>[] ops) => input =>
        {
            var first = operand(input);
            if (!first.WasSuccessful) return first;
            var left = first.Value;
            var rest = first.Remainder;
            while (true)
            {
                IResult<string>? op = null;
                var next = Ws(rest).Remainder;
                if (!next.AtEnd && starts.IndexOf(next.Current) >= 0)
                    foreach (var candidate in ops)
                    {
                        var o = candidate(rest);
                        if (o.WasSuccessful) { op = o; break; }
                    }
                var right = op == null ? null : operand(op.Remainder);
                if (right == null || !right.WasSuccessful)
                    return ReferenceEquals(left, first.Value) ? first : Result.Success(left, rest);
                left = new BinaryExpr(op!.Value, left, right.Value, left.Span.Cover(right.Value.Span));
                rest = right.Remainder;
            }
        };

        internal static readonly Parser<ExprSyntax> Multiplicative = Binary(Unary, "*/%", Sym("*"), Sym("/"), Sym("%"));
        internal static readonly Parser<ExprSyntax> Additive = Binary(Multiplicative, "+-", Sym("+"), SymNot("-", ">"));
        internal static readonly Parser<ExprSyntax> Relational = Binary(Additive, "<>", Sym("<="), Sym(">="), Sym("<"), Sym(">"));
        internal static readonly Parser<ExprSyntax> Equality = Binary(Relational, "=!", Sym("=="), Sym("!="));
        internal static readonly Parser<ExprSyntax> And = Binary(Equality, "&", Sym("&&"));
        internal static readonly Parser<ExprSyntax> Or = Binary(And, "|", Sym("||"));

        internal static readonly Parser<IOption<(ExprSyntax a, ExprSyntax b)>> Branches =
            (from q in Sym("?") from a in TernaryRef from colon in Sym(":") from b in TernaryRef select (a, b)).Optional();

        internal static readonly Parser<ExprSyntax> Ternary =
            from c in Or
            from rest in Branches
            select rest.IsDefined ? new ConditionalExpr(c, rest.Get().a, rest.Get().b, c.Span.Cover(rest.Get().b.Span)) : c;

        /// <summary>A pipeline stage: <c>[name:] layer(args)</c>, <c>@shared</c> or <c>{ … }</c>.</summary>
        internal static readonly Parser<StatementSyntax> StageBody =
            SharedRef.Or(CallOrName).Select(e => (StatementSyntax)new ExprStmt(e, e.Span))
                .Or(BodyRef.Select(b => (StatementSyntax)new GroupStmt(b, b.Span)));

        internal static readonly Parser<StatementSyntax> Stage =
            from name in (from n in LabelRef from colon in SymNot(":", ":") select n).Optional()
            from inner in StageBody
            select name.IsDefined ? new LabeledStmt(name.Get(), inner, name.Get().Span.Cover(inner.Span)) : inner;

        internal static readonly Parser<ExprSyntax> Expr =
            (from source in Ternary
             from stages in Continued(Sym("|>"), Stage)
             select stages.Any()
                 ? new PipeExpr(source, ImmutableArray.CreateRange(stages), source.Span.Cover(stages.Last().Span))
                 : source)
            .Named("expression");
    }
}
