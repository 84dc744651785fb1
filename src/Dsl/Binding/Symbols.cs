using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Runtime.CompilerServices;
using ArchDsl.Syntax;

namespace ArchDsl.Binding
{
    /// <summary>A parsed file with its path and text.</summary>
    public sealed record ParsedFile(string Path, string Text, CompilationUnit Unit)
    {
        // By the path alone (equal files have equal paths): symbols that hold a file are dictionary keys, and the
        // synthesized hash would read the whole text each time.
        public override int GetHashCode() => Path == null ? 0 : System.StringComparer.Ordinal.GetHashCode(Path);
    }

    public sealed record ParameterSymbol(string Name, ArchType Type, ParameterSyntax Syntax);

    /// <summary>A block or network, with the file it lives in.</summary>
    public sealed record DefinitionSymbol(string Name, DefinitionKind Kind, ImmutableArray<ParameterSymbol> Parameters, DefinitionDecl Syntax, ParsedFile File)
    {
        public bool IsNetwork => Kind == DefinitionKind.Network;
        public int IndexOf(string name)
        {
            for (int i = 0; i < Parameters.Length; i++) if (Parameters[i].Name == name) return i;
            return -1;
        }
    }

    /// <summary>A variant: the network it fixes arguments of, and those arguments matched to the network's parameters.</summary>
    public sealed record VariantSymbol(string Name, DefinitionSymbol? Target, VariantDecl Syntax, ParsedFile File)
    {
        /// <summary>The variant's arguments matched to <see cref="Target"/>'s parameters (null without a target).</summary>
        public ArgumentMatch? Match { get; init; }

        /// <summary>The target's parameters this variant fixes, in the target's order, with the expression given.</summary>
        public ImmutableArray<(ParameterSymbol Parameter, ExprSyntax Value)> FixedArguments =>
            Target == null || Match == null ? ImmutableArray<(ParameterSymbol, ExprSyntax)>.Empty
                : Target.Parameters.Select((p, i) => (p, Match.ByParameter[i]?.Value)).Where(a => a.Value != null)
                    .Select(a => (a.p, a.Value!)).ToImmutableArray();

        /// <summary>The expression this variant gives the target's parameter <paramref name="parameter"/>, or null.</summary>
        public ExprSyntax? ArgumentFor(ParameterSymbol parameter)
        {
            if (Target == null || Match == null) return null;
            int i = Target.Parameters.IndexOf(parameter);
            return i < 0 ? null : Match.ByParameter[i]?.Value;
        }
    }

    /// <summary>What a callee name in a module application refers to.</summary>
    public enum CalleeKind { None, Primitive, Definition, BlockValue, Function }

    /// <summary>Reference equality for syntax nodes used as keys (records compare by value).</summary>
    public sealed class NodeComparer<T> : IEqualityComparer<T> where T : class
    {
        public static readonly NodeComparer<T> Instance = new NodeComparer<T>();
        public bool Equals(T? x, T? y) => ReferenceEquals(x, y);
        public int GetHashCode(T obj) => RuntimeHelpers.GetHashCode(obj);
    }

    /// <summary>The binder's result for one file and its imports: every definition in scope, the variants
    /// of this file, and the static type of every expression the binder saw.</summary>
    public sealed class BoundProgram
    {
        public BoundProgram(ParsedFile file, ImmutableDictionary<string, DefinitionSymbol> definitions,
            ImmutableArray<DefinitionSymbol> localDefinitions, ImmutableArray<VariantSymbol> variants,
            IReadOnlyDictionary<ExprSyntax, ArchType> types, ImmutableArray<ParsedFile> files,
            IReadOnlyDictionary<ExprSyntax, BoundCall> calls)
        {
            Calls = calls;
            File = file;
            Definitions = definitions;
            LocalDefinitions = localDefinitions;
            Variants = variants;
            Types = types;
            Files = files;
        }

        public ParsedFile File { get; }
        public ImmutableDictionary<string, DefinitionSymbol> Definitions { get; }
        public ImmutableArray<DefinitionSymbol> LocalDefinitions { get; }
        public ImmutableArray<VariantSymbol> Variants { get; }
        public IReadOnlyDictionary<ExprSyntax, ArchType> Types { get; }
        /// <summary>This file first, then every imported file.</summary>
        public ImmutableArray<ParsedFile> Files { get; }

        /// <summary>Every module application the binder resolved (<c>conv(…)</c>, <c>block(…)</c>, a block-valued
        /// local), by the application's expression.</summary>
        public IReadOnlyDictionary<ExprSyntax, BoundCall> Calls { get; }

        public ArchType TypeOf(ExprSyntax e) => Types.TryGetValue(e, out var t) ? t : ArchType.Error;

        /// <summary>The bound application <paramref name="e"/> is, or null when it applies no module.</summary>
        public BoundCall? CallOf(ExprSyntax e) => Calls.TryGetValue(e, out var c) ? c : null;

        /// <summary>The resize <paramref name="call"/> writes (<c>upsample(to: t)</c>), or null; a call the binder bound
        /// as a module application (a block or local of that name) is not one.</summary>
        public BoundResize? ResizeOf(CallExpr call) => CallOf(call) == null ? BoundResize.Of(call) : null;

        /// <summary>Whether the operand <paramref name="e"/> of tensor arithmetic computes a tensor (rather than a
        /// number): a tensor name, the network's input, a pipeline, a resize, or their negation, sum, difference or
        /// product. <paramref name="tensorNamed"/> says whether a name in scope holds a tensor (null: not in scope);
        /// the elaborator asks its environment, the lowering its scope. <paramref name="indexedNames"/>: an indexed
        /// name (<c>x{j}</c>) reads the tensor table (a body in dataflow form).</summary>
        public bool IsTensor(ExprSyntax e, System.Func<string, bool?> tensorNamed, bool indexedNames) => e switch
        {
            NameExpr n => tensorNamed(n.Name) ?? n.Name == Builtins.Input,
            PipeExpr _ => true,
            IndexedNameExpr _ => indexedNames,
            CallExpr call => ResizeOf(call) != null,
            UnaryExpr u => IsTensor(u.Operand, tensorNamed, indexedNames),
            BinaryExpr b => (b.Op == "*" || b.Op == "+" || b.Op == "-") && (IsTensor(b.Left, tensorNamed, indexedNames) || IsTensor(b.Right, tensorNamed, indexedNames)),
            _ => false,
        };
    }
}
