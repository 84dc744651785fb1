using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Turns .arch names into C# identifiers and values into C# literals. Every identifier it returns is
    /// valid C# whatever the input; every string goes through <see cref="StringLiteral"/>, so nothing in an
    /// .arch file can reach the generated code as code.</summary>
    internal static class Naming
    {
        private static readonly HashSet<string> Keywords = new HashSet<string>
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
            "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
            "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
            "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
            "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
            "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
            "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
            "var", "dynamic", "value", "record", "nameof", "when", "and", "or", "not", "with", "init", "required",
            "scoped", "file", "managed", "unmanaged", "args", "get", "set", "add", "remove", "global", "partial", "yield",
            "async", "await", "select", "where", "from", "let", "join", "on", "equals", "into", "orderby", "group", "by",
            // Undocumented keywords: as field or parameter names they do not compile.
            "__arglist", "__makeref", "__reftype", "__refvalue",
        };

        /// <summary>Letters, digits and '_' only, not starting with a digit, never empty, never a keyword.</summary>
        public static string Identifier(string name)
        {
            var sb = new StringBuilder();
            foreach (char c in name ?? "")
                sb.Append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
            if (sb.Length == 0 || char.IsDigit(sb[0])) sb.Insert(0, 'N');
            var s = sb.ToString();
            return Keywords.Contains(s) ? s + "_" : s;
        }

        /// <summary><c>num_classes</c> to <c>numClasses</c>; never starts with '_' (generated names do).</summary>
        public static string Camel(string name)
        {
            var parts = (name ?? "").Split('_');
            var sb = new StringBuilder();
            foreach (var p in parts)
            {
                if (p.Length == 0) continue;
                if (sb.Length == 0) sb.Append(char.ToLowerInvariant(p[0])).Append(p.Substring(1));
                else sb.Append(char.ToUpperInvariant(p[0])).Append(p.Substring(1));
            }
            if (sb.Length == 0) sb.Append('v');
            var s = Identifier(sb.ToString());
            return s[0] == '_' ? "v" + s : s;
        }

        /// <summary><c>mobilenet_v2</c> to <c>MobilenetV2</c>.</summary>
        public static string Pascal(string name)
        {
            var sb = new StringBuilder();
            foreach (var p in (name ?? "").Split('_', '-', '.', ' '))
            {
                if (p.Length == 0) continue;
                sb.Append(char.ToUpperInvariant(p[0])).Append(p.Substring(1));
            }
            var s = Identifier(sb.Length == 0 ? "Arch" : sb.ToString());
            return s[0] == '_' ? "A" + s : s;
        }

        /// <summary>The .arch file's name without folder and extension: <c>architectures/resnet.arch</c> to <c>resnet</c>.</summary>
        public static string FileStem(string path)
        {
            var name = path ?? "arch";
            int slash = System.Math.Max(name.LastIndexOf('/'), name.LastIndexOf('\\'));
            if (slash >= 0) name = name.Substring(slash + 1);
            if (name.EndsWith(".arch", System.StringComparison.OrdinalIgnoreCase)) name = name.Substring(0, name.Length - 5);
            return name;
        }

        /// <summary>The namespace of an .arch file's block classes, <c>&lt;ns&gt;.Blocks.&lt;File&gt;</c>: blocks are
        /// implementation parts a file may name as it likes (two files may both define <c>ConvBN</c>), while networks
        /// and variants, what users construct, stay in the project namespace.</summary>
        public static string BlocksNamespace(string ns, string archPath) => ns + ".Blocks." + Pascal(FileStem(archPath));

        public static string StringLiteral(string value)
        {
            foreach (char c in value ?? "")
                if (c < 0x20 || c > 0x7e || c == '\\' || c == '"') return AppendStringLiteral(new StringBuilder(), value!).ToString();
            return "\"" + value + "\"";
        }

        /// <summary>Appends <paramref name="value"/> as a C# string literal (printable ASCII as is, the rest escaped).</summary>
        public static StringBuilder AppendStringLiteral(StringBuilder sb, string value)
        {
            sb.Append('"');
            foreach (char c in value ?? "")
            {
                switch (c)
                {
                    case '\\': sb.Append("\\\\"); break;
                    case '"': sb.Append("\\\""); break;
                    default:
                        if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            return sb.Append('"');
        }

        public static string Long(long v) => v.ToString(CultureInfo.InvariantCulture) + "L";

        /// <summary>An integer where the context makes it a long (a long parameter or argument): plain when it fits
        /// in an int, suffixed otherwise.</summary>
        public static string LongArgument(long v) => v >= int.MinValue && v <= int.MaxValue ? v.ToString(CultureInfo.InvariantCulture) : Long(v);

        public static StringBuilder AppendLong(StringBuilder sb, long v) => sb.Append(v.ToString(CultureInfo.InvariantCulture)).Append('L');

        public static string Double(double v)
        {
            if (double.IsNaN(v) || double.IsInfinity(v)) return "double.NaN";
            var s = v.ToString("R", CultureInfo.InvariantCulture);
            if (s.IndexOf('.') < 0 && s.IndexOf('E') < 0) s += ".0";
            return s;
        }

        public static string Bool(bool b) => b ? "true" : "false";

        /// <summary>Text safe inside an XML doc comment line.</summary>
        public static string Xml(string text) =>
            (text ?? "").Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", " ").Replace("\n", " ")
                .Replace("\u0085", " ").Replace("\u2028", " ").Replace("\u2029", " ");
    }
}
