// Formatter: the entry points, the round-trip check, and the printer's state, output and tokens.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using ArchDsl.Diagnostics;
using ArchDsl.Text;

namespace ArchDsl.Syntax
{
    /// <summary>The result of formatting one file: the formatted text, or the file's own text and its syntax errors.</summary>
    public sealed record FormatResult(string Text, bool Changed, ImmutableArray<ArchDiagnostic> Diagnostics)
    {
        public bool HasErrors => Diagnostics.Any(d => d.Severity == ArchSeverity.Error);
    }

    /// <summary>Canonical layout of .arch text (<c>archdsl fmt</c>; docs/cli.md lists the rules). The syntax tree decides
    /// what the tokens are; the text supplies what the tree leaves out (comments, literals as written, parentheses,
    /// the author's line breaks inside a statement, tables). Tokens are written in text order, each after the comments
    /// that precede it, so every comment stays between the same two tokens it was between.</summary>
    public static partial class ArchFormatter
    {
        /// <summary>Formats a file. A file with syntax errors is not formatted: its text comes back unchanged with the errors.</summary>
        public static FormatResult Format(SourceFile file)
        {
            var text = file.Text ?? "";
            var bag = new DiagnosticBag();
            if (text.Length > ReliabilityLimits.MaxFileLength)
            {
                bag.Report(DiagnosticCatalogue.TooLarge, file.Path, new TextSpan(0, 0),
                    "The file has " + text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters; .arch files may have at most "
                    + ReliabilityLimits.MaxFileLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return new FormatResult(text, false, bag.ToDiagnostics(new Dictionary<string, string> { [file.Path] = text }));
            }
            var unit = ArchParser.ParseUnit(Normalize(text));
            foreach (var node in SyntaxWalker.Descendants(unit))
            {
                if (node is ErrorStmt es) bag.Report(DiagnosticCatalogue.SyntaxError, file.Path, es.Span, es.Expected);
                else if (node is ErrorDecl ed) bag.Report(DiagnosticCatalogue.SyntaxError, file.Path, ed.Span, ed.Expected);
            }
            if (bag.ErrorCount > 0)
                return new FormatResult(text, false, bag.ToDiagnostics(new Dictionary<string, string> { [file.Path] = Normalize(text) }));
            var formatted = Format(text, unit);
            return new FormatResult(formatted, formatted != text, ImmutableArray<ArchDiagnostic>.Empty);
        }

        /// <summary>Formats text that parses without errors; throws <see cref="ArgumentException"/> otherwise.</summary>
        public static string Format(string text)
        {
            var unit = ArchParser.ParseUnit(Normalize(text ?? ""));
            if (SyntaxWalker.Descendants(unit).Any(n => n is ErrorStmt || n is ErrorDecl))
                throw new ArgumentException("the text has syntax errors", nameof(text));
            return Format(text ?? "", unit);
        }

        /// <summary>Line breaks as '\n' while formatting; a file written with "\r\n" gets them back.</summary>
        private static string Normalize(string text) => text.Replace("\r\n", "\n");

        private static string Format(string text, CompilationUnit unit)
        {
            var source = Normalize(text);
            var output = new Printer(source).Unit(unit);
            Verify(source, unit, output);
            int firstBreak = text.IndexOf('\n');
            return firstBreak > 0 && text[firstBreak - 1] == '\r' ? output.Replace("\n", "\r\n") : output;
        }

        /// <summary>The formatter's own guarantee, checked on every run: the output parses to the same program with the
        /// same comments. A file that would fail it is left alone (the exception names the difference).</summary>
        private static void Verify(string source, CompilationUnit unit, string output)
        {
            var again = ArchParser.ParseUnit(output);
            if (SyntaxWalker.Descendants(again).Any(n => n is ErrorStmt || n is ErrorDecl))
                throw new InvalidOperationException("formatting produced text that does not parse");
            if (SyntaxPrinter.Print(again) != SyntaxPrinter.Print(unit))
                throw new InvalidOperationException("formatting changed the program");
            if (!CommentTexts(source).SequenceEqual(CommentTexts(output)))
                throw new InvalidOperationException("formatting changed the comments");
        }

        /// <summary>The comments of a text, each with its lines' trailing spaces removed (the only change fmt makes to one).</summary>
        public static IEnumerable<string> CommentTexts(string text) =>
            SourceComments.Scan(text).Comments.Select(c => TrimLines(text.Substring(c.Span.Start, c.Span.Length)));

        private static string TrimLines(string text) =>
            string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd(' ', '\t', '\r')));

        /// <summary>How a token is separated from what precedes it.</summary>
        private enum Sep
        {
            /// <summary>Nothing, and never a line break: <c>conv(</c>, <c>layer{</c>, <c>a,</c>.</summary>
            Glue,
            /// <summary>Nothing, or the author's line break: after '(' and '[', before ')' and ']'.</summary>
            Tight,
            /// <summary>One space, or the author's line break (a continuation line).</summary>
            Space,
            /// <summary>One space, never a line break: a body's '{', <c>} else</c>, <c>} shortcut</c>.</summary>
            SameLine,
            /// <summary>"; " between statements of a body written on one line.</summary>
            Semi,
            /// <summary>A new line: a statement or declaration (one blank line kept where the author had any).</summary>
            Line,
            /// <summary>The '}' closing a body written over several lines.</summary>
            Close,
        }

        /// <summary>An open '(' or '[' of the statement being written: continuation lines inside it align after it.</summary>
        private sealed class Bracket
        {
            public int ColumnAfter;
            public int LineIndent;
            public bool Hanging;
        }

        /// <summary>The statement (or declaration) being written: where it starts in the text and in the output,
        /// its open brackets and the column of its pipeline's first '|>'.</summary>
        private sealed class StatementFrame
        {
            public int SourceColumn;
            public int OutputColumn = -1;
            public readonly Stack<Bracket> Brackets = new Stack<Bracket>();
            public int PipeColumn = -1;
        }

        private sealed partial class Printer
        {
            private const int IndentWidth = 2;
            private const int ContinuationIndent = 4;

            private readonly string _src;
            private readonly ImmutableArray<SourceComment> _comments;
            private readonly SourceComments _trivia;
            private readonly StringBuilder _out = new StringBuilder();
            private readonly Stack<StatementFrame> _frames = new Stack<StatementFrame>();
            private int _pos;
            private int _nextComment;
            private int _lineStart;
            private int _lineIndent;
            private bool _lineHasText;
            private bool _afterOpen = true;
            private int _depth;
            private bool _compact;
            private string _lastText = "";

            public Printer(string source)
            {
                _src = source;
                _trivia = SourceComments.Scan(source);
                _comments = _trivia.Comments;
            }

            private int Column => _out.Length - _lineStart;

            // ---------------------------------------------------------------- output

            private void Write(string text)
            {
                _out.Append(text);
                int lastBreak = text.LastIndexOf('\n');
                if (lastBreak >= 0)
                {
                    _lineStart = _out.Length - (text.Length - lastBreak - 1);
                    _lineIndent = 0;
                    while (_lineStart + _lineIndent < _out.Length && _out[_lineStart + _lineIndent] == ' ') _lineIndent++;
                }
                if (text.Length > 0) _lineHasText = true;
            }

            private void NewLine(bool blank)
            {
                int end = _out.Length;
                while (end > _lineStart && (_out[end - 1] == ' ' || _out[end - 1] == '\t')) end--;
                _out.Length = end;
                _out.Append('\n');
                if (blank) _out.Append('\n');
                _lineStart = _out.Length;
                _lineHasText = false;
                _lineIndent = 0;
            }

            private void Indent(int columns)
            {
                _out.Append(' ', columns);
                _lineIndent = columns;
            }

            // ---------------------------------------------------------------- tokens

            private int SourceColumn(int offset)
            {
                int lineStart = offset;
                while (lineStart > 0 && _src[lineStart - 1] != '\n') lineStart--;
                return offset - lineStart;
            }

            private int SourceLineIndent(int offset)
            {
                int lineStart = offset - SourceColumn(offset), p = lineStart;
                while (p < _src.Length && (_src[p] == ' ' || _src[p] == '\t')) p++;
                return p - lineStart;
            }

            /// <summary>Where the next token starts: past spaces, line breaks, comments and ';' (statement ends).</summary>
            private int NextToken(int from)
            {
                int p = Lexical.SkipTrivia(_src, from);
                while (p < _src.Length && _src[p] == ';') p = Lexical.SkipTrivia(_src, p + 1);
                return p;
            }

            private bool NextIs(string text)
            {
                int p = NextToken(_pos);
                return string.CompareOrdinal(_src, p, text, 0, text.Length) == 0;
            }

            /// <summary>Writes punctuation or a keyword: the next token of the text, which must be <paramref name="text"/>.</summary>
            private void Punct(string text, Sep sep, bool pipe = false)
            {
                int p = NextToken(_pos);
                if (string.CompareOrdinal(_src, p, text, 0, text.Length) != 0)
                    throw new InvalidOperationException("formatter out of step with the text: expected '" + text + "' at offset " + p);
                Token(p, p + text.Length, text, sep, pipe);
            }

            /// <summary>Writes a node's text as written (names, literals as the author spelled them).</summary>
            private void Verbatim(TextSpan span, Sep sep) => Token(span.Start, span.End, _src.Substring(span.Start, span.Length), sep);

            private void Token(int start, int end, string text, Sep sep, bool pipe = false)
            {
                var frame = _frames.Count > 0 ? _frames.Peek() : null;
                if (sep == Sep.Semi) Write(";");
                var (newlines, mustBreak, hadComment, blankAllowed) = Gap(start, sep);

                bool lineBreak = mustBreak || sep == Sep.Line || sep == Sep.Close
                    || (newlines > 0 && (sep == Sep.Tight || sep == Sep.Space));
                if (lineBreak && (_lineHasText || _out.Length > 0))
                {
                    if (_lineHasText) NewLine(blank: newlines >= 2 && blankAllowed && sep != Sep.Close && !IsClosing(text));
                    Indent(BreakIndent(sep, start, text, pipe, frame));
                }
                else if (!lineBreak)
                {
                    if (!hadComment && sep == Sep.Space && _lastText == ",") Write(Padding(start));
                    else if (hadComment ? sep != Sep.Glue : sep == Sep.Space || sep == Sep.SameLine || sep == Sep.Semi) Write(" ");
                }
                if (frame != null && frame.OutputColumn < 0) frame.OutputColumn = Column;
                if (pipe && frame != null && frame.PipeColumn < 0) frame.PipeColumn = Column;
                Write(text);
                _pos = end;
                _lastText = text;
                _afterOpen = text == "(" || text == "[" || text == "{";
            }

            /// <summary>The spaces the author put before <paramref name="offset"/> on its line (at least one): padding
            /// after a comma and before a trailing comment is how tables of arguments and comments are aligned.</summary>
            private string Padding(int offset)
            {
                int p = offset;
                while (p > 0 && _src[p - 1] == ' ') p--;
                return new string(' ', Math.Max(1, offset - p));
            }

            private static bool IsClosing(string text) => text == ")" || text == "]";

            private int BreakIndent(Sep sep, int start, string text, bool pipe, StatementFrame? frame)
            {
                switch (sep)
                {
                    case Sep.Line:
                    case Sep.Close:
                    case Sep.SameLine:
                        return _depth * IndentWidth;
                    default:
                        return Continuation(start, text, pipe, frame);
                }
            }

            private int CommentIndent(Sep sep, int start) =>
                sep == Sep.Close ? (_depth + 1) * IndentWidth : BreakIndent(sep, start, "", false, _frames.Count > 0 ? _frames.Peek() : null);

            /// <summary>The indentation of a continuation line: after the innermost open bracket (or the bracket's line
            /// indentation plus four when nothing followed the bracket on its line); under the pipeline's first '|>';
            /// otherwise where the author put it relative to the statement's start (at least four columns in).</summary>
            private int Continuation(int start, string text, bool pipe, StatementFrame? frame)
            {
                if (frame == null) return ContinuationIndent;
                if (pipe && frame.PipeColumn >= 0) return frame.PipeColumn;
                if (frame.Brackets.Count > 0)
                {
                    var b = frame.Brackets.Peek();
                    if (IsClosing(text)) return b.LineIndent;
                    return b.Hanging ? b.LineIndent + ContinuationIndent : b.ColumnAfter;
                }
                int offset = SourceLineIndent(start) - frame.SourceColumn;
                int baseColumn = frame.OutputColumn < 0 ? _depth * IndentWidth : frame.OutputColumn;
                return offset > 0 ? baseColumn + offset : baseColumn + ContinuationIndent;
            }

            private void Open(string text, Sep sep)
            {
                Punct(text, sep);
                var frame = _frames.Peek();
                frame.Brackets.Push(new Bracket { ColumnAfter = Column, LineIndent = _lineIndent, Hanging = BreakFollows(_pos) });
            }

            private void Close(string text)
            {
                Punct(text, Sep.Tight);
                _frames.Peek().Brackets.Pop();
            }

            /// <summary>True when only spaces and comments follow on the offset's line.</summary>
            private bool BreakFollows(int from)
            {
                int p = from;
                while (p < _src.Length)
                {
                    char c = _src[p];
                    if (c == '\n') return true;
                    if (c == ' ' || c == '\t' || c == '\r') { p++; continue; }
                    if (c == '/' && p + 1 < _src.Length && _src[p + 1] == '/') return true;
                    if (c == '/' && p + 1 < _src.Length && _src[p + 1] == '*')
                    {
                        int close = _src.IndexOf("*/", p + 2, StringComparison.Ordinal);
                        p = close < 0 ? _src.Length : close + 2;
                        continue;
                    }
                    return false;
                }
                return true;
            }

            private bool OnOneLine(TextSpan span) => _src.IndexOf('\n', span.Start, span.Length) < 0;

            private void BeginStatement(int start) => _frames.Push(new StatementFrame { SourceColumn = SourceColumn(start) });

            private void EndStatement() => _frames.Pop();
        }
    }
}
