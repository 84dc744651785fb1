using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Elaboration;
using ArchDsl.Syntax;

namespace ArchDsl.Binding
{
    /// <summary>
    /// Statements that declare the values a network parameter may take:
    /// <c>choice(kernels: [3, 5, 7])</c> — a search space: the parameter (or, for a list parameter, each of its
    /// items: one choice per layer) must be one of the listed values; any chosen path is a plain network.
    /// <c>slimmable(width: [0.35, 0.5, 0.75, 1.0])</c> — the network is one slimmable network over those widths
    /// (shared weights, a batch norm per width, the width switched at run time); the parameter must be one of them.
    /// Both are written in a network's body and add no module.
    /// </summary>
    public static class ParameterDomains
    {
        public const string Choice = "choice";
        public const string Slimmable = "slimmable";

        public static bool IsDomain(string callee) => callee == Choice || callee == Slimmable;

        /// <summary>Static checks: a network, exactly one argument, named after one of the network's parameters
        /// of a numeric type (slimmable: a float). Returns an error message or null.</summary>
        public static string? Check(CallExpr call, DefinitionSymbol? definition)
        {
            string usage = "'" + call.Callee + "' is written as " + call.Callee + "(parameter: [values]), e.g. "
                + (call.Callee == Slimmable ? "slimmable(width: [0.5, 1.0])" : "choice(kernel: [3, 5, 7])");
            if (definition == null || !definition.IsNetwork)
                return "'" + call.Callee + "' declares the values of a network's parameter; it is only allowed in a network";
            if (call.Arguments.Length != 1 || call.Arguments[0].Name == null) return usage;
            var name = call.Arguments[0].Name!;
            var p = definition.Parameters.FirstOrDefault(q => q.Name == name);
            if (p == null) return "'" + definition.Name + "' has no parameter named '" + name + "'";
            var scalar = p.Type.Kind == TypeKind.List ? p.Type.Element! : p.Type;
            if (call.Callee == Slimmable && p.Type.Kind != TypeKind.Float)
                return "A slimmable width must be a float parameter; '" + name + "' is " + p.Type;
            if (!scalar.IsNumeric && scalar.Kind != TypeKind.Bool && scalar.Kind != TypeKind.String)
                return "'" + name + "' is " + p.Type + "; choices are given for int, float, bool or string parameters (or lists of them)";
            if (!(call.Arguments[0].Value is ListExpr list) || list.Items.Length == 0)
                return usage;
            return null;
        }

        /// <summary>The parameter's value against the declared values: an error message, or null when it is one of
        /// them (for a list parameter under <c>choice</c>, when every item is).</summary>
        public static string? Violation(string callee, string parameter, Value value, ImmutableArray<Value> allowed)
        {
            bool Allowed(Value v) => allowed.Any(a => Same(a, v));
            string options = string.Join(", ", allowed.Select(a => a.Display));
            if (callee == Choice && value is ListValue items)
            {
                for (int i = 0; i < items.Items.Length; i++)
                    if (!Allowed(items.Items[i]))
                        return "'" + parameter + "[" + i.ToString(CultureInfo.InvariantCulture) + "]' is " + items.Items[i].Display
                            + ", not one of the choices [" + options + "]";
                return null;
            }
            if (Allowed(value)) return null;
            return "'" + parameter + "' is " + value.Display + ", not one of the " + (callee == Slimmable ? "slimmable widths" : "choices")
                + " [" + options + "]";
        }

        private static bool Same(Value a, Value b) => (a, b) switch
        {
            (IntValue x, IntValue y) => x.Value == y.Value,
            (FloatValue x, FloatValue y) => Math.Abs(x.Value - y.Value) < 1e-12,
            (IntValue x, FloatValue y) => Math.Abs(x.Value - y.Value) < 1e-12,
            (FloatValue x, IntValue y) => Math.Abs(x.Value - y.Value) < 1e-12,
            _ => a.Equals(b),
        };

        /// <summary>The slimmable statement of a network's top level, if any.</summary>
        public static CallExpr? SlimmableOf(DefinitionDecl network) =>
            network.Body.Statements.OfType<ExprStmt>().Select(s => s.Expression).OfType<CallExpr>().FirstOrDefault(c => c.Callee == Slimmable);
    }
}
