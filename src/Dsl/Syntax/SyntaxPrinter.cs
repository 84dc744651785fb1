using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ArchDsl.Syntax
{
    /// <summary>Prints a syntax tree as canonical .arch text (one statement per line, two-space indentation,
    /// fully parenthesised operators). Parsing the output gives the same tree up to spans, so printing twice
    /// gives the same text: the property the round-trip tests check.</summary>
    public static class SyntaxPrinter
    {
        public static string Print(CompilationUnit unit)
        {
            var sb = new StringBuilder();
            foreach (var d in unit.Declarations) Declaration(d, sb);
            return sb.ToString();
        }

        private static void Declaration(DeclarationSyntax d, StringBuilder sb)
        {
            switch (d)
            {
                case ImportDecl i:
                    sb.Append("import ").Append(Str(i.Path)).Append('\n');
                    break;
                case DefinitionDecl def:
                    sb.Append(def.Kind == DefinitionKind.Block ? "block " : "network ").Append(def.Name).Append('(')
                      .Append(string.Join(", ", def.Parameters.Select(Parameter))).Append(") ");
                    Body(def.Body, sb, 0);
                    sb.Append('\n');
                    break;
                case VariantDecl v:
                    sb.Append("variant ").Append(v.Name).Append(" = ").Append(v.Target).Append('(').Append(Arguments(v.Arguments)).Append(')');
                    if (v.Reference != null) sb.Append(" reference ").Append(Str(v.Reference));
                    if (v.Data != null)
                    {
                        sb.Append(" data");
                        if (v.Data.Preset != null) sb.Append(' ').Append(v.Data.Preset);
                        if (v.Data.Arguments.Length > 0 || v.Data.Preset == null) sb.Append('(').Append(Arguments(v.Data.Arguments)).Append(')');
                    }
                    sb.Append('\n');
                    break;
            }
        }

        private static string Parameter(ParameterSyntax p) =>
            p.Name + ": " + p.Type.Name + string.Concat(Enumerable.Repeat("[]", p.Type.ListDepth)) + (p.Default != null ? " = " + Expr(p.Default) : "");

        private static void Shortcut(ShortcutSyntax sc, StringBuilder sb, int indent)
        {
            sb.Append("shortcut ");
            if (sc.Kind == ShortcutKind.ZeroPad) sb.Append("zeropad ");
            if (sc.Name != null) sb.Append(Name(sc.Name)).Append(' ');
            if (sc.Condition != null) sb.Append("when ").Append(Expr(sc.Condition)).Append(' ');
            if (sc.Body != null) Body(sc.Body, sb, indent);
        }

        private static void Body(BodySyntax body, StringBuilder sb, int indent)
        {
            sb.Append("{\n");
            foreach (var s in body.Statements)
            {
                sb.Append(' ', (indent + 1) * 2);
                Statement(s, sb, indent + 1);
                sb.Append('\n');
            }
            sb.Append(' ', indent * 2).Append('}');
        }

        private static void Statement(StatementSyntax s, StringBuilder sb, int indent)
        {
            switch (s)
            {
                case LabeledStmt l: sb.Append(Name(l.Name)).Append(": "); Statement(l.Statement, sb, indent); break;
                case LetStmt let: sb.Append("let ").Append(let.Name).Append(" = ").Append(Expr(let.Value)); break;
                case InputStmt input: sb.Append("input [").Append(string.Join(", ", input.Dimensions.Select(Expr))).Append(']'); break;
                case AssignStmt a: sb.Append(a.Name).Append(" = ").Append(Expr(a.Value)); break;
                case OutputStmt o: sb.Append("output ").Append(o.Name); if (o.Value != null) sb.Append(" = ").Append(Expr(o.Value)); break;
                case IndexedAssignStmt ia: sb.Append(Name(ia.Name)).Append(" = ").Append(Expr(ia.Value)); break;
                case ExprStmt e: sb.Append(Expr(e.Expression)); break;
                case GroupStmt g: Body(g.Body, sb, indent); break;
                case IfStmt i:
                    sb.Append("if ").Append(Expr(i.Condition)).Append(' ');
                    Body(i.Then, sb, indent);
                    if (i.Else != null) { sb.Append(" else "); Statement(i.Else, sb, indent); }
                    break;
                case RepeatStmt r:
                    sb.Append("repeat ").Append(Expr(r.Count));
                    if (r.Variable != null) sb.Append(" as ").Append(r.Variable);
                    sb.Append(' ');
                    Body(r.Body, sb, indent);
                    break;
                case ForStmt f:
                    sb.Append("for ").Append(f.Variable).Append(" in ");
                    sb.Append(f.Source is RangeExpr range ? Expr(range.From) + ".." + Expr(range.To) : Expr(f.Source)).Append(' ');
                    Body(f.Body, sb, indent);
                    break;
                case ResidualStmt r:
                    sb.Append("residual ");
                    if (r.Condition != null) sb.Append("when ").Append(Expr(r.Condition)).Append(' ');
                    if (r.ShortcutFirst && r.Shortcut != null)
                    {
                        Shortcut(r.Shortcut, sb, indent);
                        sb.Append(' ');
                        Body(r.Body, sb, indent);
                        break;
                    }
                    Body(r.Body, sb, indent);
                    if (r.Shortcut != null)
                    {
                        sb.Append(' ');
                        Shortcut(r.Shortcut, sb, indent);
                    }
                    break;
                case MergeStmt m:
                    sb.Append(m.Kind == MergeKind.Concat ? "concat " : m.Kind == MergeKind.Add ? "add " : "mul ");
                    Body(m.Branches, sb, indent);
                    break;
                case SplitStmt sp: sb.Append("split "); Body(sp.Branches, sb, indent); break;
                case DenseStmt d: sb.Append("dense "); Statement(d.Loop, sb, indent); break;
                case AuxStmt a: sb.Append("aux "); Statement(a.Body, sb, indent); break;
                case ErrorStmt _: sb.Append("/* error */"); break;
            }
        }

        private static string Name(NameSpec n) =>
            string.Concat(n.Parts.Select(p => p.Text ?? "{" + Expr(p.Expression!) + "}"));

        private static string Arguments(IEnumerable<ArgumentSyntax> args) =>
            string.Join(", ", args.Select(a => (a.Name != null ? a.Name + ": " : "") + Expr(a.Value)));

        public static string Expr(ExprSyntax e)
        {
            switch (e)
            {
                case IntLiteral i: return i.Value.ToString(CultureInfo.InvariantCulture);
                case FloatLiteral f:
                {
                    var text = f.Value.ToString("R", CultureInfo.InvariantCulture);
                    return text.IndexOf('.') < 0 && text.IndexOf('E') < 0 ? text + ".0" : text;
                }
                case BoolLiteral b: return b.Value ? "true" : "false";
                case StringLiteral s: return Str(s.Value);
                case NameExpr n: return n.Name;
                case ListExpr l: return "[" + string.Join(", ", l.Items.Select(Expr)) + "]";
                case UnaryExpr u: return "(" + u.Op + Expr(u.Operand) + ")";
                case BinaryExpr b: return "(" + Expr(b.Left) + " " + b.Op + " " + Expr(b.Right) + ")";
                case ConditionalExpr c: return "(" + Expr(c.Condition) + " ? " + Expr(c.WhenTrue) + " : " + Expr(c.WhenFalse) + ")";
                case IndexExpr ix: return Expr(ix.Target) + "[" + Expr(ix.Index) + "]";
                case RangeExpr r: return Expr(r.From) + ".." + Expr(r.To);
                case ComprehensionExpr co:
                    return "[" + Expr(co.Item) + " for " + co.Variable + " in " + Expr(co.Source) + (co.Filter != null ? " if " + Expr(co.Filter) : "") + "]";
                case CallExpr c: return c.Callee + "(" + Arguments(c.Arguments) + ")";
                case SharedRefExpr s: return "@" + s.Name;
                case IndexedSharedRefExpr isr: return "@" + Name(isr.Name);
                case IndexedNameExpr ine: return Name(ine.Name);
                case PipeExpr p:
                {
                    var sb = new StringBuilder("(" + Expr(p.Source));
                    foreach (var stage in p.Stages)
                    {
                        sb.Append(" |> ");
                        Statement(stage, sb, 0);
                    }
                    return sb.Append(')').ToString();
                }
            }
            return "";
        }

        private static string Str(string s)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in s)
            {
                if (c == '"' || c == '\\') sb.Append('\\').Append(c);
                else if (c == '\n') sb.Append("\\n");
                else sb.Append(c);
            }
            return sb.Append('"').ToString();
        }
    }
}
