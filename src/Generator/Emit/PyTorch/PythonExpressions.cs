using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ArchDsl.Binding;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Python identifiers and literals. Every identifier is valid Python whatever the .arch text; every
    /// string goes through <see cref="StringLiteral"/>.</summary>
    internal static class PyNaming
    {
        private static readonly HashSet<string> Keywords = new HashSet<string>
        {
            "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
            "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
            "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "match", "case",
            // Names the generated code itself uses in every function.
            "self", "shape", "input_shape", "x", "torch", "nn", "math", "super", "float", "int", "len", "min", "max",
            "abs", "round", "list", "range", "print", "object", "type", "str", "bool",
        };

        /// <summary>Letters, digits and '_' only, not starting with a digit, never a keyword or a generated name.</summary>
        public static string Identifier(string name)
        {
            var sb = new StringBuilder();
            foreach (char c in name ?? "")
                sb.Append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
            if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, 'n');
            var s = sb.ToString();
            return Keywords.Contains(s) ? s + "_" : s;
        }

        /// <summary>A class name: the .arch name when it is a valid identifier (block and network names are).</summary>
        public static string Class(string name) => Identifier(name);

        /// <summary>C#'s escaping (\\, \", \uXXXX for anything outside printable ASCII) is valid Python too.</summary>
        public static string StringLiteral(string value) => Naming.StringLiteral(value);

        public static string Long(long v) => v.ToString(CultureInfo.InvariantCulture);

        public static string Double(double v)
        {
            if (double.IsNaN(v)) return "float(\"nan\")";
            if (double.IsInfinity(v)) return v > 0 ? "float(\"inf\")" : "float(\"-inf\")";
            var s = v.ToString("R", CultureInfo.InvariantCulture);
            if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0) s += ".0";
            return s.Replace("E", "e");
        }

        public static string Bool(bool b) => b ? "True" : "False";

        /// <summary>Text safe inside a Python comment or docstring line.</summary>
        public static string Comment(string text) =>
            (text ?? "").Replace("\\", "/").Replace("\"\"\"", "'''").Replace("\r", " ").Replace("\n", " ")
                .Replace("\u0085", " ").Replace("\u2028", " ").Replace("\u2029", " ");
    }

    /// <summary>Translates .arch scalar expressions to Python with the language's semantics: '/' on ints is floor
    /// division (Python's //), '%' is Python's, round is Python's (half to even), make_divisible is torchvision's.
    /// A block name is its class, so block-valued parameters hold classes.</summary>
    internal sealed class PythonExpressions
    {
        private readonly BoundProgram _program;

        public PythonExpressions(BoundProgram program) { _program = program; }

        public ArchType TypeOf(ExprSyntax e) => _program.TypeOf(e);

        /// <summary>The expression as Python; converted to float when <paramref name="target"/> is float.</summary>
        public string Emit(ExprSyntax e, CsScope scope, string shapeVar, ArchType? target = null)
        {
            var text = Core(e, scope, shapeVar);
            if (target != null && target.Kind == TypeKind.Float && TypeOf(e).Kind == TypeKind.Int) return "float(" + text + ")";
            return text;
        }

        private string Core(ExprSyntax e, CsScope scope, string shapeVar)
        {
            switch (e)
            {
                case IntLiteral i: return PyNaming.Long(i.Value);
                case FloatLiteral f: return PyNaming.Double(f.Value);
                case BoolLiteral b: return PyNaming.Bool(b.Value);
                case StringLiteral s: return PyNaming.StringLiteral(s.Value);
                case NameExpr n:
                {
                    var local = scope.Lookup(n.Name);
                    if (local != null) return local.CsName;
                    switch (n.Name)
                    {
                        case "in_channels": return shapeVar + ".channels";
                        case "in_height": return shapeVar + ".height";
                        case "in_width": return shapeVar + ".width";
                    }
                    if (_program.Definitions.ContainsKey(n.Name)) return PyNaming.Class(n.Name);
                    return "None";
                }
                case ListExpr l:
                {
                    var t = TypeOf(l);
                    var elem = t.Kind == TypeKind.List ? t.Element! : ArchType.Int;
                    return "[" + string.Join(", ", l.Items.Select(item => Emit(item, scope, shapeVar, elem))) + "]";
                }
                case UnaryExpr u:
                    return u.Op == "!" ? "(not " + Core(u.Operand, scope, shapeVar) + ")" : "(" + u.Op + Core(u.Operand, scope, shapeVar) + ")";
                case BinaryExpr b: return Binary(b, scope, shapeVar);
                case ConditionalExpr c:
                {
                    var t = TypeOf(c);
                    return "(" + Emit(c.WhenTrue, scope, shapeVar, t) + " if " + Core(c.Condition, scope, shapeVar) + " else " + Emit(c.WhenFalse, scope, shapeVar, t) + ")";
                }
                case IndexExpr ix:
                    return Core(ix.Target, scope, shapeVar) + "[" + Core(ix.Index, scope, shapeVar) + "]";
                case CallExpr call: return Call(call, scope, shapeVar);
                case ComprehensionExpr co:
                {
                    var inner = new CsScope(scope);
                    var v = "_v_" + PyNaming.Identifier(co.Variable);
                    var source = co.Source is RangeExpr r
                        ? "range(" + Core(r.From, scope, shapeVar) + ", " + Core(r.To, scope, shapeVar) + ")"
                        : Core(co.Source, scope, shapeVar);
                    var sourceType = TypeOf(co.Source);
                    inner.Add(new CsLocal(co.Variable, v, co.Source is RangeExpr ? ArchType.Int : sourceType.Element ?? ArchType.Error));
                    var elem = TypeOf(co).Element ?? ArchType.Int;
                    return "[" + Emit(co.Item, inner, shapeVar, elem) + " for " + v + " in " + source
                        + (co.Filter != null ? " if " + Core(co.Filter, inner, shapeVar) : "") + "]";
                }
            }
            return "None";
        }

        private string Binary(BinaryExpr b, CsScope scope, string shapeVar)
        {
            bool ints = TypeOf(b.Left).Kind == TypeKind.Int && TypeOf(b.Right).Kind == TypeKind.Int;
            string l = Core(b.Left, scope, shapeVar), r = Core(b.Right, scope, shapeVar);
            switch (b.Op)
            {
                case "/": return "(" + l + (ints ? " // " : " / ") + r + ")";
                case "^": return "(" + l + " ** " + r + ")";
                case "&&": return "(" + l + " and " + r + ")";
                case "||": return "(" + l + " or " + r + ")";
                default: return "(" + l + " " + b.Op + " " + r + ")";
            }
        }

        private string Call(CallExpr call, CsScope scope, string shapeVar)
        {
            var args = call.Arguments.Select(a => Core(a.Value, scope, shapeVar)).ToList();
            switch (call.Callee)
            {
                case "make_divisible": return "_make_divisible(" + string.Join(", ", args) + ")";
                case "round": return "round(" + args[0] + ")";
                case "ceil": return "math.ceil(" + args[0] + ")";
                case "floor": return "math.floor(" + args[0] + ")";
                case "int": return "int(" + args[0] + ")";
                case "float": return "float(" + args[0] + ")";
                case "abs": return "abs(" + args[0] + ")";
                case "len": return "len(" + args[0] + ")";
                case "log": return "math.log(" + string.Join(", ", args) + ")";
                case "exp": return "math.exp(" + args[0] + ")";
                case "sqrt": return "math.sqrt(" + args[0] + ")";
                case "sum": return "sum(" + args[0] + ")";
                // Prefix sums: in order from the first item, as itertools.accumulate.
                case "cumsum": return "(lambda _xs: [sum(_xs[:_k + 1]) for _k in range(len(_xs))])(" + args[0] + ")";
                case "min":
                case "max":
                {
                    var t = TypeOf(call);
                    var parts = call.Arguments.Select(a => Emit(a.Value, scope, shapeVar, t)).ToList();
                    return parts.Count == 1 ? parts[0] : call.Callee + "(" + string.Join(", ", parts) + ")";
                }
            }
            return "None";
        }

        /// <summary>A Python constant for a parameter default, or null when the default is not a literal.</summary>
        public string? Constant(ExprSyntax e, ArchType type)
        {
            switch (e)
            {
                case IntLiteral i: return type.Kind == TypeKind.Float ? PyNaming.Double(i.Value) : PyNaming.Long(i.Value);
                case FloatLiteral f: return PyNaming.Double(f.Value);
                case BoolLiteral b: return PyNaming.Bool(b.Value);
                case StringLiteral s: return PyNaming.StringLiteral(s.Value);
                case UnaryExpr u when u.Op == "-" && u.Operand is IntLiteral ui: return type.Kind == TypeKind.Float ? PyNaming.Double(-ui.Value) : PyNaming.Long(-ui.Value);
                case UnaryExpr u when u.Op == "-" && u.Operand is FloatLiteral uf: return PyNaming.Double(-uf.Value);
            }
            return null;
        }
    }
}
