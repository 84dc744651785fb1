using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace ArchDsl.Binding
{
    /// <summary>How a primitive's argument is typed: <c>Pair</c> takes an int or an <c>[h, w]</c> list.</summary>
    public enum ArgKind { Int, Pair, Float, Bool }

    /// <summary>One parameter of a primitive layer. <see cref="Default"/> is null when required, or
    /// <see cref="PrimitiveParameter.SameAs"/> names the parameter whose value is the default (pool stride = kernel).</summary>
    public sealed record PrimitiveParameter(string Name, ArgKind Kind, object? Default, string? SameAs = null)
    {
        public bool Required => Default == null && SameAs == null;

        public ArchType Type => Kind switch
        {
            ArgKind.Int => ArchType.Int,
            ArgKind.Float => ArchType.Float,
            ArgKind.Bool => ArchType.Bool,
            _ => ArchType.Int,
        };
    }

    public enum LayerKind
    {
        Conv, Linear, BatchNorm, ReLU, ReLU6, SiLU, Sigmoid, Tanh, Hardswish, Hardsigmoid, GELU, LeakyReLU,
        MaxPool, AvgPool, AdaptiveAvgPool, AdaptiveMaxPool, Dropout, StochasticDepth, Flatten, Identity, LocalResponseNorm, ChannelShuffle,
        LayerNorm, LayerNorm2d, ChannelsLast, ChannelsFirst, Scale,
        ChannelMean, ChannelMax,
        Upsample, UpsampleBilinear,
    }

    /// <summary>A primitive layer of the language: one TorchSharp module each.</summary>
    public sealed record PrimitiveLayer(string Name, LayerKind Kind, ImmutableArray<PrimitiveParameter> Parameters, string Description)
    {
        public PrimitiveParameter? Find(string name) => IndexOf(name) is var i && i >= 0 ? Parameters[i] : null;

        /// <summary>The position of the parameter named <paramref name="name"/>; -1 when there is none.</summary>
        public int IndexOf(string name)
        {
            for (int i = 0; i < Parameters.Length; i++)
                if (string.Equals(Parameters[i].Name, name, System.StringComparison.Ordinal)) return i;
            return -1;
        }
    }

    /// <summary>The primitive layers' declarations (each described in full in <see cref="Layers.LayerTable"/>).</summary>
    public static class Primitives
    {
        public static ImmutableArray<PrimitiveLayer> All { get; } = Layers.LayerTable.All.Select(r => r.Declaration).ToImmutableArray();

        private static readonly Dictionary<string, PrimitiveLayer> ByName = All.ToDictionary(p => p.Name);

        public static PrimitiveLayer? Find(string name) => ByName.TryGetValue(name, out var p) ? p : null;

        /// <summary>Layers with learnable parameters or buffers (the ones a name is worth giving).</summary>
        public static bool HasState(LayerKind kind) => Layers.LayerTable.Of(kind).HasState;
    }

    /// <summary>Builtin scalar functions and values.</summary>
    public static class Builtins
    {
        /// <summary>Functions: name, minimum and maximum argument count.</summary>
        public static readonly ImmutableDictionary<string, (int Min, int Max)> Functions = new Dictionary<string, (int, int)>
        {
            ["make_divisible"] = (2, 3),
            ["round"] = (1, 1),
            ["ceil"] = (1, 1),
            ["floor"] = (1, 1),
            ["min"] = (1, 16),
            ["max"] = (1, 16),
            ["abs"] = (1, 1),
            ["len"] = (1, 1),
            ["int"] = (1, 1),
            ["float"] = (1, 1),
            ["log"] = (1, 2),
            ["exp"] = (1, 1),
            ["sqrt"] = (1, 1),
            ["sum"] = (1, 1),
            ["cumsum"] = (1, 1),
        }.ToImmutableDictionary();

        /// <summary>Values every statement can read: the current tensor's size.</summary>
        public static readonly ImmutableArray<string> Values = ImmutableArray.Create("in_channels", "in_height", "in_width");

        /// <summary>The current tensor in a tensor expression.</summary>
        public const string Input = "input";
    }
}
