using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Syntax;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Target-independent facts an emitter needs about a body's statements: which expressions apply a
    /// layer or block, which statements only chain modules (so a list or a Sequential can hold them), and a
    /// primitive's arguments with defaults filled in. Every emitter target reads the .arch body through these,
    /// so C# and Python agree on what becomes a module, a list or a container.</summary>
    internal static class BodyForms
    {
        /// <summary>True when <paramref name="e"/> applies a primitive layer, a block, or a block-valued local.</summary>
        public static bool IsApplication(BoundProgram program, ExprSyntax e, CsScope scope)
        {
            string? name = e is CallExpr c ? c.Callee : e is NameExpr n ? n.Name : null;
            if (name == null) return false;
            var local = scope.Lookup(name);
            if (local != null) return local.Type.Kind == TypeKind.Block;
            if (name == Builtins.Input || Builtins.Values.Contains(name)) return false;
            return Primitives.Find(name) != null || (program.Definitions.TryGetValue(name, out var d) && !d.IsNetwork);
        }

        /// <summary>Statements whose modules simply run one after another.</summary>
        public static bool IsChain(BoundProgram program, StatementSyntax s, CsScope scope) => s switch
        {
            LetStmt _ => true,
            ExprStmt es => !(es.Expression is SharedRefExpr) && IsApplication(program, es.Expression, scope),
            LabeledStmt l => !(l.Statement is AuxStmt),
            GroupStmt g => g.Body.Statements.All(x => IsChain(program, x, scope)),
            IfStmt i => i.Then.Statements.All(x => IsChain(program, x, scope)) && (i.Else == null || IsChain(program, i.Else, scope)),
            RepeatStmt r => r.Body.Statements.All(x => IsChain(program, x, scope)),
            ForStmt f => f.Body.Statements.All(x => IsChain(program, x, scope)),
            _ => false,
        };

        /// <summary>Each parameter of a primitive: the argument expression given for it, or its default value
        /// (a parameter declared <c>SameAs</c> another takes that one's argument).</summary>
        public static Dictionary<string, (ExprSyntax? Expr, object? Default)> PrimitiveArguments(PrimitiveLayer layer, ImmutableArray<ArgumentSyntax> args)
        {
            var values = new Dictionary<string, (ExprSyntax? Expr, object? Default)>(StringComparer.Ordinal);
            int position = 0;
            foreach (var a in args)
            {
                var p = a.Name == null ? (position < layer.Parameters.Length ? layer.Parameters[position++] : null) : layer.Find(a.Name);
                if (p != null) values[p.Name] = (a.Value, null);
            }
            foreach (var p in layer.Parameters)
            {
                if (values.ContainsKey(p.Name)) continue;
                if (p.SameAs != null && values.TryGetValue(p.SameAs, out var same)) values[p.Name] = same;
                else values[p.Name] = (null, p.Default);
            }
            return values;
        }

        /// <summary>Arguments of a variant by parameter name (positional ones mapped in order).</summary>
        public static Dictionary<string, ExprSyntax> VariantArguments(VariantSymbol variant)
        {
            var target = variant.Target!;
            var fixedArgs = new Dictionary<string, ExprSyntax>(StringComparer.Ordinal);
            int position = 0;
            foreach (var a in variant.Syntax.Arguments)
            {
                var key = a.Name ?? (position < target.Parameters.Length ? target.Parameters[position++].Name : null);
                if (key != null) fixedArgs[key] = a.Value;
            }
            return fixedArgs;
        }
    }
}
