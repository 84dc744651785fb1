using System;

namespace ArchDsl.Binding
{
    public enum TypeKind { Error, Int, Float, Bool, String, Block, List, Tensor }

    /// <summary>The static type of an .arch expression. Lists are homogeneous; <c>int</c> widens to <c>float</c>.</summary>
    public sealed class ArchType : IEquatable<ArchType>
    {
        private ArchType(TypeKind kind, ArchType? element) { Kind = kind; Element = element; }

        public TypeKind Kind { get; }
        public ArchType? Element { get; }

        public static readonly ArchType Error = new ArchType(TypeKind.Error, null);
        public static readonly ArchType Int = new ArchType(TypeKind.Int, null);
        public static readonly ArchType Float = new ArchType(TypeKind.Float, null);
        public static readonly ArchType Bool = new ArchType(TypeKind.Bool, null);
        public static readonly ArchType String = new ArchType(TypeKind.String, null);
        public static readonly ArchType Block = new ArchType(TypeKind.Block, null);
        public static readonly ArchType Tensor = new ArchType(TypeKind.Tensor, null);

        public static ArchType ListOf(ArchType element) => new ArchType(TypeKind.List, element);

        public bool IsNumeric => Kind == TypeKind.Int || Kind == TypeKind.Float;
        public bool IsError => Kind == TypeKind.Error || (Kind == TypeKind.List && Element!.IsError);

        /// <summary>True when a value of <paramref name="source"/> may be used where this type is expected.</summary>
        public bool Accepts(ArchType source)
        {
            if (IsError || source.IsError) return true;
            if (Kind == TypeKind.Float && source.Kind == TypeKind.Int) return true;
            if (Kind == TypeKind.List && source.Kind == TypeKind.List) return Element!.Accepts(source.Element!);
            return Kind == source.Kind;
        }

        /// <summary>The common type of two branches or list items, or null.</summary>
        public static ArchType? Unify(ArchType a, ArchType b)
        {
            if (a.IsError) return b;
            if (b.IsError) return a;
            if (a.Equals(b)) return a;
            if (a.IsNumeric && b.IsNumeric) return Float;
            if (a.Kind == TypeKind.List && b.Kind == TypeKind.List)
            {
                var e = Unify(a.Element!, b.Element!);
                return e == null ? null : ListOf(e);
            }
            return null;
        }

        public static ArchType? FromName(string name, int listDepth)
        {
            ArchType? t = name switch
            {
                "int" => Int,
                "float" => Float,
                "bool" => Bool,
                "string" => String,
                "block" => Block,
                _ => null,
            };
            if (t == null) return null;
            for (int i = 0; i < listDepth; i++) t = ListOf(t);
            return t;
        }

        public bool Equals(ArchType? other) =>
            other != null && Kind == other.Kind && (Kind != TypeKind.List || Element!.Equals(other.Element));
        public override bool Equals(object? obj) => Equals(obj as ArchType);
        public override int GetHashCode() => Kind == TypeKind.List ? 31 * Element!.GetHashCode() + 7 : (int)Kind;

        public override string ToString() => Kind switch
        {
            TypeKind.List => Element + "[]",
            TypeKind.Error => "?",
            _ => Kind.ToString().ToLowerInvariant(),
        };
    }
}
