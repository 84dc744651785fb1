using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Binding;

namespace ArchDsl.Elaboration
{
    /// <summary>A construction-time value: int, float, bool, string, list, block or tensor.</summary>
    public abstract record Value
    {
        public abstract string Display { get; }
    }

    public sealed record IntValue(long Value) : Value
    {
        public override string Display => Value.ToString(CultureInfo.InvariantCulture);
    }

    public sealed record FloatValue(double Value) : Value
    {
        public override string Display => Value.ToString("R", CultureInfo.InvariantCulture);
    }

    public sealed record BoolValue(bool Value) : Value
    {
        public override string Display => Value ? "true" : "false";
    }

    public sealed record StringValue(string Value) : Value
    {
        public override string Display => "\"" + Value + "\"";
    }

    public sealed record ListValue(ImmutableArray<Value> Items) : Value
    {
        public override string Display => "[" + string.Join(", ", Items.Select(i => i.Display)) + "]";
        public bool Equals(ListValue? other) => other != null && Items.SequenceEqual(other.Items);
        public override int GetHashCode() => Items.Aggregate(17, (h, v) => h * 31 + v.GetHashCode());
    }

    public sealed record BlockValue(DefinitionSymbol Definition) : Value
    {
        public override string Display => Definition.Name;
    }

    /// <summary>A tensor flowing through the network: its feature shape and receptive field.</summary>
    public sealed record TensorValue(Feature Feature) : Value
    {
        public override string Display => Feature.ToString();
    }

    /// <summary>The shape of one sample, [C, H, W] (or [C] once flattened), plus the receptive field of
    /// one output position (<see cref="Field"/>, in input pixels) and the distance in input pixels between
    /// neighbouring output positions (<see cref="Jump"/>).</summary>
    public sealed record Feature(long Channels, long Height, long Width, bool Flat, long Field, long Jump)
    {
        public long Elements => Flat ? Channels : Channels * Height * Width;

        public ImmutableArray<long> Shape => Flat ? ImmutableArray.Create(Channels) : ImmutableArray.Create(Channels, Height, Width);

        public override string ToString() => Flat
            ? "[" + Channels.ToString(CultureInfo.InvariantCulture) + "]"
            : "[" + Channels.ToString(CultureInfo.InvariantCulture) + ", " + Height.ToString(CultureInfo.InvariantCulture) + ", " + Width.ToString(CultureInfo.InvariantCulture) + "]";
    }

    /// <summary>Arithmetic shared by the elaborator (and mirrored in ArchDsl.Runtime for generated code).</summary>
    public static class ArchMath
    {
        /// <summary>Floor division, as Python's <c>//</c>.</summary>
        public static long FloorDiv(long a, long b)
        {
            long q = a / b;
            if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
            return q;
        }

        public static long FloorMod(long a, long b) => a - FloorDiv(a, b) * b;

        /// <summary>torchvision's <c>_make_divisible</c>: the nearest multiple of <paramref name="divisor"/>, at least
        /// <paramref name="minValue"/> (default: the divisor), never more than 10% below <paramref name="v"/>.</summary>
        public static long MakeDivisible(double v, long divisor, long? minValue = null)
        {
            long min = minValue ?? divisor;
            long newV = Math.Max(min, FloorDiv((long)(v + divisor / 2.0), divisor) * divisor);
            if (newV < 0.9 * v) newV += divisor;
            return newV;
        }

        /// <summary>Rounds half to even, as Python's <c>round</c>.</summary>
        public static long Round(double v) => (long)Math.Round(v, MidpointRounding.ToEven);

        public static long IntPow(long b, long e)
        {
            long r = 1;
            for (long i = 0; i < e; i++) r = checked(r * b);
            return r;
        }
    }
}
