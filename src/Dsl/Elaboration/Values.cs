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
        /// <summary>A map laid out [H, W, C] (after <c>channels_last</c>): <see cref="Channels"/> is still C, the last
        /// dimension, which a <c>linear</c> or <c>layernorm</c> then acts on.</summary>
        public bool ChannelsLast { get; init; }

        /// <summary>Elements of one sample; <see cref="System.OverflowException"/> when they do not fit in 64 bits.</summary>
        public long Elements => Flat ? Channels : checked(Channels * Height * Width);

        public ImmutableArray<long> Shape => Flat ? ImmutableArray.Create(Channels)
            : ChannelsLast ? ImmutableArray.Create(Height, Width, Channels) : ImmutableArray.Create(Channels, Height, Width);

        public override string ToString() => "[" + string.Join(", ", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
    }
}
