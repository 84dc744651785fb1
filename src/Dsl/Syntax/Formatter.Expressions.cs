// Formatter: expressions, parentheses and list tables.
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
