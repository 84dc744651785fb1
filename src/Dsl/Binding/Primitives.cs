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

    /// <summary>The table of primitive layers (docs/language.md lists them with their TorchSharp counterparts).</summary>
    public static class Primitives
    {
        private static PrimitiveParameter P(string name, ArgKind kind, object? def = null, string? sameAs = null) => new PrimitiveParameter(name, kind, def, sameAs);

        private static PrimitiveLayer L(string name, LayerKind kind, string description, params PrimitiveParameter[] ps) =>
            new PrimitiveLayer(name, kind, ImmutableArray.Create(ps), description);

        /// <summary>A constant the bias starts at instead of the framework's default (NaN: the default), as a highway
        /// layer's negative transform-gate bias. Initialisation only: no effect on shapes or costs.</summary>
        private static readonly PrimitiveParameter BiasInit = P("bias_init", ArgKind.Float, double.NaN);

        public static ImmutableArray<PrimitiveLayer> All { get; } = ImmutableArray.Create(
            L("conv", LayerKind.Conv, "2-D convolution; input channels inferred",
                P("out", ArgKind.Int), P("kernel", ArgKind.Pair), P("stride", ArgKind.Pair, 1L), P("padding", ArgKind.Pair, 0L),
                P("dilation", ArgKind.Pair, 1L), P("groups", ArgKind.Int, 1L), P("bias", ArgKind.Bool, true), BiasInit),
            L("linear", LayerKind.Linear, "fully connected layer on a flat input", P("out", ArgKind.Int), P("bias", ArgKind.Bool, true), BiasInit),
            L("batchnorm", LayerKind.BatchNorm, "2-D batch normalisation", P("eps", ArgKind.Float, 1e-5), P("momentum", ArgKind.Float, 0.1)),
            L("relu", LayerKind.ReLU, "max(x, 0)"),
            L("relu6", LayerKind.ReLU6, "min(max(x, 0), 6)"),
            L("silu", LayerKind.SiLU, "x * sigmoid(x) (swish)"),
            L("sigmoid", LayerKind.Sigmoid, "logistic sigmoid"),
            L("tanh", LayerKind.Tanh, "hyperbolic tangent"),
            L("hardswish", LayerKind.Hardswish, "x * relu6(x + 3) / 6"),
            L("hardsigmoid", LayerKind.Hardsigmoid, "relu6(x + 3) / 6"),
            L("gelu", LayerKind.GELU, "Gaussian error linear unit"),
            L("leaky_relu", LayerKind.LeakyReLU, "max(x, slope * x)", P("slope", ArgKind.Float, 0.01)),
            L("maxpool", LayerKind.MaxPool, "2-D max pooling; stride defaults to the kernel",
                P("kernel", ArgKind.Pair), P("stride", ArgKind.Pair, null, "kernel"), P("padding", ArgKind.Pair, 0L), P("ceil_mode", ArgKind.Bool, false)),
            L("avgpool", LayerKind.AvgPool, "2-D average pooling; stride defaults to the kernel",
                P("kernel", ArgKind.Pair), P("stride", ArgKind.Pair, null, "kernel"), P("padding", ArgKind.Pair, 0L), P("ceil_mode", ArgKind.Bool, false),
                P("count_include_pad", ArgKind.Bool, true)),
            L("adaptive_avgpool", LayerKind.AdaptiveAvgPool, "average pooling to a fixed output size", P("size", ArgKind.Pair)),
            L("adaptive_maxpool", LayerKind.AdaptiveMaxPool, "max pooling to a fixed output size", P("size", ArgKind.Pair)),
            L("dropout", LayerKind.Dropout, "dropout (training only)", P("p", ArgKind.Float, 0.5)),
            L("stochastic_depth", LayerKind.StochasticDepth, "drops the whole residual branch per sample (training only)", P("p", ArgKind.Float)),
            L("flatten", LayerKind.Flatten, "[C, H, W] to [C*H*W]"),
            L("identity", LayerKind.Identity, "passes its input through"),
            L("lrn", LayerKind.LocalResponseNorm, "local response normalisation across channels",
                P("size", ArgKind.Int), P("alpha", ArgKind.Float, 1e-4), P("beta", ArgKind.Float, 0.75), P("k", ArgKind.Float, 1.0)),
            L("shuffle", LayerKind.ChannelShuffle, "channel shuffle: [g, C/g] to [C/g, g]", P("groups", ArgKind.Int)));

        private static readonly Dictionary<string, PrimitiveLayer> ByName = All.ToDictionary(p => p.Name);

        public static PrimitiveLayer? Find(string name) => ByName.TryGetValue(name, out var p) ? p : null;

        /// <summary>Layers with learnable parameters or buffers (the ones a name is worth giving).</summary>
        public static bool HasState(LayerKind kind) => kind == LayerKind.Conv || kind == LayerKind.Linear || kind == LayerKind.BatchNorm;
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
        }.ToImmutableDictionary();

        /// <summary>Values every statement can read: the current tensor's size.</summary>
        public static readonly ImmutableArray<string> Values = ImmutableArray.Create("in_channels", "in_height", "in_width");

        /// <summary>The current tensor in a tensor expression.</summary>
        public const string Input = "input";
    }
}
