// The .arch grammar: the entry points, shared helpers, declarations and the file with its limits.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Text;
using Sprache;
using static ArchDsl.Syntax.Lexical;
using static ArchDsl.Syntax.ExpressionGrammar;
using static ArchDsl.Syntax.NameGrammar;
using static ArchDsl.Syntax.StatementGrammar;

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

        internal sealed class Option<T> : IOption<T>
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

        internal static TextSpan S(int start, int end) => TextSpan.FromBounds(start, end);

        /// <summary>A forward reference to a parser not yet initialised. Not Sprache's <c>Parse.Ref</c>: that one remembers
        /// a failure per input and throws a ParseException when the same input is tried again (a zeropad shortcut
        /// without body followed directly by a non-space character made the body parser run twice there).</summary>
        internal static Parser<T> Ref<T>(Func<Parser<T>?> reference)
        {
            Parser<T>? parser = null;
            return input => (parser ??= reference() ?? throw new InvalidOperationException("a parser used before it is initialised"))(input);
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
