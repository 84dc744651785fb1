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
        /// <summary>True when <paramref name="e"/> applies a primitive layer, a block, or a block-valued local (as the
        /// binder resolved it).</summary>
        public static bool IsApplication(BoundProgram program, ExprSyntax e) =>
            program.CallOf(e) is { } call && !(call.Definition?.IsNetwork ?? false);

        /// <summary>Statements whose modules simply run one after another.</summary>
        public static bool IsChain(BoundProgram program, StatementSyntax s, CsScope scope) => s switch
        {
            LetStmt _ => true,
            ExprStmt es => !(es.Expression is SharedRefExpr) && IsApplication(program, es.Expression),
            LabeledStmt l => !(l.Statement is AuxStmt),
            GroupStmt g => g.Body.Statements.All(x => IsChain(program, x, scope)),
            IfStmt i => IfIsChain(program, i, scope),
            RepeatStmt r => r.Body.Statements.All(x => IsChain(program, x, scope)),
            ForStmt f => f.Body.Statements.All(x => IsChain(program, x, scope)),
            _ => false,
        };

        /// <summary>Every branch of an if / else-if chain, walked in a loop: a chain of hundreds of branches is not a
        /// recursion of that depth.</summary>
        private static bool IfIsChain(BoundProgram program, IfStmt first, CsScope scope)
        {
            StatementSyntax? branch = first;
            for (; branch is IfStmt i; branch = i.Else)
                if (!i.Then.Statements.All(x => IsChain(program, x, scope))) return false;
            return branch == null || IsChain(program, branch, scope);
        }

        /// <summary>The names <paramref name="nodes"/> read (variables, and callees, which may be block-valued locals):
        /// a nested class is built with only the scalars in scope among them.</summary>
        public static HashSet<string> NamesUsed(IEnumerable<SyntaxNode> nodes)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var root in nodes)
                foreach (var node in SyntaxWalker.Descendants(root))
                {
                    if (node is NameExpr n) names.Add(n.Name);
                    else if (node is CallExpr c) names.Add(c.Callee);
                    else if (node is ArgumentSyntax a && a.Name != null) names.Add(a.Name); // one_of(width: …) names the parameter it checks
                }
            return names;
        }

        /// <summary>Each parameter of a bound primitive application: the argument expression given for it, or its
        /// default value, by parameter name.</summary>
        public static Dictionary<string, (ExprSyntax? Expr, object? Default)> PrimitiveArguments(BoundCall call) =>
            call.PrimitiveArguments.ToDictionary(a => a.Parameter.Name, a => (a.Expression, a.Default), StringComparer.Ordinal);
    }
}
