using System.Collections.Generic;
using System.Collections.Immutable;
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

    public sealed record VariantSymbol(string Name, DefinitionSymbol? Target, VariantDecl Syntax, ParsedFile File);

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
            IReadOnlyDictionary<ExprSyntax, ArchType> types, ImmutableArray<ParsedFile> files)
        {
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

        public ArchType TypeOf(ExprSyntax e) => Types.TryGetValue(e, out var t) ? t : ArchType.Error;
    }
}
