using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Sprache;

namespace ArchDsl.Syntax
{
    /// <summary>The lexical layer of the parser: whitespace and comments, names, keywords, numbers, strings.
    /// Every token parser skips the whitespace and comments before it, never after, so a node ends
    /// exactly where its last token ends.</summary>
    internal static class Lexical
    {
        public static readonly HashSet<string> Keywords = new HashSet<string>
        {
            "let", "if", "else", "repeat", "as", "for", "in", "residual", "shortcut", "when", "zeropad",
            "concat", "add", "mul", "split", "dense", "aux", "true", "false",
        };

        public static bool IsIdentStart(char c) => c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        public static bool IsIdentPart(char c) => IsIdentStart(c) || (c >= '0' && c <= '9');
        /// <summary>A character of a module name (a state-dict key level): letters, digits, '_' and '-'.</summary>
        public static bool IsLabelPart(char c) => IsIdentPart(c) || c == '-';

        /// <summary>Skips spaces, newlines, <c>// line</c> and <c>/* block */</c> comments.</summary>
        public static readonly Parser<int> Ws = input =>
        {
            // Every token passes here, so this one check bounds the recursion of the whole grammar: input that
            // nests deeper than the thread's stack allows ends in a syntax error instead of a StackOverflow
            // that would take the compiler down with it.
            try { System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack(); }
            catch (System.InsufficientExecutionStackException) { throw new NestingTooDeepException(input.Position); }
            // A SourceInput keeps the result at each offset (the end of its trivia is found once).
            if (input is SourceInput cursor) return cursor.SkipTrivia();
            var next = AdvanceTo(input, SkipTrivia(input.Source, input.Position));
            return Result.Success(next.Position, next);
        };

        /// <summary>A token parser that runs where the whitespace and comments before it end; the same as
        /// <c>Ws.Then(_ => token)</c> (Ws never fails) without the closures Sprache makes per attempt.</summary>
        private static Parser<T> Token<T>(Parser<T> token) => input => token(Ws(input).Remainder);

        /// <summary>The offset after the spaces, newlines and comments starting at <paramref name="position"/>.</summary>
        public static int SkipTrivia(string source, int position)
        {
            int i = position, n = source.Length;
            while (i < n)
            {
                char c = source[i];
                if (char.IsWhiteSpace(c)) { i++; continue; }
                if (c == '/' && i + 1 < n && source[i + 1] == '/')
                {
                    while (i < n && source[i] != '\n') i++;
                    continue;
                }
                if (c == '/' && i + 1 < n && source[i + 1] == '*')
                {
                    i += 2;
                    while (i < n && !(source[i] == '*' && i + 1 < n && source[i + 1] == '/')) i++;
                    i = Math.Min(n, i + 2);
                    continue;
                }
                break;
            }
            return i;
        }

        /// <summary>Thrown by <see cref="Ws"/> when the stack is nearly exhausted; the parser turns it into an error node.</summary>
        public sealed class NestingTooDeepException : System.Exception
        {
            public NestingTooDeepException(int position) : base("nesting too deep at offset " + position) => Position = position;
            public int Position { get; }
        }

        /// <summary>The current offset, consuming nothing.</summary>
        public static readonly Parser<int> Pos = i => Result.Success(i.Position, i);

        /// <summary>Skips whitespace, then yields the offset where the next token starts.</summary>
        public static readonly Parser<int> Start = Ws; // Ws's value is the offset it stops at

        public static char Peek(IInput i, int ahead)
        {
            int p = i.Position + ahead;
            return p < i.Source.Length ? i.Source[p] : '\0';
        }

        public static IInput AdvanceTo(IInput i, int position)
        {
            if (i is SourceInput cursor) return position <= i.Position ? i : cursor.Seek(position);
            while (!i.AtEnd && i.Position < position) i = i.Advance();
            return i;
        }

        /// <summary>A punctuation token, e.g. <c>"("</c>, <c>"|>"</c>, <c>"=="</c>.</summary>
        // The grammar's query expressions name tokens inside their lambdas (`from open in Sym("(")`), so these run on
        // every attempt: each token's parser is made once and looked up after that.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Parser<string>> Syms = new(StringComparer.Ordinal);
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Parser<string>> Kws = new(StringComparer.Ordinal);
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), Parser<string>> SymNots = new();

        public static Parser<string> Sym(string text) => Syms.TryGetValue(text, out var p) ? p : Syms.GetOrAdd(text, MakeSym(text));

        private static Parser<string> MakeSym(string text)
        {
            // One delegate in place of Ws.Then(token).Named(expected): the failure is the same either way
            // (at the token's offset, expecting the quoted symbol).
            var expected = new[] { "'" + text + "'" };
            return Token(input =>
            {
                int p = input.Position;
                if (string.CompareOrdinal(input.Source, p, text, 0, text.Length) == 0 && p + text.Length <= input.Source.Length)
                    return Result.Success(text, AdvanceTo(input, p + text.Length));
                return Result.Failure<string>(input, expected[0], expected);
            });
        }

        /// <summary>A punctuation token that must not be followed by <paramref name="notFollowedBy"/> (so '=' is not '==').</summary>
        public static Parser<string> SymNot(string text, string notFollowedBy) =>
            SymNots.TryGetValue((text, notFollowedBy), out var p) ? p : SymNots.GetOrAdd((text, notFollowedBy), MakeSymNot(text, notFollowedBy));

        private static Parser<string> MakeSymNot(string text, string notFollowedBy)
        {
            var sym = Sym(text);
            return input => SymNotAt(sym, text, notFollowedBy, input);
        }

        private static IResult<string> SymNotAt(Parser<string> sym, string text, string notFollowedBy, IInput input)
        {
            var r = sym(input);
            if (!r.WasSuccessful) return r;
            foreach (char c in notFollowedBy)
                if (!r.Remainder.AtEnd && r.Remainder.Current == c)
                    return Result.Failure<string>(input, "'" + text + "'", new[] { "'" + text + "'" });
            return r;
        }

        private static readonly Parser<string> RawWord = input =>
        {
            if (input.AtEnd || !IsIdentStart(input.Current)) return Result.Failure<string>(input, "name", new[] { "name" });
            int end = WordEnd(input.Source, input.Position);
            return Result.Success(input.Source.Substring(input.Position, end - input.Position), AdvanceTo(input, end));
        };

        private static int WordEnd(string source, int position)
        {
            while (position < source.Length && IsIdentPart(source[position])) position++;
            return position;
        }

        /// <summary>A keyword, not followed by a name character.</summary>
        public static Parser<string> Kw(string word) => Kws.TryGetValue(word, out var p) ? p : Kws.GetOrAdd(word, MakeKw(word));

        private static Parser<string> MakeKw(string word)
        {
            var expected = new[] { "'" + word + "'" };
            return Token(input =>
            {
                // Compared in place: keywords are tried at almost every statement start.
                string source = input.Source;
                int p = input.Position;
                if (string.CompareOrdinal(source, p, word, 0, word.Length) == 0 && WordEnd(source, p) == p + word.Length)
                    return Result.Success(word, AdvanceTo(input, p + word.Length));
                return Result.Failure<string>(input, expected[0], expected);
            });
        }

        /// <summary>A name that is not a keyword, with its span.</summary>
        public static readonly Parser<(string Name, int Start, int End)> Ident = Token(input =>
        {
            // Statements and expressions try a name at the same offset several times over (assignment, label,
            // indexed name, call): a SourceInput keeps the first answer.
            if (input is SourceInput cursor) return cursor.Name ??= ReadIdent(input);
            return ReadIdent(input);
        });

        private static IResult<(string Name, int Start, int End)> ReadIdent(IInput input)
        {
            var r = RawWord(input);
            if (!r.WasSuccessful || Keywords.Contains(r.Value))
                return Result.Failure<(string, int, int)>(input, "name", new[] { "name" });
            return Result.Success((r.Value, input.Position, r.Remainder.Position), r.Remainder);
        }

        /// <summary>Name characters immediately following (no whitespace): the literal parts of <c>layer{i+1}</c>.</summary>
        public static readonly Parser<string> NameChars = input =>
        {
            var sb = new StringBuilder();
            var i = input;
            while (!i.AtEnd && IsIdentPart(i.Current)) { sb.Append(i.Current); i = i.Advance(); }
            return sb.Length == 0 ? Result.Failure<string>(input, "name", new[] { "name" }) : Result.Success(sb.ToString(), i);
        };

        /// <summary>A number: <c>42</c> is an int; <c>0.5</c>, <c>1e-3</c>, <c>2.0</c> are floats. <c>0..4</c> reads as 0, '..', 4.</summary>
        public static readonly Parser<(string Text, bool IsFloat, int Start, int End)> Number = Token<(string, bool, int, int)>(input =>
        {
            var i = input;
            var sb = new StringBuilder();
            while (!i.AtEnd && char.IsDigit(i.Current) && i.Current < 128) { sb.Append(i.Current); i = i.Advance(); }
            if (sb.Length == 0) return Result.Failure<(string, bool, int, int)>(input, "number", new[] { "number" });
            bool isFloat = false;
            if (!i.AtEnd && i.Current == '.' && char.IsDigit(Peek(i, 1)))
            {
                isFloat = true;
                sb.Append('.'); i = i.Advance();
                while (!i.AtEnd && char.IsDigit(i.Current) && i.Current < 128) { sb.Append(i.Current); i = i.Advance(); }
            }
            if (!i.AtEnd && (i.Current == 'e' || i.Current == 'E'))
            {
                int k = 1;
                char s = Peek(i, 1);
                if (s == '+' || s == '-') k = 2;
                if (char.IsDigit(Peek(i, k)))
                {
                    isFloat = true;
                    for (int n = 0; n < k; n++) { sb.Append(i.Current); i = i.Advance(); }
                    while (!i.AtEnd && char.IsDigit(i.Current) && i.Current < 128) { sb.Append(i.Current); i = i.Advance(); }
                }
            }
            if (!i.AtEnd && IsIdentStart(i.Current) && !(i.Current == 'x' && char.IsDigit(Peek(i, 1))))
                return Result.Failure<(string, bool, int, int)>(i, "number", new[] { "a separator after the number" });
            return Result.Success((sb.ToString(), isFloat, input.Position, i.Position), i);
        });

        /// <summary>The whole number at <paramref name="start"/>, read in place: ASCII digits not followed by <c>.</c> or
        /// a name character, whose value fits a long. Null for anything else, which <see cref="Number"/> reads (a
        /// float, a literal past the long range, an error).</summary>
        public static (long Value, int End)? PlainInteger(string source, int start)
        {
            int end = start;
            long value = 0;
            for (; end < source.Length && source[end] >= '0' && source[end] <= '9'; end++)
            {
                int digit = source[end] - '0';
                if (value > (long.MaxValue - digit) / 10) return null;
                value = value * 10 + digit;
            }
            if (end == start || (end < source.Length && (source[end] == '.' || IsIdentStart(source[end])))) return null;
            return (value, end);
        }

        /// <summary>A string in double quotes with <c>\"</c> and <c>\\</c> escapes, on one line.</summary>
        public static readonly Parser<(string Value, int Start, int End)> StringToken = Token<(string, int, int)>(input =>
        {
            if (input.AtEnd || input.Current != '"') return Result.Failure<(string, int, int)>(input, "string", new[] { "string" });
            var i = input.Advance();
            var sb = new StringBuilder();
            while (true)
            {
                if (i.AtEnd || i.Current == '\n') return Result.Failure<(string, int, int)>(i, "string", new[] { "closing '\"'" });
                char c = i.Current;
                if (c == '"') { i = i.Advance(); break; }
                if (c == '\\')
                {
                    char n = Peek(i, 1);
                    if (n == '"' || n == '\\') { sb.Append(n); i = i.Advance().Advance(); continue; }
                    if (n == 'n') { sb.Append('\n'); i = i.Advance().Advance(); continue; }
                    return Result.Failure<(string, int, int)>(i, "string", new[] { "an escape \\\" \\\\ or \\n" });
                }
                sb.Append(c);
                i = i.Advance();
            }
            return Result.Success((sb.ToString(), input.Position, i.Position), i);
        });

        /// <summary>A dimension literal <c>3x224x224</c>, with its offsets.</summary>
        public static readonly Parser<List<(long Value, int Start, int End)>> Dims = Token<List<(long, int, int)>>(input =>
        {
            var list = new List<(long, int, int)>();
            var i = input;
            while (true)
            {
                int start = i.Position;
                var sb = new StringBuilder();
                while (!i.AtEnd && char.IsDigit(i.Current) && i.Current < 128) { sb.Append(i.Current); i = i.Advance(); }
                if (sb.Length == 0 || !long.TryParse(sb.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                    return Result.Failure<List<(long, int, int)>>(i, "dimensions", new[] { "dimensions like 3x224x224" });
                list.Add((v, start, i.Position));
                if (!i.AtEnd && i.Current == 'x' && char.IsDigit(Peek(i, 1))) { i = i.Advance(); continue; }
                break;
            }
            if (list.Count < 2) return Result.Failure<List<(long, int, int)>>(input, "dimensions", new[] { "dimensions like 3x224x224" });
            return Result.Success(list, i);
        });
    }
}
