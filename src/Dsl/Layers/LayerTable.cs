using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using static ArchDsl.Layers.Recipes;

namespace ArchDsl.Layers
{
    /// <summary>The primitive layers of the language, each described once (docs/language.md lists them with their
    /// TorchSharp counterparts). Adding a layer is one entry here plus its tests.</summary>
    public static partial class LayerTable
    {
        private static PrimitiveParameter P(string name, ArgKind kind, object? def = null, string? sameAs = null) => new PrimitiveParameter(name, kind, def, sameAs);

        private static EmittedArgument A(string parameter, ArgForm form = ArgForm.Value, string? keyword = null, bool frameworkDefault = false, bool real = false, bool positional = false) =>
            new EmittedArgument(parameter, form, keyword, keyword, frameworkDefault, real, positional);

        private static EmittedArgument Input(ArgForm form = ArgForm.InputChannels) => new EmittedArgument("", form);

        private static ModuleConstruction Module(string torchSharp, string pyTorch, params EmittedArgument[] args) =>
            new ModuleConstruction(torchSharp, torchSharp, pyTorch, ImmutableArray.Create(args));

        private static ShapeCall Track(string method, params EmittedArgument[] args) => new ShapeCall(method, ImmutableArray.Create(args));

        private static EmittedArgument[] HW(string parameter) => new[] { A(parameter, ArgForm.H), A(parameter, ArgForm.W) };

        /// <summary>A constant the bias starts at instead of the framework's default (NaN: the default), as a highway
        /// layer's negative transform-gate bias. Initialisation only: no effect on shapes or costs.</summary>
        private static readonly PrimitiveParameter BiasInit = P("bias_init", ArgKind.Float, double.NaN);

        private static LayerRule Rule(string name, LayerKind kind, string description, PrimitiveParameter[] parameters,
            Func<LayerArguments, Feature, LayerConfig> configure, ShapeRule shape, ModuleConstruction construction, ShapeCall? track = null) =>
            new LayerRule(new PrimitiveLayer(name, kind, ImmutableArray.Create(parameters), description), configure, shape, construction, track);

        /// <summary>A layer without arguments that keeps its input's shape (activations, identity), written as the
        /// same ONNX nodes whatever its input.</summary>
        private static LayerRule Pointwise(string name, LayerKind kind, string description, string torchSharp, OnnxRecipe onnx) =>
            Rule(name, kind, description, Array.Empty<PrimitiveParameter>(), (_, x) => new LayerConfig(kind, InChannels: x.Channels), Keep, Module(torchSharp, torchSharp))
            with { Onnx = (_, _) => onnx };

        private static Feature? Keep(LayerConfig c, Feature x, out Shapes.Problem problem, out string detail)
        {
            problem = Shapes.Problem.None;
            detail = "";
            return x;
        }

        private static Feature? KeepSpatial(LayerConfig c, Feature x, out Shapes.Problem problem, out string detail)
        {
            detail = "";
            problem = x.Flat ? Shapes.Problem.NeedsSpatial : Shapes.Problem.None;
            return x.Flat ? null : x;
        }

        private static string Real(double d) => d.ToString("R", CultureInfo.InvariantCulture);

        private static (string, string, string)? Finite(params (string Name, double Value)[] values)
        {
            foreach (var (name, value) in values)
                if (double.IsNaN(value) || double.IsInfinity(value)) return (name, "a finite number", Real(value));
            return null;
        }

        private static string Int(long v) => v.ToString(CultureInfo.InvariantCulture);

        /// <summary>A pair as written: one number when both halves agree, else <c>[h, w]</c>.</summary>
        private static string Pair((long H, long W) p) => p.H == p.W ? Int(p.H) : "[" + Int(p.H) + ", " + Int(p.W) + "]";

        /// <summary>The first of <paramref name="checks"/> that fails: each an int or pair parameter with its least value.</summary>
        private static (string, string, string)? AtLeast(params (string Name, long H, long W, bool IsPair, long Least)[] checks)
        {
            foreach (var (name, h, w, isPair, least) in checks)
                if (h < least || w < least) return (name, "at least " + Int(least), isPair ? Pair((h, w)) : Int(h));
            return null;
        }

        private static (string, long, long, bool, long) Least(string name, long value, long least) => (name, value, value, false, least);

        private static (string, long, long, bool, long) Least(string name, (long H, long W) value, long least) => (name, value.H, value.W, true, least);

        private static (string, string, string)? Probability(LayerConfig c) =>
            !(c.P >= 0 && c.P <= 1) ? ("p", "in [0, 1]", Real(c.P)) : null;

        /// <summary>A convolution's or linear layer's weight and optional bias, initialised as both frameworks do.</summary>
        private static ImmutableArray<StateEntry> WeightAndBias(string path, LayerConfig c, ImmutableArray<long> weight)
        {
            long fanIn = 1;
            for (int i = 1; i < weight.Length; i++) fanIn *= weight[i];
            var list = new List<StateEntry> { new StateEntry(path + ".weight", weight, false) { Init = StateInit.LayerWeight } };
            if (c.Bias) list.Add(new StateEntry(path + ".bias", ImmutableArray.Create(c.Out), false) { Init = StateInit.LayerBias(fanIn) });
            return list.ToImmutableArray();
        }

        private static string K((long H, long W) p) => p.H == p.W ? p.H + "x" + p.H : p.H + "x" + p.W;

        private static string S((long H, long W) p) => p.H == 1 && p.W == 1 ? "" : "/" + (p.H == p.W ? p.H.ToString(CultureInfo.InvariantCulture) : p.H + "x" + p.W);

        public static ImmutableArray<LayerRule> All { get; } = Core().AddRange(ChannelRules()).AddRange(ResamplingRules());

        private static ImmutableArray<LayerRule> Core() => ImmutableArray.Create(
            Rule("conv", LayerKind.Conv, "2-D convolution; input channels inferred",
                new[] { P("out", ArgKind.Int), P("kernel", ArgKind.Pair), P("stride", ArgKind.Pair, 1L), P("padding", ArgKind.Pair, 0L),
                    P("dilation", ArgKind.Pair, 1L), P("groups", ArgKind.Int, 1L), P("bias", ArgKind.Bool, true), BiasInit },
                (a, x) => new LayerConfig(LayerKind.Conv, InChannels: x.Channels, Out: a.Int("out"), Kernel: a.Pair("kernel"), Stride: a.Pair("stride"),
                    Padding: a.Pair("padding"), Dilation: a.Pair("dilation"), Groups: a.Int("groups"), Bias: a.Flag("bias")),
                Shapes.Conv,
                Module("Conv2d", "Conv2d", Input(), A("out"), A("kernel", ArgForm.Pair), A("stride", ArgForm.Pair, "stride", true),
                    A("padding", ArgForm.Pair, "padding", true), A("dilation", ArgForm.Pair, "dilation", true), A("groups", keyword: "groups", frameworkDefault: true),
                    A("bias", keyword: "bias", frameworkDefault: true)),
                Track("Conv", new[] { A("out") }.Concat(HW("kernel")).Concat(HW("stride")).Concat(HW("padding")).Concat(HW("dilation")).Append(A("groups")).ToArray()))
            with
            {
                HasState = true,
                WritesFreshResult = true,
                MixesAllChannels = c => c.Groups == 1,
                Check = c => AtLeast(Least("out", c.Out, 1), Least("kernel", c.Kernel, 1), Least("stride", c.Stride, 1), Least("padding", c.Padding, 0),
                    Least("dilation", c.Dilation, 1), Least("groups", c.Groups, 1)),
                State = (path, c) => WeightAndBias(path, c, ImmutableArray.Create(c.Out, c.InChannels / c.Groups, c.Kernel.H, c.Kernel.W)),
                Macs = (c, output) => checked(output * (c.InChannels / c.Groups) * c.Kernel.H * c.Kernel.W),
                Describe = c => "conv " + K(c.Kernel) + S(c.Stride) + " " + c.InChannels + "->" + c.Out + (c.Groups != 1 ? " g" + c.Groups : "") + (c.Dilation != (1, 1) ? " d" + K(c.Dilation) : ""),
                StartsChainLine = true,
                Onnx = (c, x) => Node("Conv", X, State("weight"), c.Bias ? State("bias") : null)
                    .With("kernel_shape", c.Kernel).With("strides", c.Stride).WithPads(c.Padding).With("dilations", c.Dilation).With("group", c.Groups),
            },
            Rule("linear", LayerKind.Linear, "fully connected layer on a flat input, or on the channels of a channels-last map",
                new[] { P("out", ArgKind.Int), P("bias", ArgKind.Bool, true), BiasInit },
                (a, x) => new LayerConfig(LayerKind.Linear, InChannels: x.Channels, Out: a.Int("out"), Bias: a.Flag("bias")),
                Shapes.Linear,
                Module("Linear", "Linear", Input(), A("out"), new EmittedArgument("bias", ArgForm.Value, "hasBias", "bias", true)),
                Track("Linear", A("out")))
            with
            {
                HasState = true,
                WritesFreshResult = true,
                MixesAllChannels = _ => true,
                Check = c => AtLeast(Least("out", c.Out, 1)),
                State = (path, c) => WeightAndBias(path, c, ImmutableArray.Create(c.Out, c.InChannels)),
                // Per output element: a channels-last map applies the layer at every position.
                Macs = (c, output) => checked(output * c.InChannels),
                Describe = c => "linear " + c.InChannels + "->" + c.Out,
                AcceptsChannelsLast = true,
                StartsChainLine = true,
                Onnx = (c, x) => x.ChannelsLast
                    // On the channels of an [N, H, W, C] map: MatMul with the transposed weight (it broadcasts over the
                    // positions), then the bias; Gemm takes only 2-D inputs.
                    ? Nodes(Node("Transpose", State("weight")).With("perm", 1, 0).NamedUnshaped("weight_t"),
                        Node("MatMul", X, Result("weight_t")).Named("matmul"),
                        c.Bias ? Node("Add", Result("matmul"), State("bias")) : null)
                    : Node("Gemm", X, State("weight"), c.Bias ? State("bias") : null).With("transB", 1L),
            },
            Rule("batchnorm", LayerKind.BatchNorm, "2-D batch normalisation",
                new[] { P("eps", ArgKind.Float, 1e-5), P("momentum", ArgKind.Float, 0.1) },
                (a, x) => new LayerConfig(LayerKind.BatchNorm, InChannels: x.Channels, Out: x.Channels, Eps: a.Real("eps"), Momentum: a.Real("momentum")),
                KeepSpatial,
                Module("BatchNorm2d", "BatchNorm2d", Input(ArgForm.SpatialChannels), A("eps", keyword: "eps", frameworkDefault: true, real: true),
                    A("momentum", keyword: "momentum", frameworkDefault: true, real: true)))
            with
            {
                HasState = true,
                WritesFreshResult = true,
                Check = c => !(c.Eps > 0) || double.IsInfinity(c.Eps) ? ("eps", "a finite number greater than 0", Real(c.Eps))
                    : !(c.Momentum >= 0 && c.Momentum <= 1) ? ("momentum", "in [0, 1]", Real(c.Momentum)) : null,
                State = (path, c) => ImmutableArray.Create(
                    new StateEntry(path + ".weight", ImmutableArray.Create(c.Out), false) { Init = StateInit.Ones },
                    new StateEntry(path + ".bias", ImmutableArray.Create(c.Out), false) { Init = StateInit.Zeros },
                    new StateEntry(path + ".running_mean", ImmutableArray.Create(c.Out), true) { Init = StateInit.Zeros },
                    new StateEntry(path + ".running_var", ImmutableArray.Create(c.Out), true) { Init = StateInit.Ones },
                    new StateEntry(path + ".num_batches_tracked", ImmutableArray<long>.Empty, true) { Init = StateInit.Counter }),
                Describe = c => "batchnorm " + c.Out,
                ChainLabel = "bn",
                // Inference batch norm: the running statistics.
                Onnx = (c, x) => Node("BatchNormalization", X, State("weight"), State("bias"), State("running_mean"), State("running_var")).With("epsilon", c.Eps),
            },
            Pointwise("relu", LayerKind.ReLU, "max(x, 0)", "ReLU", Node("Relu", X)) with { AcceptsChannelsLast = true, MayRunInPlace = true },
            Pointwise("relu6", LayerKind.ReLU6, "min(max(x, 0), 6)", "ReLU6", Node("Clip", X, Scalar("min", 0f), Scalar("max", 6f))) with { MayRunInPlace = true },
            Pointwise("silu", LayerKind.SiLU, "x * sigmoid(x) (swish)", "SiLU", Nodes(Node("Sigmoid", X).Named("sigmoid"), Node("Mul", X, Result("sigmoid")))),
            Pointwise("sigmoid", LayerKind.Sigmoid, "logistic sigmoid", "Sigmoid", Node("Sigmoid", X)),
            Pointwise("tanh", LayerKind.Tanh, "hyperbolic tangent", "Tanh", Node("Tanh", X)),
            Pointwise("hardswish", LayerKind.Hardswish, "x * relu6(x + 3) / 6", "Hardswish", Node("HardSwish", X)),
            // relu6(x + 3) / 6 = clip(x / 6 + 1/2, 0, 1).
            Pointwise("hardsigmoid", LayerKind.Hardsigmoid, "relu6(x + 3) / 6", "Hardsigmoid", Node("HardSigmoid", X).With("alpha", 1.0 / 6).With("beta", 0.5)),
            Pointwise("gelu", LayerKind.GELU, "Gaussian error linear unit", "GELU", Gelu) with { AcceptsChannelsLast = true },
            Rule("leaky_relu", LayerKind.LeakyReLU, "max(x, slope * x)", new[] { P("slope", ArgKind.Float, 0.01) },
                (a, x) => new LayerConfig(LayerKind.LeakyReLU, InChannels: x.Channels, Alpha: a.Real("slope")),
                Keep, Module("LeakyReLU", "LeakyReLU", A("slope", keyword: "negative_slope", frameworkDefault: true, real: true, positional: true)))
            with { Check = c => Finite(("slope", c.Alpha)), Onnx = (c, x) => Node("LeakyRelu", X).With("alpha", c.Alpha) },
            Pool("maxpool", LayerKind.MaxPool, "2-D max pooling; stride defaults to the kernel", "MaxPool2d"),
            Pool("avgpool", LayerKind.AvgPool, "2-D average pooling; stride defaults to the kernel", "AvgPool2d"),
            Adaptive("adaptive_avgpool", LayerKind.AdaptiveAvgPool, "average pooling to a fixed output size", "AdaptiveAvgPool2d", ArgForm.Pair),
            // TorchSharp's AdaptiveMaxPool2d takes only an array; AdaptiveAvgPool2d also a size or a pair.
            Adaptive("adaptive_maxpool", LayerKind.AdaptiveMaxPool, "max pooling to a fixed output size", "AdaptiveMaxPool2d", ArgForm.Array),
            Rule("dropout", LayerKind.Dropout, "dropout (training only)", new[] { P("p", ArgKind.Float, 0.5) },
                (a, x) => new LayerConfig(LayerKind.Dropout, InChannels: x.Channels, P: a.Real("p")),
                Keep, Module("Dropout", "Dropout", A("p", keyword: "p", frameworkDefault: true, real: true, positional: true)))
            with { Check = Probability, Describe = c => "dropout " + c.P.ToString("0.###", CultureInfo.InvariantCulture), AcceptsChannelsLast = true, Onnx = Inference },
            Rule("stochastic_depth", LayerKind.StochasticDepth, "drops the whole residual branch per sample (training only)", new[] { P("p", ArgKind.Float) },
                (a, x) => new LayerConfig(LayerKind.StochasticDepth, InChannels: x.Channels, P: a.Real("p")),
                Keep, new ModuleConstruction("StochasticDepth", "StochasticDepth", "_StochasticDepth", ImmutableArray.Create(A("p", real: true)), RuntimeClass: true))
            with { Check = Probability, Describe = c => "stochastic_depth " + c.P.ToString("0.###", CultureInfo.InvariantCulture), Onnx = Inference },
            Rule("flatten", LayerKind.Flatten, "[C, H, W] to [C*H*W]", Array.Empty<PrimitiveParameter>(),
                (_, x) => new LayerConfig(LayerKind.Flatten, InChannels: x.Channels), Shapes.Flatten, Module("Flatten", "Flatten"), Track("Flatten"))
            with { Onnx = (c, x) => x.Flat ? OnnxRecipe.PassThrough : Node("Flatten", X).With("axis", 1L) },
            Pointwise("identity", LayerKind.Identity, "passes its input through", "Identity", OnnxRecipe.PassThrough) with { AcceptsChannelsLast = true },
            Rule("lrn", LayerKind.LocalResponseNorm, "local response normalisation across channels",
                new[] { P("size", ArgKind.Int), P("alpha", ArgKind.Float, 1e-4), P("beta", ArgKind.Float, 0.75), P("k", ArgKind.Float, 1.0) },
                (a, x) => new LayerConfig(LayerKind.LocalResponseNorm, InChannels: x.Channels, Size: a.Int("size"), Alpha: a.Real("alpha"), Beta: a.Real("beta"), K: a.Real("k")),
                KeepSpatial,
                Module("LocalResponseNorm", "LocalResponseNorm", A("size"), A("alpha", keyword: "alpha", frameworkDefault: true, real: true),
                    A("beta", keyword: "beta", frameworkDefault: true, real: true), A("k", keyword: "k", frameworkDefault: true, real: true)))
            with
            {
                Check = c => AtLeast(Least("size", c.Size, 1))
                    ?? (!(c.K > 0) || double.IsInfinity(c.K) ? ("k", "a finite number greater than 0", Real(c.K))
                    : Finite(("alpha", c.Alpha), ("beta", c.Beta))),
                Onnx = (c, x) => Node("LRN", X).With("size", c.Size).With("alpha", c.Alpha).With("beta", c.Beta).With("bias", c.K),
            },
            Rule("shuffle", LayerKind.ChannelShuffle, "channel shuffle: [g, C/g] to [C/g, g]", new[] { P("groups", ArgKind.Int) },
                (a, x) => new LayerConfig(LayerKind.ChannelShuffle, InChannels: x.Channels, Groups: a.Int("groups")),
                Shapes.Shuffle, Module("ChannelShuffle", "ChannelShuffle", A("groups")))
            with { Check = c => AtLeast(Least("groups", c.Groups, 1)), Describe = c => "shuffle " + c.Groups, Onnx = Shuffle },
            ChannelReduction("channel_mean", LayerKind.ChannelMean, "mean over the channels: [C, H, W] to [1, H, W]", "ChannelMean", "ReduceMean"),
            ChannelReduction("channel_max", LayerKind.ChannelMax, "maximum over the channels: [C, H, W] to [1, H, W]", "ChannelMax", "ReduceMax"));

        /// <summary>A reduction over the channel dimension that keeps it as one channel (CBAM's spatial attention
        /// pools its input this way); a runtime class in both targets, neither framework having such a module.</summary>
        private static LayerRule ChannelReduction(string name, LayerKind kind, string description, string runtimeClass, string onnxReduction) =>
            Rule(name, kind, description, Array.Empty<PrimitiveParameter>(), (_, x) => new LayerConfig(kind, InChannels: x.Channels), Shapes.ChannelReduction,
                new ModuleConstruction(runtimeClass, runtimeClass, "_" + runtimeClass, ImmutableArray<EmittedArgument>.Empty, RuntimeClass: true), Track("Reduce"))
            with { Onnx = (_, _) => Node(onnxReduction, X).With("axes", new[] { 1L }).With("keepdims", 1L) };

        private static LayerRule Pool(string name, LayerKind kind, string description, string module)
        {
            bool avg = kind == LayerKind.AvgPool;
            var parameters = new List<PrimitiveParameter> { P("kernel", ArgKind.Pair), P("stride", ArgKind.Pair, null, "kernel"), P("padding", ArgKind.Pair, 0L), P("ceil_mode", ArgKind.Bool, false) };
            var args = new List<EmittedArgument> { A("kernel", ArgForm.Pair), A("stride", ArgForm.Pair, "stride", true), A("padding", ArgForm.Pair, "padding", true), A("ceil_mode", keyword: "ceil_mode", frameworkDefault: true) };
            if (avg)
            {
                parameters.Add(P("count_include_pad", ArgKind.Bool, true));
                args.Add(A("count_include_pad", keyword: "count_include_pad", frameworkDefault: true));
            }
            return Rule(name, kind, description, parameters.ToArray(),
                (a, x) => new LayerConfig(kind, InChannels: x.Channels, Kernel: a.Pair("kernel"), Stride: a.Pair("stride"), Padding: a.Pair("padding"), Dilation: (1, 1),
                    CeilMode: a.Flag("ceil_mode"), CountIncludePad: avg ? a.Flag("count_include_pad") : true),
                Shapes.Pool, Module(module, module, args.ToArray()),
                Track("Pool", HW("kernel").Concat(HW("stride")).Concat(HW("padding")).Append(A("ceil_mode")).ToArray()))
            with
            {
                Check = c => AtLeast(Least("kernel", c.Kernel, 1), Least("stride", c.Stride, 1), Least("padding", c.Padding, 0))
                    ?? (c.Padding.H * 2 > c.Kernel.H || c.Padding.W * 2 > c.Kernel.W
                        ? ("padding", "at most half the kernel (" + Pair((c.Kernel.H / 2, c.Kernel.W / 2)) + ")", Pair(c.Padding)) : null),
                Describe = c => name + " " + K(c.Kernel) + S(c.Stride),
                StartsChainLine = true,
                Onnx = (c, x) =>
                {
                    var pool = Node(avg ? "AveragePool" : "MaxPool", X).With("kernel_shape", c.Kernel).With("strides", c.Stride).WithPads(c.Padding)
                        .With("ceil_mode", c.CeilMode ? 1L : 0L);
                    return avg ? pool.With("count_include_pad", c.CountIncludePad ? 1L : 0L) : pool;
                },
            };
        }

        private static LayerRule Adaptive(string name, LayerKind kind, string description, string module, ArgForm form) =>
            Rule(name, kind, description, new[] { P("size", ArgKind.Pair) },
                (a, x) => new LayerConfig(kind, InChannels: x.Channels, Kernel: a.Pair("size")),
                Shapes.Adaptive, Module(module, module, A("size", form)), Track("Adaptive", HW("size")))
            with
            {
                Check = c => AtLeast(Least("size", c.Kernel, 1)),
                Describe = c => name + " " + K(c.Kernel),
                StartsChainLine = true,
                Onnx = (c, x) => AdaptivePooling(c.Kernel, x, kind == LayerKind.AdaptiveMaxPool),
            };

        private static readonly LayerRule[] ByKind = ByKindTable();

        private static LayerRule[] ByKindTable()
        {
            var table = new LayerRule[Enum.GetValues(typeof(LayerKind)).Length];
            foreach (var rule in All) table[(int)rule.Kind] = rule;
            return table;
        }

        /// <summary>The rule of a layer kind.</summary>
        public static LayerRule Of(LayerKind kind) => ByKind[(int)kind];
    }
}
