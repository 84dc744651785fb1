using System.Collections.Generic;
using System.Linq;

namespace ArchDsl.Syntax
{
    /// <summary>Enumerates a syntax tree: a node's direct children, and all descendants in source order.</summary>
    public static class SyntaxWalker
    {
        public static IEnumerable<SyntaxNode> Descendants(SyntaxNode root)
        {
            var stack = new Stack<SyntaxNode>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var node = stack.Pop();
                yield return node;
                foreach (var child in Children(node).Reverse()) stack.Push(child);
            }
        }

        public static IEnumerable<SyntaxNode> Children(SyntaxNode node)
        {
            switch (node)
            {
                case CompilationUnit u: return u.Declarations;
                case DefinitionDecl d: return d.Parameters.Cast<SyntaxNode>().Append(d.Body);
                case ParameterSyntax p: return p.Default == null ? new SyntaxNode[] { p.Type } : new SyntaxNode[] { p.Type, p.Default };
                case VariantDecl v: return v.Data == null ? v.Arguments : v.Arguments.Cast<SyntaxNode>().Append(v.Data);
                case DataClause d: return d.Arguments;
                case BodySyntax b: return b.Statements;
                case LabeledStmt l: return new SyntaxNode[] { l.Name, l.Statement };
                case NameSpec n: return n.Parts;
                case NamePart np: return np.Expression == null ? Enumerable.Empty<SyntaxNode>() : new SyntaxNode[] { np.Expression };
                case LetStmt let: return new SyntaxNode[] { let.Value };
                case InputStmt i: return i.Dimensions;
                case AssignStmt a: return new SyntaxNode[] { a.Value };
                case OutputStmt o: return o.Value == null ? System.Array.Empty<SyntaxNode>() : new SyntaxNode[] { o.Value };
                case IndexedAssignStmt ia: return new SyntaxNode[] { ia.Name, ia.Value };
                case IndexedNameExpr ine: return new SyntaxNode[] { ine.Name };
                case IndexedSharedRefExpr isr: return new SyntaxNode[] { isr.Name };
                case ExprStmt e: return new SyntaxNode[] { e.Expression };
                case GroupStmt g: return new SyntaxNode[] { g.Body };
                case IfStmt f: return f.Else == null ? new SyntaxNode[] { f.Condition, f.Then } : new SyntaxNode[] { f.Condition, f.Then, f.Else };
                case RepeatStmt r: return new SyntaxNode[] { r.Count, r.Body };
                case ForStmt fo: return new SyntaxNode[] { fo.Source, fo.Body };
                case ResidualStmt rs:
                {
                    var list = new List<SyntaxNode>();
                    if (rs.Condition != null) list.Add(rs.Condition);
                    if (rs.ShortcutFirst && rs.Shortcut != null) list.Add(rs.Shortcut);
                    list.Add(rs.Body);
                    if (!rs.ShortcutFirst && rs.Shortcut != null) list.Add(rs.Shortcut);
                    return list;
                }
                case ShortcutSyntax sc:
                {
                    var list = new List<SyntaxNode>();
                    if (sc.Name != null) list.Add(sc.Name);
                    if (sc.Condition != null) list.Add(sc.Condition);
                    if (sc.Body != null) list.Add(sc.Body);
                    return list;
                }
                case MergeStmt m: return new SyntaxNode[] { m.Branches };
                case SplitStmt s: return new SyntaxNode[] { s.Branches };
                case DenseStmt de: return new SyntaxNode[] { de.Loop };
                case AuxStmt au: return new SyntaxNode[] { au.Body };
                case ListExpr le: return le.Items;
                case UnaryExpr ue: return new SyntaxNode[] { ue.Operand };
                case BinaryExpr be: return new SyntaxNode[] { be.Left, be.Right };
                case ConditionalExpr ce: return new SyntaxNode[] { ce.Condition, ce.WhenTrue, ce.WhenFalse };
                case IndexExpr ie: return new SyntaxNode[] { ie.Target, ie.Index };
                case RangeExpr re: return new SyntaxNode[] { re.From, re.To };
                case ComprehensionExpr co: return co.Filter == null ? new SyntaxNode[] { co.Item, co.Source } : new SyntaxNode[] { co.Item, co.Source, co.Filter };
                case CallExpr c: return c.Arguments;
                case ArgumentSyntax arg: return new SyntaxNode[] { arg.Value };
                case PipeExpr p: return new SyntaxNode[] { p.Source }.Concat(p.Stages);
                default: return Enumerable.Empty<SyntaxNode>();
            }
        }
    }
}
