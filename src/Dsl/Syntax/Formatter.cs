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
    public static class ArchFormatter
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

        private sealed class Printer
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

            // ---------------------------------------------------------------- declarations

            public string Unit(CompilationUnit unit)
            {
                foreach (var d in unit.Declarations) Declaration(d);
                // Comments after the last declaration.
                BeginStatement(_src.Length);
                FlushTrailing(_src.Length, Sep.Line);
                EndStatement();
                if (_out.Length > 0)
                {
                    if (_lineHasText) NewLine(blank: false);
                    else while (_out.Length >= 2 && _out[_out.Length - 2] == '\n') _out.Length--;
                }
                return _out.ToString();
            }

            /// <summary>Writes the comments before <paramref name="end"/> as if a token of <paramref name="sep"/> followed.</summary>
            private void FlushTrailing(int end, Sep sep)
            {
                Gap(end, sep);
                _pos = end;
            }

            /// <summary>Writes the comments between the last token and <paramref name="end"/>: on the last token's line
            /// when the author put them there, else each on its own line (after one blank line where the author left any).
            /// Returns the line breaks after the last comment, whether a '//' comment ended the line, whether there was a
            /// comment, and whether a blank line may follow (not directly after an opening bracket or brace).</summary>
            private (int Newlines, bool MustBreak, bool HadComment, bool BlankAllowed) Gap(int end, Sep sep)
            {
                bool blankAllowed = !_afterOpen, mustBreak = false, hadComment = false;
                int newlines = 0, p = _pos;
                while (p < end)
                {
                    char c = _src[p];
                    if (c == '\n') { newlines++; p++; continue; }
                    if (c == ' ' || c == '\t' || c == '\r' || c == ';') { p++; continue; }
                    if (_nextComment < _comments.Length && _comments[_nextComment].Span.Start == p)
                    {
                        var comment = _comments[_nextComment++];
                        if (newlines == 0 && _lineHasText) Write(Padding(comment.Span.Start));
                        else
                        {
                            if (_lineHasText) NewLine(blank: newlines >= 2 && blankAllowed);
                            Indent(CommentIndent(sep, comment.Span.Start));
                            blankAllowed = true;
                        }
                        Write(TrimLines(_src.Substring(comment.Span.Start, comment.Span.Length)));
                        mustBreak = comment.IsLine;
                        hadComment = true;
                        newlines = 0;
                        p = comment.Span.End;
                        continue;
                    }
                    throw new InvalidOperationException("formatter out of step with the text: unexpected '" + c + "' at offset " + p);
                }
                return (newlines, mustBreak, hadComment, blankAllowed);
            }

            private void Declaration(DeclarationSyntax d)
            {
                BeginStatement(d.Span.Start);
                switch (d)
                {
                    case ImportDecl i:
                        Punct("import", Sep.Line);
                        Verbatim(i.PathSpan, Sep.Space);
                        break;
                    case DefinitionDecl def:
                        Punct(def.Kind == DefinitionKind.Block ? "block" : "network", Sep.Line);
                        Verbatim(def.NameSpan, Sep.Space);
                        if (NextIs("("))
                        {
                            Open("(", Sep.Glue);
                            for (int k = 0; k < def.Parameters.Length; k++)
                            {
                                if (k > 0) Punct(",", Sep.Glue);
                                Parameter(def.Parameters[k], k == 0 ? Sep.Tight : Sep.Space);
                            }
                            Close(")");
                        }
                        Body(def.Body);
                        break;
                    case VariantDecl v:
                        Punct("variant", Sep.Line);
                        Verbatim(v.NameSpan, Sep.Space);
                        Punct("=", Sep.Space);
                        Verbatim(v.TargetSpan, Sep.Space);
                        if (NextIs("(")) Arguments(v.Arguments);
                        if (v.Reference != null)
                        {
                            Punct("reference", Sep.Space);
                            int p = NextToken(_pos);
                            Verbatim(TextSpan.FromBounds(p, StringEnd(p)), Sep.Space);
                        }
                        if (v.Data != null)
                        {
                            Punct("data", Sep.Space);
                            if (v.Data.Preset != null) Verbatim(v.Data.PresetSpan, Sep.Space);
                            if (NextIs("(")) Arguments(v.Data.Arguments);
                        }
                        break;
                }
                EndStatement();
            }

            private int StringEnd(int start)
            {
                int i = start + 1;
                while (i < _src.Length && _src[i] != '"') i += _src[i] == '\\' ? 2 : 1;
                return Math.Min(_src.Length, i + 1);
            }

            private void Parameter(ParameterSyntax p, Sep sep)
            {
                Verbatim(p.NameSpan, sep);
                Punct(":", Sep.Glue);
                Punct(p.Type.Name, Sep.Space);
                for (int k = 0; k < p.Type.ListDepth; k++)
                {
                    Punct("[", Sep.Glue);
                    Punct("]", Sep.Glue);
                }
                if (p.Default != null)
                {
                    Punct("=", Sep.Space);
                    Expr(p.Default, Sep.Space);
                }
            }

            private void Arguments(ImmutableArray<ArgumentSyntax> args)
            {
                Open("(", Sep.Glue);
                for (int k = 0; k < args.Length; k++)
                {
                    if (k > 0) Punct(",", Sep.Glue);
                    var a = args[k];
                    var sep = k == 0 ? Sep.Tight : Sep.Space;
                    if (a.Name != null)
                    {
                        Verbatim(new TextSpan(a.Span.Start, a.Name.Length), sep);
                        Punct(":", Sep.Glue);
                        Expr(a.Value, Sep.Space);
                    }
                    else Expr(a.Value, sep);
                }
                Close(")");
            }

            // ---------------------------------------------------------------- bodies and statements

            /// <summary>A body: on one line ("{ a; b }") when the author wrote it on one line, else one statement per line.
            /// <paramref name="open"/> separates its '{' (a header's body follows on the same line).</summary>
            private void Body(BodySyntax body, Sep open = Sep.SameLine)
            {
                Punct("{", open);
                bool hasComment = _nextComment < _comments.Length && _comments[_nextComment].Span.Start < body.Span.End;
                if (OnOneLine(body.Span) || (body.Statements.Length == 0 && !hasComment))
                {
                    for (int k = 0; k < body.Statements.Length; k++) Statement(body.Statements[k], k == 0 ? Sep.Space : Sep.Semi);
                    Punct("}", body.Statements.Length == 0 && !hasComment ? Sep.Glue : Sep.Space);
                    return;
                }
                _depth++;
                foreach (var s in body.Statements) Statement(s, Sep.Line);
                FlushTrailing(body.Span.End - 1, Sep.Line);
                _depth--;
                Punct("}", Sep.Close);
            }

            private void Statement(StatementSyntax s, Sep sep)
            {
                BeginStatement(s.Span.Start);
                StatementBody(s, sep);
                EndStatement();
            }

            private void StatementBody(StatementSyntax s, Sep sep)
            {
                switch (s)
                {
                    case LabeledStmt l:
                        Name(l.Name, sep);
                        Punct(":", Sep.Glue);
                        StatementBody(l.Statement, Sep.Space);
                        break;
                    case LetStmt let:
                        Punct("let", sep);
                        Verbatim(let.NameSpan, Sep.Space);
                        Punct("=", Sep.Space);
                        Expr(let.Value, Sep.Space);
                        break;
                    case InputStmt input:
                        Punct("input", sep);
                        if (NextIs("["))
                        {
                            Open("[", Sep.Space);
                            for (int k = 0; k < input.Dimensions.Length; k++)
                            {
                                if (k > 0) Punct(",", Sep.Glue);
                                Expr(input.Dimensions[k], k == 0 ? Sep.Tight : Sep.Space);
                            }
                            Close("]");
                        }
                        else Verbatim(TextSpan.FromBounds(input.Dimensions[0].Span.Start, input.Dimensions[input.Dimensions.Length - 1].Span.End), Sep.Space);
                        break;
                    case AssignStmt a:
                        Verbatim(a.NameSpan, sep);
                        Punct("=", Sep.Space);
                        BindingValue(a.Value);
                        break;
                    case IndexedAssignStmt ia:
                        Name(ia.Name, sep);
                        Punct("=", Sep.Space);
                        BindingValue(ia.Value);
                        break;
                    case ExprStmt e:
                        Expr(e.Expression, sep);
                        break;
                    case GroupStmt g:
                        Body(g.Body, sep);
                        break;
                    case IfStmt i:
                        Punct("if", sep);
                        Expr(i.Condition, Sep.Space);
                        Body(i.Then);
                        if (i.Else != null)
                        {
                            Punct("else", Sep.SameLine);
                            if (i.Else is GroupStmt elseBody) Body(elseBody.Body);
                            else StatementBody(i.Else, Sep.Space);
                        }
                        break;
                    case RepeatStmt r:
                        Punct("repeat", sep);
                        Expr(r.Count, Sep.Space);
                        if (r.Variable != null)
                        {
                            Punct("as", Sep.Space);
                            Verbatim(r.VariableSpan, Sep.Space);
                        }
                        Body(r.Body);
                        break;
                    case ForStmt f:
                        Punct("for", sep);
                        Verbatim(f.VariableSpan, Sep.Space);
                        Punct("in", Sep.Space);
                        Expr(f.Source, Sep.Space);
                        Body(f.Body);
                        break;
                    case ResidualStmt r:
                        Punct("residual", sep);
                        if (r.Condition != null)
                        {
                            Punct("when", Sep.Space);
                            Expr(r.Condition, Sep.Space);
                        }
                        if (r.ShortcutFirst && r.Shortcut != null)
                        {
                            Shortcut(r.Shortcut, Sep.Space);
                            Body(r.Body);
                            break;
                        }
                        Body(r.Body);
                        if (r.Shortcut != null) Shortcut(r.Shortcut, Sep.SameLine);
                        break;
                    case MergeStmt m:
                        Punct(m.Kind == MergeKind.Concat ? "concat" : m.Kind == MergeKind.Add ? "add" : "mul", sep);
                        Body(m.Branches);
                        break;
                    case SplitStmt sp:
                        Punct("split", sep);
                        Body(sp.Branches);
                        break;
                    case DenseStmt d:
                        Punct("dense", sep);
                        StatementBody(d.Loop, Sep.Space);
                        break;
                    case AuxStmt aux:
                        Punct("aux", sep);
                        StatementBody(aux.Body, Sep.Space);
                        break;
                    default:
                        throw new InvalidOperationException("cannot format " + s.GetType().Name);
                }
            }

            /// <summary>A binding's value; <c>t = add { … }</c> was read as <c>input |> { add { … } }</c> with an
            /// <c>input</c> of no width, and is written back as the merge.</summary>
            private void BindingValue(ExprSyntax value)
            {
                if (value is PipeExpr pipe && pipe.Source is NameExpr source && source.Span.Length == 0
                    && pipe.Stages.Length == 1 && pipe.Stages[0] is GroupStmt g && g.Body.Statements.Length == 1)
                {
                    StatementBody(g.Body.Statements[0], Sep.Space);
                    return;
                }
                Expr(value, Sep.Space);
            }

            private void Shortcut(ShortcutSyntax sc, Sep sep)
            {
                Punct("shortcut", sep);
                if (sc.Kind == ShortcutKind.ZeroPad) Punct("zeropad", Sep.Space);
                if (sc.Name != null) Name(sc.Name, Sep.Space);
                if (sc.Condition != null)
                {
                    Punct("when", Sep.Space);
                    Expr(sc.Condition, Sep.Space);
                }
                if (sc.Body != null) Body(sc.Body);
            }

            private void Name(NameSpec name, Sep sep)
            {
                for (int k = 0; k < name.Parts.Length; k++)
                {
                    var part = name.Parts[k];
                    var partSep = k == 0 ? sep : Sep.Glue;
                    if (part.Text != null) Verbatim(part.Span, partSep);
                    else
                    {
                        Punct("{", partSep);
                        bool saved = _compact;
                        _compact = true;
                        Expr(part.Expression!, Sep.Glue);
                        _compact = saved;
                        Punct("}", Sep.Glue);
                    }
                }
            }

            // ---------------------------------------------------------------- expressions

            /// <summary>How many '(' … ')' pairs the author wrote around <paramref name="e"/> (the tree keeps none):
            /// the '(' tokens before its first token whose ')' follows its last, outermost first.</summary>
            private int ParenPairs(ExprSyntax e)
            {
                int pairs = 0;
                int p = NextToken(_pos);
                while (p < e.Span.Start && _src[p] == '(')
                {
                    int close = _trivia.ClosingParen(p);
                    if (close < e.Span.End || !OnlyClosingBetween(e.Span.End, close)) break;
                    pairs++;
                    p = NextToken(p + 1);
                }
                return pairs;
            }

            private bool OnlyClosingBetween(int from, int to)
            {
                int p = NextToken(from);
                while (p < to)
                {
                    if (_src[p] != ')') return false;
                    p = NextToken(p + 1);
                }
                return p == to;
            }

            private void Expr(ExprSyntax e, Sep sep)
            {
                int pairs = ParenPairs(e);
                for (int k = 0; k < pairs; k++)
                {
                    Open("(", sep);
                    sep = Sep.Tight;
                }
                ExprCore(e, sep);
                for (int k = 0; k < pairs; k++) Close(")");
            }

            private static bool Arithmetic(string op) => op == "+" || op == "-" || op == "*" || op == "/" || op == "%";

            private void ExprCore(ExprSyntax e, Sep sep)
            {
                switch (e)
                {
                    case IntLiteral _:
                    case FloatLiteral _:
                    case BoolLiteral _:
                    case StringLiteral _:
                    case NameExpr _:
                    case SharedRefExpr _:
                        Verbatim(e.Span, sep);
                        break;
                    case ListExpr l:
                        if (!OnOneLine(l.Span)) Table(l, sep);
                        else
                        {
                            Open("[", sep);
                            for (int k = 0; k < l.Items.Length; k++)
                            {
                                if (k > 0) Punct(",", Sep.Glue);
                                Expr(l.Items[k], k == 0 ? Sep.Tight : Sep.Space);
                            }
                            Close("]");
                        }
                        break;
                    case UnaryExpr u:
                        Punct(u.Op, sep);
                        Expr(u.Operand, Sep.Glue);
                        break;
                    case BinaryExpr b:
                    {
                        // '^' is written tight (2^i, as the papers write it); so is arithmetic inside a module name (layer{i+1}).
                        var opSep = b.Op == "^" || (_compact && Arithmetic(b.Op)) ? Sep.Glue : Sep.Space;
                        Expr(b.Left, sep);
                        Punct(b.Op, opSep);
                        Expr(b.Right, opSep);
                        break;
                    }
                    case ConditionalExpr c:
                        Expr(c.Condition, sep);
                        Punct("?", Sep.Space);
                        Expr(c.WhenTrue, Sep.Space);
                        Punct(":", Sep.Space);
                        Expr(c.WhenFalse, Sep.Space);
                        break;
                    case IndexExpr ix:
                        Expr(ix.Target, sep);
                        Open("[", Sep.Glue);
                        Expr(ix.Index, Sep.Tight);
                        Close("]");
                        break;
                    case ComprehensionExpr co:
                        Open("[", sep);
                        Expr(co.Item, Sep.Tight);
                        Punct("for", Sep.Space);
                        Verbatim(co.VariableSpan, Sep.Space);
                        Punct("in", Sep.Space);
                        Expr(co.Source, Sep.Space);
                        if (co.Filter != null)
                        {
                            Punct("if", Sep.Space);
                            Expr(co.Filter, Sep.Space);
                        }
                        Close("]");
                        break;
                    case RangeExpr r:
                        Expr(r.From, sep);
                        Punct("..", Sep.Glue);
                        Expr(r.To, Sep.Glue);
                        break;
                    case CallExpr c:
                        Verbatim(c.CalleeSpan, sep);
                        Arguments(c.Arguments);
                        break;
                    case IndexedSharedRefExpr isr:
                        Punct("@", sep);
                        Name(isr.Name, Sep.Glue);
                        break;
                    case IndexedNameExpr ine:
                        Name(ine.Name, sep);
                        break;
                    case PipeExpr p:
                    {
                        var frame = _frames.Peek();
                        int savedPipe = frame.PipeColumn;
                        frame.PipeColumn = -1;
                        Expr(p.Source, sep);
                        foreach (var stage in p.Stages)
                        {
                            Punct("|>", Sep.Space, pipe: true);
                            StatementBody(stage, Sep.Space);
                        }
                        frame.PipeColumn = savedPipe;
                        break;
                    }
                    default:
                        throw new InvalidOperationException("cannot format " + e.GetType().Name);
                }
            }

            /// <summary>A list written over several lines is a table (MobileNet's and EfficientNet's stage settings): it
            /// keeps its rows, spacing and comments as written, moved with its statement's indentation.</summary>
            private void Table(ListExpr l, Sep sep)
            {
                int sourceColumn = SourceColumn(l.Span.Start);
                Punct("[", sep);
                int delta = Column - 1 - sourceColumn;
                var lines = _src.Substring(l.Span.Start + 1, l.Span.Length - 1).Split('\n');
                var sb = new StringBuilder(lines[0].TrimEnd(' ', '\t', '\r'));
                int offset = l.Span.Start + 1 + lines[0].Length + 1;
                foreach (var line in lines.Skip(1))
                {
                    sb.Append('\n');
                    bool inComment = _comments.Any(c => !c.IsLine && c.Span.Start < offset && c.Span.End > offset);
                    int lead = 0;
                    while (lead < line.Length && (line[lead] == ' ' || line[lead] == '\t')) lead++;
                    var rest = line.Substring(lead).TrimEnd(' ', '\t', '\r');
                    if (inComment) sb.Append(line.TrimEnd(' ', '\t', '\r'));
                    else if (rest.Length > 0) sb.Append(' ', Math.Max(0, lead + delta)).Append(rest);
                    offset += line.Length + 1;
                }
                Write(sb.ToString());
                while (_nextComment < _comments.Length && _comments[_nextComment].Span.Start < l.Span.End) _nextComment++;
                _pos = l.Span.End;
                _afterOpen = false;
            }
        }
    }
}
