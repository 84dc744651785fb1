using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Text;
using Sprache;
using static ArchDsl.Syntax.Lexical;

namespace ArchDsl.Syntax
{
    /// <summary>The .arch grammar on Sprache. Bodies and the file recover from errors statement by statement
    /// (an <see cref="ErrorStmt"/> / <see cref="ErrorDecl"/> records what was expected), so one run reports
    /// every independent syntax error. docs/language.md holds the grammar in EBNF.</summary>
    public static class ArchParser
    {
        /// <summary>Parses a whole file. Never throws; syntax errors are error nodes in the tree.</summary>
        public static CompilationUnit ParseUnit(string text)
        {
            text ??= "";
            // A comment left open would swallow the rest of the file as trivia, silently. The text before it is parsed
            // alone (its offsets are the file's), and the comment is an error where it opens.
            int open = SourceComments.UnclosedComment(text);
            if (open < 0) return Run(Unit, text);
            var unit = Run(Unit, text.Substring(0, open));
            return new CompilationUnit(unit.Declarations.Add(new ErrorDecl(UnclosedComment, S(open, open + 2))), S(0, text.Length));
        }

        /// <summary>What a <c>/*</c> without its <c>*/</c> is told to have.</summary>
        internal const string UnclosedComment = "'*/' to close the comment opened here (it runs to the end of the file)";

        /// <summary>Parses one expression (used by tests and tools).</summary>
        public static ExprSyntax? ParseExpression(string text)
        {
            try
            {
                var r = Expr.End()(SourceInput.Start(text ?? ""));
                return r.WasSuccessful ? r.Value : null;
            }
            catch (NestingTooDeepException)
            {
                return null;
            }
        }

        private sealed class Option<T> : IOption<T>
        {
            private readonly T _value;
            private Option(bool defined, T value) { IsDefined = defined; _value = value; }
            public static readonly Option<T> None = new Option<T>(false, default!);
            public static Option<T> Some(T value) => new Option<T>(true, value);
            public bool IsEmpty => !IsDefined;
            public bool IsDefined { get; }
            public T GetOrDefault() => _value;
            public T Get() => IsDefined ? _value : throw new InvalidOperationException("No value");
        }

        private static T Run<T>(Parser<T> parser, string text)
        {
            var result = parser(SourceInput.Start(text ?? ""));
            return result.Value;
        }

        private static TextSpan S(int start, int end) => TextSpan.FromBounds(start, end);

        /// <summary>A forward reference to a parser not yet initialised. Not Sprache's <c>Parse.Ref</c>: that one remembers
        /// a failure per input and throws a ParseException when the same input is tried again (a zeropad shortcut
        /// without body followed directly by a non-space character made the body parser run twice there).</summary>
        private static Parser<T> Ref<T>(Func<Parser<T>?> reference)
        {
            Parser<T>? parser = null;
            return input => (parser ??= reference() ?? throw new InvalidOperationException("a parser used before it is initialised"))(input);
        }

        // ------------------------------------------------------------ expressions

        private static readonly Parser<ExprSyntax> ExprRef = Ref(() => Expr);
        private static readonly Parser<ExprSyntax> TernaryRef = Ref(() => Ternary);
        private static readonly Parser<BodySyntax> BodyRef = Ref(() => Body);
        private static readonly Parser<NameSpec> NameSpecRef = Ref(() => NameSpecP);
        private static readonly Parser<NameSpec> LabelRef = Ref(() => LabelP);
        private static readonly Parser<NameSpec> ShortcutLabelRef = Ref(() => ShortcutLabelP);
        private static readonly Parser<StatementSyntax> UnlabeledRef = Ref(() => Unlabeled);

        /// <summary>Zero or more <c>separator item</c>; once a separator is read, the item is required and its
        /// failure (the deepest one) is the result. Tokens skip whitespace first, so Sprache's XMany would
        /// treat skipped whitespace as consumed input; this does not.</summary>
        private static Parser<List<T>> Continued<T>(Parser<string> separator, Parser<T> item) => input =>
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
        private static Parser<ImmutableArray<T>> CommaList<T>(Parser<T> item)
        {
            var more = Continued(Sym(","), item);
            return input => CommaListAt(item, more, input);
        }

        private static IResult<ImmutableArray<T>> CommaListAt<T>(Parser<T> item, Parser<List<T>> more, IInput input)
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

        private static readonly Parser<ArgumentSyntax> Argument =
            from start in Start
            from name in (from id in Ident from colon in SymNot(":", ":") select id.Name).Optional()
            from value in ExprRef
            select new ArgumentSyntax(name.GetOrDefault(), value, S(start, value.Span.End));

        private static readonly Parser<(ImmutableArray<ArgumentSyntax> Args, int End)> ArgumentList =
            from open in Sym("(")
            from args in CommaList(Argument)
            from close in Sym(")")
            from end in Pos
            select (args, end);

        private static readonly Parser<ExprSyntax> NumberLiteral =
            Number.Select(n => n.IsFloat
                ? (ExprSyntax)new FloatLiteral(double.Parse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture), n.Text, S(n.Start, n.End))
                : long.TryParse(n.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                    ? new IntLiteral(v, S(n.Start, n.End))
                    : new FloatLiteral(double.Parse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture), n.Text, S(n.Start, n.End)));

        private static readonly Parser<ExprSyntax> StringLit = StringToken.Select(s => (ExprSyntax)new StringLiteral(s.Value, S(s.Start, s.End)));

        private static readonly Parser<ExprSyntax> BoolLit =
            (from start in Start from k in Kw("true") from end in Pos select (ExprSyntax)new BoolLiteral(true, S(start, end)))
            .Or(from start in Start from k in Kw("false") from end in Pos select (ExprSyntax)new BoolLiteral(false, S(start, end)));

        /// <summary>A list item: a number followed by <c>,</c> or <c>]</c> is read as the literal it is, without the
        /// whole expression grammar (a list of 206,000 numbers spent 2 s there); anything else is an expression.</summary>
        private static readonly Parser<ExprSyntax> ListItem = input =>
        {
            var number = NumberLiteral(input);
            if (number.WasSuccessful)
            {
                var next = Ws(number.Remainder).Remainder;
                if (!next.AtEnd && (next.Current == ',' || next.Current == ']')) return number;
            }
            return ExprRef(input);
        };

        private static readonly Parser<List<ExprSyntax>> MoreListItems = Continued(Sym(","), ListItem);

        /// <summary>A list's items, as <c>CommaList(ListItem)</c> reads them. A leading run of whole numbers, each followed
        /// by <c>,</c> and the last by <c>]</c>, is read straight from the text: no cursor, token result or string per
        /// item (a list of 206,000 numbers spent most of its parse there). The first item that is anything else, and
        /// all after it, are read through the grammar; the result is the same either way.</summary>
        private static readonly Parser<ImmutableArray<ExprSyntax>> ListItems = input =>
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

        private static readonly Parser<ExprSyntax> ListLit =
            from start in Start
            from open in Sym("[")
            from items in ListItems
            from close in Sym("]")
            from end in Pos
            select (ExprSyntax)new ListExpr(items, S(start, end));

        /// <summary><c>[item for x in source [if filter]]</c>, the source a list or <c>a..b</c>. Tried only where the
        /// brackets hold the word <c>for</c> at their own depth, so a plain list is read once (nested lists would
        /// otherwise be read twice per level: 2^depth).</summary>
        private static readonly Parser<ExprSyntax> Comprehension = input =>
        {
            var at = Ws(input).Remainder;
            return BracketHoldsFor(at.Source, at.Position) ? ComprehensionBody!(input) : Result.Failure<ExprSyntax>(input, "comprehension", new[] { "'['" });
        };

        /// <summary>Whether the '[' at <paramref name="open"/> holds the word <c>for</c> directly (not inside nested
        /// brackets, parentheses, braces or strings) before its matching ']'.</summary>
        private static bool BracketHoldsFor(string text, int open)
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

        private static readonly Parser<ExprSyntax> ComprehensionBody =
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

        private static readonly Parser<ExprSyntax> Parenthesized =
            from open in Sym("(")
            from e in ExprRef
            from close in Sym(")")
            select e;

        /// <summary>The parts of an indexed name after its first word, when '{' follows that word directly
        /// (<c>x{i}</c>, <c>w{j}_{i}</c>); none otherwise.</summary>
        private static readonly Parser<List<NamePart>> IndexedRest = input =>
        {
            // `if flag{` and `for i in 0..n{` open a body: an index closes on its own line, a body does not.
            if (input.AtEnd || input.Current != '{' || !ClosesOnSameLine(input.Source, input.Position))
                return Result.Success(new List<NamePart>(), input);
            var r = NameParts!(input);
            return r.WasSuccessful ? Result.Success(r.Value.ToList(), r.Remainder) : Result.Failure<List<NamePart>>(r.Remainder, r.Message, r.Expectations);
        };

        /// <summary>Whether the '{' at <paramref name="open"/> has its matching '}' before the end of the line.</summary>
        private static bool ClosesOnSameLine(string source, int open)
        {
            int depth = 0;
            for (int i = open; i < source.Length && source[i] != '\n'; i++)
            {
                if (source[i] == '{') depth++;
                else if (source[i] == '}' && --depth == 0) return true;
            }
            return false;
        }

        private static readonly Parser<NamePart> InterpolatedPartRef = Ref(() => InterpolatedPart);
        private static readonly Parser<NamePart> LiteralPartRef = Ref(() => LiteralPart);

        // A parser written inside a query after its first 'from' is built each time the query runs; the ones on hot
        // paths are fields instead.
        private static readonly Parser<char> AtSign = Parse.Char('@');
        private static readonly Parser<char> OpenBrace = Parse.Char('{');

        private static readonly Parser<ExprSyntax> SharedRef =
            from start in Start
            from at in AtSign
            from id in NameChars
            from rest in IndexedRest
            from end in Pos
            select rest.Count == 0
                ? (ExprSyntax)new SharedRefExpr(id, S(start, end))
                : new IndexedSharedRefExpr(new NameSpec(MergeParts(new NamePart(id, null, S(start + 1, start + 1 + id.Length)), rest), S(start + 1, end)), S(start, end));

        /// <summary><c>x{j}</c>: a tensor bound under an interpolated name (no space before '{').</summary>
        private static readonly Parser<ExprSyntax> IndexedName =
            from id in Ident
            from rest in IndexedRest
            from end in Pos
            where rest.Count > 0
            select (ExprSyntax)new IndexedNameExpr(new NameSpec(MergeParts(new NamePart(id.Name, null, S(id.Start, id.End)), rest), S(id.Start, end)), S(id.Start, end));

        /// <summary>An argument list when '(' follows on the same line; once '(' is there, its errors are the result
        /// (so <c>conv(8, 3,, 1)</c> reports the missing argument, not a stray parenthesis).</summary>
        private static readonly Parser<IOption<(ImmutableArray<ArgumentSyntax> Args, int End)>> CallArguments = input =>
        {
            var i = input;
            while (!i.AtEnd && (i.Current == ' ' || i.Current == '\t')) i = i.Advance();
            if (i.AtEnd || i.Current != '(') return Result.Success(Option<(ImmutableArray<ArgumentSyntax>, int)>.None, input);
            var r = ArgumentList(input);
            if (!r.WasSuccessful) return Result.Failure<IOption<(ImmutableArray<ArgumentSyntax>, int)>>(r.Remainder, r.Message, r.Expectations);
            return Result.Success(Option<(ImmutableArray<ArgumentSyntax>, int)>.Some(r.Value), r.Remainder);
        };

        private static readonly Parser<ExprSyntax> CallOrName =
            from id in Ident
            from args in CallArguments
            select args.IsDefined
                ? (ExprSyntax)new CallExpr(id.Name, S(id.Start, id.End), args.Get().Args, S(id.Start, args.Get().End))
                : new NameExpr(id.Name, S(id.Start, id.End));

        private static readonly Parser<ExprSyntax> Primary =
            NumberLiteral.Or(StringLit).Or(BoolLit).Or(Comprehension).Or(ListLit).Or(Parenthesized).Or(SharedRef).Or(IndexedName).Or(CallOrName)
            .Named("expression");

        private static readonly Parser<IEnumerable<(ExprSyntax index, int end)>> Indices =
            (from open in Sym("[") from index in ExprRef from close in Sym("]") from end in Pos select (index, end)).Many();

        private static readonly Parser<ExprSyntax> Postfix =
            from target in Primary
            from indices in Indices
            select indices.Aggregate(target, (t, ix) => (ExprSyntax)new IndexExpr(t, ix.index, S(t.Span.Start, ix.end)));

        private static readonly Parser<ExprSyntax> UnaryRef = Ref(() => Unary);

        private static readonly Parser<IOption<ExprSyntax>> Exponent = Sym("^").Then(_ => UnaryRef).Optional();

        private static readonly Parser<ExprSyntax> Power =
            from b in Postfix
            from exp in Exponent
            select exp.IsDefined ? new BinaryExpr("^", b, exp.Get(), b.Span.Cover(exp.Get().Span)) : b;

        private static readonly Parser<string> PrefixOperator = Parse.Char('-').Return("-").Or(SymNot("!", "=").Return("!"));

        private static readonly Parser<ExprSyntax> Unary =
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
        private static Parser<ExprSyntax> Binary(Parser<ExprSyntax> operand, string starts, params Parser<string>[] ops) => input =>
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

        private static readonly Parser<ExprSyntax> Multiplicative = Binary(Unary, "*/%", Sym("*"), Sym("/"), Sym("%"));
        private static readonly Parser<ExprSyntax> Additive = Binary(Multiplicative, "+-", Sym("+"), SymNot("-", ">"));
        private static readonly Parser<ExprSyntax> Relational = Binary(Additive, "<>", Sym("<="), Sym(">="), Sym("<"), Sym(">"));
        private static readonly Parser<ExprSyntax> Equality = Binary(Relational, "=!", Sym("=="), Sym("!="));
        private static readonly Parser<ExprSyntax> And = Binary(Equality, "&", Sym("&&"));
        private static readonly Parser<ExprSyntax> Or = Binary(And, "|", Sym("||"));

        private static readonly Parser<IOption<(ExprSyntax a, ExprSyntax b)>> Branches =
            (from q in Sym("?") from a in TernaryRef from colon in Sym(":") from b in TernaryRef select (a, b)).Optional();

        private static readonly Parser<ExprSyntax> Ternary =
            from c in Or
            from rest in Branches
            select rest.IsDefined ? new ConditionalExpr(c, rest.Get().a, rest.Get().b, c.Span.Cover(rest.Get().b.Span)) : c;

        /// <summary>A pipeline stage: <c>[name:] layer(args)</c>, <c>@shared</c> or <c>{ … }</c>.</summary>
        private static readonly Parser<StatementSyntax> StageBody =
            SharedRef.Or(CallOrName).Select(e => (StatementSyntax)new ExprStmt(e, e.Span))
                .Or(BodyRef.Select(b => (StatementSyntax)new GroupStmt(b, b.Span)));

        private static readonly Parser<StatementSyntax> Stage =
            from name in (from n in LabelRef from colon in SymNot(":", ":") select n).Optional()
            from inner in StageBody
            select name.IsDefined ? new LabeledStmt(name.Get(), inner, name.Get().Span.Cover(inner.Span)) : inner;

        private static readonly Parser<ExprSyntax> Expr =
            (from source in Ternary
             from stages in Continued(Sym("|>"), Stage)
             select stages.Any()
                 ? new PipeExpr(source, ImmutableArray.CreateRange(stages), source.Span.Cover(stages.Last().Span))
                 : source)
            .Named("expression");

        // ------------------------------------------------------------ names

        private static readonly Parser<NamePart> LiteralPart =
            from start in Pos from text in NameChars from end in Pos select new NamePart(text, null, S(start, end));

        private static readonly Parser<NamePart> InterpolatedPart =
            from start in Pos
            from open in OpenBrace
            from e in ExprRef
            from close in Sym("}")
            from end in Pos
            select new NamePart(null, e, S(start, end));

        private static readonly Parser<IEnumerable<NamePart>> NameParts = InterpolatedPartRef.Or(LiteralPartRef).Many();

        private static readonly Parser<NameSpec> NameSpecP =
            from first in Ident
            from rest in NameParts
            from end in Pos
            select new NameSpec(MergeParts(new NamePart(first.Name, null, S(first.Start, first.End)), rest), S(first.Start, end));

        /// <summary>A label (a module's state-dict key): letters, digits, '_' and '-' with interpolations, no spaces, at
        /// least one part: <c>conv1</c>, <c>block{s+1}-{j}</c>, <c>0</c>, <c>{i+1}</c>. A '-' stands between two other
        /// parts (never first or last), an interpolation closes on its line, and a label is never a keyword alone.</summary>
        private static readonly Parser<NameSpec> LabelP = ReadLabel(beforeColon: true);

        /// <summary>A shortcut's name: a label followed by 'when' or its body, not ':'.</summary>
        private static readonly Parser<NameSpec> ShortcutLabelP = ReadLabel(beforeColon: false);

        private static Parser<NameSpec> ReadLabel(bool beforeColon) => input =>
        {
            var i = Ws(input).Remainder;
            int start = i.Position;
            string text = i.Source;
            // Before ':', read only what is followed by ':' (a group or pipeline stage starting with '{' is not re-read
            // as a label at every nesting level); a shortcut's name never starts with '{'.
            if (beforeColon ? !LooksLikeLabel(text, start) : i.AtEnd || i.Current == '{')
                return Result.Failure<NameSpec>(input, "label", new[] { "label" });
            var parts = new List<NamePart>();
            while (!i.AtEnd)
            {
                if (i.Current == '{')
                {
                    if (!ClosesOnSameLine(text, i.Position)) break;
                    var r = InterpolatedPart(i);
                    if (!r.WasSuccessful) return Result.Failure<NameSpec>(r.Remainder, r.Message, r.Expectations);
                    parts.Add(r.Value);
                    i = r.Remainder;
                    continue;
                }
                int p = i.Position, q = p;
                while (q < text.Length && (IsIdentPart(text[q])
                    || (text[q] == '-' && q > start && q + 1 < text.Length && (IsIdentPart(text[q + 1]) || text[q + 1] == '{'))))
                    q++;
                if (q == p) break;
                parts.Add(new NamePart(text.Substring(p, q - p), null, S(p, q)));
                i = AdvanceTo(i, q);
            }
            if (parts.Count == 0 || (parts.Count == 1 && parts[0].Text != null && Keywords.Contains(parts[0].Text!)))
                return Result.Failure<NameSpec>(input, "label", new[] { "label" });
            return Result.Success(new NameSpec(MergeParts(parts[0], parts.Skip(1)), S(start, i.Position)), i);
        };

        /// <summary>A cheap scan: label characters and '{…}' closing on their line from <paramref name="p"/>, then ':'
        /// (not '::').</summary>
        private static bool LooksLikeLabel(string text, int p)
        {
            int start = p;
            while (p < text.Length)
            {
                char c = text[p];
                if (c == '{')
                {
                    int depth = 0, q = p;
                    for (; q < text.Length && text[q] != '\n'; q++)
                    {
                        if (text[q] == '{') depth++;
                        else if (text[q] == '}' && --depth == 0) break;
                    }
                    if (q >= text.Length || text[q] != '}') return false;
                    p = q + 1;
                }
                else if (IsLabelPart(c)) p++;
                else break;
            }
            if (p == start) return false;
            while (p < text.Length && char.IsWhiteSpace(text[p])) p++;
            return p < text.Length && text[p] == ':' && (p + 1 >= text.Length || text[p + 1] != ':');
        }

        private static ImmutableArray<NamePart> MergeParts(NamePart first, IEnumerable<NamePart> rest)
        {
            var parts = new List<NamePart> { first };
            foreach (var p in rest)
            {
                var last = parts[parts.Count - 1];
                if (p.Text != null && last.Text != null)
                    parts[parts.Count - 1] = new NamePart(last.Text + p.Text, null, last.Span.Cover(p.Span));
                else parts.Add(p);
            }
            return parts.ToImmutableArray();
        }

        // ------------------------------------------------------------ statements

        private static readonly Parser<StatementSyntax> StatementRef = Ref(() => Statement);
        private static readonly Parser<StatementSyntax> Let =
            from start in Start
            from k in Kw("let")
            from id in Ident
            from eq in SymNot("=", "=")
            from value in Expr
            select (StatementSyntax)new LetStmt(id.Name, S(id.Start, id.End), value, S(start, value.Span.End));

        private static readonly Parser<StatementSyntax> InputDecl =
            from start in Start
            from k in Kw("input")
            from dims in Dims.Select(ds => ds.Select(d => (ExprSyntax)new IntLiteral(d.Value, S(d.Start, d.End))).ToImmutableArray())
                .Or(ListLit.Select(l => ((ListExpr)l).Items))
            from end in Pos
            select (StatementSyntax)new InputStmt(dims, S(start, end));

        /// <summary>A binding's value: a tensor expression, or a merge (<c>t = add { … }</c>), which is read as
        /// <c>input |> { add { … } }</c>: the merge applied to the current tensor.</summary>
        private static readonly Parser<ExprSyntax> BindingValue = Ref(() =>
            Merge("concat", MergeKind.Concat).Or(Merge("add", MergeKind.Add)).Or(Merge("mul", MergeKind.Mul))
                .Select(m => (ExprSyntax)new PipeExpr(new NameExpr("input", new TextSpan(m.Span.Start, 0)),
                    ImmutableArray.Create<StatementSyntax>(new GroupStmt(new BodySyntax(ImmutableArray.Create(m), m.Span), m.Span)), m.Span))
                .Or(Expr));

        private static readonly Parser<StatementSyntax> Assign =
            from id in Ident
            from eq in SymNot("=", "=")
            from value in BindingValue
            select (StatementSyntax)new AssignStmt(id.Name, S(id.Start, id.End), value, S(id.Start, value.Span.End));

        private static readonly Parser<StatementSyntax> IndexedAssign =
            from name in NameSpecRef
            where !name.IsStatic
            from eq in SymNot("=", "=")
            from value in BindingValue
            select (StatementSyntax)new IndexedAssignStmt(name, value, name.Span.Cover(value.Span));

        private static readonly Parser<(int Start, ExprSyntax Condition, BodySyntax Then)> IfHead =
            from start in Start
            from k in Kw("if")
            from cond in Expr
            from then in BodyRef
            select (start, cond, then);

        /// <summary><c>if c { … } else if d { … } … else { … }</c>. The branches of a chain are read in a loop, not by
        /// recursion, so a chain of any length costs the parser the stack of one; the tree nests each <c>else if</c>
        /// in the previous one's else (<see cref="BeyondLimits"/> counts a chain as one level). An <c>else</c>
        /// followed by neither an <c>if</c> nor a body is not part of the statement.</summary>
        private static readonly Parser<StatementSyntax> If = input =>
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

        private static readonly Parser<RepeatStmt> Repeat =
            from start in Start
            from k in Kw("repeat")
            from count in Expr
            from variable in Kw("as").Then(_ => Ident).Optional()
            from body in BodyRef
            select new RepeatStmt(count, variable.IsDefined ? variable.Get().Name : null,
                variable.IsDefined ? S(variable.Get().Start, variable.Get().End) : new TextSpan(start, 0), body, S(start, body.Span.End));

        private static readonly Parser<StatementSyntax> For =
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

        private static readonly Parser<ShortcutSyntax> Shortcut =
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
        private static readonly Parser<StatementSyntax> Residual =
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

        private static Parser<StatementSyntax> Merge(string keyword, MergeKind kind) =>
            from start in Start
            from k in Kw(keyword)
            from body in BodyRef
            select (StatementSyntax)new MergeStmt(kind, body, S(start, body.Span.End));

        private static readonly Parser<StatementSyntax> Split =
            from start in Start
            from k in Kw("split")
            from body in BodyRef
            select (StatementSyntax)new SplitStmt(body, S(start, body.Span.End));

        private static readonly Parser<StatementSyntax> Dense =
            from start in Start
            from k in Kw("dense")
            from loop in Repeat
            select (StatementSyntax)new DenseStmt(loop, S(start, loop.Span.End));

        private static readonly Parser<StatementSyntax> Aux =
            from start in Start
            from k in Kw("aux")
            from body in UnlabeledRef
            select (StatementSyntax)new AuxStmt(body, S(start, body.Span.End));

        private static readonly Parser<StatementSyntax> Group = BodyRef.Select(b => (StatementSyntax)new GroupStmt(b, b.Span));

        private static readonly Parser<StatementSyntax> ExpressionStatement = Expr.Select(e => (StatementSyntax)new ExprStmt(e, e.Span));

        private static readonly Parser<StatementSyntax> Unlabeled =
            If.Or(Repeat.Select(r => (StatementSyntax)r)).Or(For).Or(Residual)
              .Or(Merge("concat", MergeKind.Concat)).Or(Merge("add", MergeKind.Add)).Or(Merge("mul", MergeKind.Mul))
              .Or(Split).Or(Dense).Or(Aux).Or(Group).Or(ExpressionStatement)
              .Named("statement");

        private static readonly Parser<StatementSyntax> Labeled =
            from name in LabelRef
            from colon in SymNot(":", ":")
            from inner in UnlabeledRef
            select (StatementSyntax)new LabeledStmt(name, inner, name.Span.Cover(inner.Span));

        private static readonly Parser<IOption<string>> Semicolon = Sym(";").Optional();

        private static readonly Parser<StatementSyntax> Statement =
            from s in Let.Or(InputDecl).Or(Assign).Or(IndexedAssign).Or(Labeled).Or(Unlabeled)
            from semi in Semicolon
            select s;

        /// <summary><c>{ statement* }</c> with recovery: a statement that fails to parse becomes an
        /// <see cref="ErrorStmt"/> and parsing resumes after it (next line or ';' at the same brace depth).</summary>
        private static readonly Parser<BodySyntax> Body = input =>
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

        private static string Expected(IEnumerable<string> expectations, string fallback)
        {
            var list = expectations.Where(e => !string.IsNullOrEmpty(e)).Distinct().OrderBy(e => e, StringComparer.Ordinal).ToList();
            return list.Count == 0 ? fallback : global::System.String.Join(" or ", list);
        }

        private static TextSpan ErrorSpan(string text, int at)
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
        private static int Resync(string text, int from, int failAt, bool stopAtDeclaration)
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

        private static bool StartsDeclaration(string text, int p)
        {
            while (p < text.Length && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r')) p++;
            foreach (var k in new[] { "block", "network", "variant", "import" })
            {
                if (string.CompareOrdinal(text, p, k, 0, k.Length) == 0 && (p + k.Length >= text.Length || !IsIdentPart(text[p + k.Length])))
                    return true;
            }
            return false;
        }

        // ------------------------------------------------------------ declarations

        private static readonly Parser<TypeSyntax> Type =
            from id in Ident
            from lists in (from o in Sym("[") from c in Sym("]") from end in Pos select end).Many()
            select new TypeSyntax(id.Name, lists.Count(), S(id.Start, lists.Any() ? lists.Last() : id.End));

        private static readonly Parser<ParameterSyntax> Parameter =
            from id in Ident
            from colon in SymNot(":", ":")
            from type in Type
            from def in SymNot("=", "=").Then(_ => Expr).Optional()
            select new ParameterSyntax(id.Name, S(id.Start, id.End), type, def.GetOrDefault(),
                S(id.Start, def.IsDefined ? def.Get().Span.End : type.Span.End));

        private static readonly Parser<ImmutableArray<ParameterSyntax>> ParameterList =
            (from open in Sym("(") from ps in CommaList(Parameter) from close in Sym(")") select ps)
            .Or(Parse.Return(ImmutableArray<ParameterSyntax>.Empty));

        private static Parser<DeclarationSyntax> Definition(string keyword, DefinitionKind kind) =>
            from start in Start
            from k in Kw(keyword)
            from id in Ident
            from ps in ParameterList
            from body in Body
            select (DeclarationSyntax)new DefinitionDecl(kind, id.Name, S(id.Start, id.End), ps, body, null, S(start, body.Span.End));

        /// <summary><c>keyword item</c> when the keyword is there, and then the item is required (its failure, e.g. an
        /// unterminated string, is the result); none when the keyword is not.</summary>
        private static Parser<IOption<T>> AfterKeyword<T>(string keyword, Parser<T> item)
        {
            var word = Kw(keyword);
            return input =>
            {
                var k = word(input);
                if (!k.WasSuccessful) return Result.Success<IOption<T>>(Option<T>.None, input);
                var r = item(k.Remainder);
                return r.WasSuccessful
                    ? Result.Success<IOption<T>>(Option<T>.Some(r.Value), r.Remainder)
                    : Result.Failure<IOption<T>>(r.Remainder, r.Message, r.Expectations);
            };
        }

        /// <summary>What follows <c>data</c>: a preset, arguments, or both (<c>imagenet(resize: 342)</c>).</summary>
        private static readonly Parser<DataClause> DataSpec =
            (from start in Start
             from preset in Ident
             from args in ArgumentList.Optional()
             from end in Pos
             select new DataClause(preset.Name, S(preset.Start, preset.End), args.IsDefined ? args.Get().Args : ImmutableArray<ArgumentSyntax>.Empty, S(start, end)))
            .Or(from start in Start
                from args in ArgumentList
                select new DataClause(null, S(start, start), args.Args, S(start, args.End)));

        private static readonly Parser<DeclarationSyntax> Variant =
            from start in Start
            from k in Kw("variant")
            from id in Ident
            from eq in SymNot("=", "=")
            from target in Ident
            from args in ArgumentList.Optional()
            from reference in AfterKeyword("reference", StringToken)
            from data in AfterKeyword("data", DataSpec)
            from end in Pos
            select (DeclarationSyntax)new VariantDecl(id.Name, S(id.Start, id.End), target.Name, S(target.Start, target.End),
                args.IsDefined ? args.Get().Args : ImmutableArray<ArgumentSyntax>.Empty,
                reference.IsDefined ? reference.Get().Value : null, null, S(start, end)) { Data = data.IsDefined ? data.Get() : null };

        private static readonly Parser<DeclarationSyntax> Import =
            from start in Start
            from k in Kw("import")
            from path in StringToken
            from end in Pos
            select (DeclarationSyntax)new ImportDecl(path.Value, S(path.Start, path.End), S(start, end));

        private static readonly Parser<DeclarationSyntax> Declaration =
            (from d in Import.Or(Definition("block", DefinitionKind.Block)).Or(Definition("network", DefinitionKind.Network)).Or(Variant)
             from semi in Semicolon
             select d)
            .Named("'block', 'network', 'variant' or 'import'");

        /// <summary>What a declaration nested beyond the parser's stack is told to be instead.</summary>
        internal const string TooDeep = "less deeply nested code (brackets, blocks or operators nest too deep to parse)";

        /// <summary>What an <c>else if</c> chain longer than <see cref="ReliabilityLimits.MaxElseIfBranches"/> is told to be instead.</summary>
        internal static readonly string TooManyBranches = "at most " + ReliabilityLimits.MaxElseIfBranches.ToString("N0", CultureInfo.InvariantCulture)
            + " branches in one 'if … else if' chain (a table or a parameter is the way to choose among more)";

        /// <summary>The first node deeper than <see cref="ReliabilityLimits.MaxTreeDepth"/>, or the first branch of an
        /// <c>else if</c> chain past <see cref="ReliabilityLimits.MaxElseIfBranches"/>, found without recursion, with
        /// what it is told to be; null when there is none. The <c>if</c> in an <c>else</c> is a branch of its chain, at
        /// the chain's depth: a chain is one level of nesting, however long.</summary>
        private static (SyntaxNode Node, string Expected)? BeyondLimits(SyntaxNode root)
        {
            var stack = new Stack<(SyntaxNode Node, int Depth, int Branch)>();
            stack.Push((root, 1, 1));
            while (stack.Count > 0)
            {
                var (node, depth, branch) = stack.Pop();
                if (depth > ReliabilityLimits.MaxTreeDepth) return (node, TooDeep);
                if (branch > ReliabilityLimits.MaxElseIfBranches) return (node, TooManyBranches);
                foreach (var child in SyntaxWalker.Children(node))
                {
                    if (node is IfStmt ifs && ReferenceEquals(child, ifs.Else) && child is IfStmt) stack.Push((child, depth, branch + 1));
                    else stack.Push((child, depth + 1, 1));
                }
            }
            return null;
        }

        private static readonly Parser<CompilationUnit> Unit = input =>
        {
            var decls = ImmutableArray.CreateBuilder<DeclarationSyntax>();
            var i = input;
            while (true)
            {
                i = Ws(i).Remainder;
                if (i.AtEnd) break;
                IResult<DeclarationSyntax> r;
                try
                {
                    r = Declaration(i);
                }
                catch (NestingTooDeepException deep)
                {
                    decls.Add(new ErrorDecl(TooDeep, ErrorSpan(i.Source, deep.Position)));
                    i = AdvanceTo(i, Math.Max(Resync(i.Source, i.Position, deep.Position, stopAtDeclaration: true), i.Position + 1));
                    continue;
                }
                if (r.WasSuccessful && r.Remainder.Position > i.Position)
                {
                    var beyond = BeyondLimits(r.Value);
                    if (beyond != null)
                    {
                        var (node, expected) = beyond.Value;
                        decls.Add(new ErrorDecl(expected, ReferenceEquals(expected, TooDeep) ? node.Span : ErrorSpan(i.Source, node.Span.Start)));
                        i = r.Remainder;
                        continue;
                    }
                    decls.Add(WithDocumentation(r.Value, i.Source));
                    i = r.Remainder;
                    continue;
                }
                int failAt = Math.Max(r.Remainder.Position, i.Position);
                decls.Add(new ErrorDecl(Expected(r.Expectations, "a declaration"), ErrorSpan(i.Source, failAt)));
                i = AdvanceTo(i, Math.Max(Resync(i.Source, i.Position, failAt, stopAtDeclaration: true), i.Position + 1));
            }
            return Result.Success(new CompilationUnit(decls.ToImmutable(), S(0, input.Source.Length)), i);
        };

        /// <summary>The <c>//</c> comment lines directly above a declaration are its documentation.</summary>
        private static DeclarationSyntax WithDocumentation(DeclarationSyntax d, string text)
        {
            string? doc = LeadingComment(text, d.Span.Start);
            return d switch
            {
                DefinitionDecl def => def with { Documentation = doc },
                VariantDecl v => v with { Documentation = doc },
                _ => d,
            };
        }

        private static string? LeadingComment(string text, int start)
        {
            int lineStart = start;
            while (lineStart > 0 && text[lineStart - 1] != '\n') lineStart--;
            var lines = new List<string>();
            int p = lineStart;
            while (p > 0)
            {
                int prevEnd = p - 1;
                int prevStart = prevEnd;
                while (prevStart > 0 && text[prevStart - 1] != '\n') prevStart--;
                var line = text.Substring(prevStart, prevEnd - prevStart).Trim();
                if (!line.StartsWith("//", StringComparison.Ordinal)) break;
                lines.Insert(0, line.TrimStart('/').Trim());
                p = prevStart;
            }
            return lines.Count == 0 ? null : global::System.String.Join("\n", lines);
        }
    }
}
