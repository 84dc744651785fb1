using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Binding
{
    /// <summary>Something wrong with an argument list: what the binder reports, and what a later stage matching
    /// arguments to a callee known only then (a block-valued parameter) treats as "does not fit".</summary>
    public sealed record ArgumentProblem(DiagnosticDescriptor Descriptor, TextSpan Span, ImmutableArray<object> Arguments);

    /// <summary>An argument list matched to a callee's parameters: per parameter (in declaration order) the argument
    /// given for it, or null. <see cref="Problems"/> is empty when the list fits.</summary>
    public sealed record ArgumentMatch(ImmutableArray<ArgumentSyntax?> ByParameter, ImmutableArray<ArgumentProblem> Problems)
    {
        public bool Fits => Problems.IsEmpty;
    }

    /// <summary>The language's one argument matcher: positional arguments first, then named ones; a positional
    /// argument after a named one, too many positional arguments, an unknown name, a parameter given twice and a
    /// missing required parameter are problems (each one reported once, at the argument or the callee).</summary>
    public static class ArgumentMatcher
    {
        public static ArgumentMatch Match(string callee, IReadOnlyList<string> parameterNames, IReadOnlyList<bool> required,
            ImmutableArray<ArgumentSyntax> args, TextSpan calleeSpan)
        {
            var matched = new ArgumentSyntax?[parameterNames.Count];
            var problems = ImmutableArray.CreateBuilder<ArgumentProblem>();
            void Problem(DiagnosticDescriptor d, TextSpan span, params object[] a) => problems.Add(new ArgumentProblem(d, span, a.ToImmutableArray()));
            int position = 0;
            bool sawNamed = false;
            foreach (var a in args)
            {
                if (a.Name == null)
                {
                    if (sawNamed)
                        Problem(DiagnosticCatalogue.ArgumentCount, a.Span, "A positional argument cannot follow a named one in '" + callee + "'");
                    else if (position >= parameterNames.Count)
                        Problem(DiagnosticCatalogue.ArgumentCount, a.Span,
                            "'" + callee + "' takes at most " + parameterNames.Count + " argument" + (parameterNames.Count == 1 ? "" : "s"));
                    else matched[position++] = a;
                    continue;
                }
                sawNamed = true;
                int index = -1;
                for (int i = 0; i < parameterNames.Count; i++) if (parameterNames[i] == a.Name) index = i;
                if (index < 0) Problem(DiagnosticCatalogue.UnknownParameter, new TextSpan(a.Span.Start, a.Name.Length), callee, a.Name);
                else if (matched[index] != null) Problem(DiagnosticCatalogue.DuplicateArgument, a.Span, a.Name);
                else matched[index] = a;
            }
            var missing = new List<string>();
            for (int i = 0; i < parameterNames.Count; i++) if (required[i] && matched[i] == null) missing.Add(parameterNames[i]);
            if (missing.Count > 0)
                Problem(DiagnosticCatalogue.ArgumentCount, calleeSpan, "'" + callee + "' needs " + string.Join(", ", missing.Select(m => "'" + m + "'")));
            return new ArgumentMatch(matched.ToImmutableArray(), problems.ToImmutable());
        }

        /// <summary>Matches arguments to a block's or network's parameters (one without a default is required).</summary>
        public static ArgumentMatch Match(DefinitionSymbol def, ImmutableArray<ArgumentSyntax> args, TextSpan calleeSpan) =>
            Match(def.Name, def.Parameters.Select(p => p.Name).ToList(), def.Parameters.Select(p => p.Syntax.Default == null).ToList(), args, calleeSpan);

        /// <summary>Matches arguments to a primitive layer's parameters.</summary>
        public static ArgumentMatch Match(PrimitiveLayer layer, ImmutableArray<ArgumentSyntax> args, TextSpan calleeSpan) =>
            Match(layer.Name, layer.Parameters.Select(p => p.Name).ToList(), layer.Parameters.Select(p => p.Required).ToList(), args, calleeSpan);
    }

    /// <summary>One parameter of a bound primitive application: the expression that gives it (its own argument, or
    /// for a parameter defaulting to another one, that one's argument), else the layer's default constant.</summary>
    public sealed record BoundArgument(PrimitiveParameter Parameter, ExprSyntax? Expression, object? Default, bool Inherited = false)
    {
        /// <summary>True when nothing was written for the parameter (its default constant, or another parameter's
        /// argument it defaults to).</summary>
        public bool IsDefault => Expression == null || Inherited;
    }

    /// <summary>A module application as the binder resolved it: the callee (a primitive layer, a block or network,
    /// or a block-valued local whose definition is known only when the network is elaborated) and its arguments
    /// matched to the callee's parameters. Later stages read these instead of the call's syntax.</summary>
    public sealed record BoundCall(CalleeKind Kind, string Callee, ExprSyntax Syntax, TextSpan CalleeSpan,
        ImmutableArray<ArgumentSyntax> Arguments, PrimitiveLayer? Primitive, DefinitionSymbol? Definition, ArgumentMatch? Match)
    {
        /// <summary>A primitive's parameters with what gives each one (defaults filled); empty for other callees.</summary>
        public ImmutableArray<BoundArgument> PrimitiveArguments { get; init; } = ImmutableArray<BoundArgument>.Empty;

        /// <summary>The argument bound to the primitive parameter <paramref name="name"/>.</summary>
        public BoundArgument Argument(string name)
        {
            foreach (var a in PrimitiveArguments) if (a.Parameter.Name == name) return a;
            throw new ArgumentException("'" + Callee + "' has no parameter '" + name + "'", nameof(name));
        }

        /// <summary>Per parameter of <see cref="Definition"/>, the argument expression given for it (null: its default).</summary>
        public ImmutableArray<(ParameterSymbol Parameter, ExprSyntax? Value)> DefinitionArguments =>
            Definition == null || Match == null ? ImmutableArray<(ParameterSymbol, ExprSyntax?)>.Empty
                : Definition.Parameters.Select((p, i) => (p, Match.ByParameter[i]?.Value)).ToImmutableArray();

        /// <summary>The application's callee name, arguments and callee span, read from <c>f(…)</c> or a bare <c>f</c>.</summary>
        public static (string? Callee, ImmutableArray<ArgumentSyntax> Arguments, TextSpan CalleeSpan) Parts(ExprSyntax e) => e switch
        {
            CallExpr c => (c.Callee, c.Arguments, c.CalleeSpan),
            NameExpr n => (n.Name, ImmutableArray<ArgumentSyntax>.Empty, n.Span),
            _ => (null, ImmutableArray<ArgumentSyntax>.Empty, e.Span),
        };

        /// <summary>Binds an application of a primitive layer.</summary>
        public static BoundCall ForPrimitive(PrimitiveLayer layer, ExprSyntax e)
        {
            var (name, args, span) = Parts(e);
            var match = ArgumentMatcher.Match(layer, args, span);
            var bound = ImmutableArray.CreateBuilder<BoundArgument>(layer.Parameters.Length);
            for (int i = 0; i < layer.Parameters.Length; i++)
            {
                var p = layer.Parameters[i];
                var given = match.ByParameter[i];
                bool inherited = false;
                if (given == null && p.SameAs != null && layer.IndexOf(p.SameAs) is var same && same >= 0) { given = match.ByParameter[same]; inherited = true; }
                bound.Add(new BoundArgument(p, given?.Value, given == null ? p.Default : null, inherited));
            }
            return new BoundCall(CalleeKind.Primitive, name!, e, span, args, layer, null, match) { PrimitiveArguments = bound.MoveToImmutable() };
        }

        /// <summary>Binds an application of a block (or, misplaced, a network).</summary>
        public static BoundCall ForDefinition(DefinitionSymbol def, ExprSyntax e)
        {
            var (name, args, span) = Parts(e);
            return new BoundCall(CalleeKind.Definition, name!, e, span, args, null, def, ArgumentMatcher.Match(def, args, span));
        }

        /// <summary>Binds an application of a block-valued local: arguments are matched once its block is known.</summary>
        public static BoundCall ForBlockValue(ExprSyntax e)
        {
            var (name, args, span) = Parts(e);
            return new BoundCall(CalleeKind.BlockValue, name!, e, span, args, null, null, null);
        }

        /// <summary>This application's arguments matched to <paramref name="def"/> (the block a block-valued local holds).</summary>
        public ArgumentMatch MatchTo(DefinitionSymbol def) =>
            ReferenceEquals(def, Definition) && Match != null ? Match : ArgumentMatcher.Match(def, Arguments, CalleeSpan);
    }
}
