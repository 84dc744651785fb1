// Formatter: declarations, parameters, argument lists, bodies and statements.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using ArchDsl.Diagnostics;
using ArchDsl.Text;

namespace ArchDsl.Syntax
{
    public static partial class ArchFormatter
    {
        private sealed partial class Printer
        {
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
                    case OutputStmt o:
                        Punct("output", sep);
                        Verbatim(o.NameSpan, Sep.Space);
                        if (o.Value != null)
                        {
                            Punct("=", Sep.Space);
                            BindingValue(o.Value);
                        }
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
        }
    }
}
