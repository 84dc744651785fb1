using System;
using System.Collections.Immutable;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using static ArchDsl.Layers.Recipes;

namespace ArchDsl.Layers
{
    /// <summary>Layers that normalise or scale along the channels, and the two layout changes that let a
    /// <c>linear</c> act on the channels of a feature map (torchvision's ConvNeXt block).</summary>
    public static partial class LayerTable
    {
        private static ImmutableArray<LayerRule> ChannelRules() => ImmutableArray.Create(
            Rule("layernorm", LayerKind.LayerNorm, "layer normalisation over the last dimension: a flat input, or the channels of a channels-last map",
                new[] { P("eps", ArgKind.Float, 1e-5) },
                (a, x) => new LayerConfig(LayerKind.LayerNorm, InChannels: x.Channels, Out: x.Channels, Eps: a.Real("eps")),
                LastDimension,
                Module("LayerNorm", "LayerNorm", Input(), A("eps", keyword: "eps", frameworkDefault: true, real: true)))
            with
            {
                HasState = true, AcceptsChannelsLast = true, Check = PositiveEps, State = AffineState, Describe = c => "layernorm " + c.Out,
                Onnx = (c, x) => Node("LayerNormalization", X, State("weight"), State("bias")).With("axis", -1L).With("epsilon", c.Eps),
            },
            Rule("layernorm2d", LayerKind.LayerNorm2d, "layer normalisation over the channels of a [C, H, W] map at every position (torchvision's LayerNorm2d)",
                new[] { P("eps", ArgKind.Float, 1e-5) },
                (a, x) => new LayerConfig(LayerKind.LayerNorm2d, InChannels: x.Channels, Out: x.Channels, Eps: a.Real("eps")),
                KeepSpatial,
                new ModuleConstruction("LayerNorm2d", "LayerNorm2d", "_LayerNorm2d",
                    ImmutableArray.Create(Input(ArgForm.SpatialChannels), A("eps", keyword: "eps", real: true)), RuntimeClass: true))
            with
            {
                HasState = true, Check = PositiveEps, State = AffineState, Describe = c => "layernorm2d " + c.Out,
                // torchvision's LayerNorm2d: channels-last, normalised over the last axis, channels-first again.
                Onnx = (c, x) => Nodes(
                    Node("Transpose", X).With("perm", 0, 2, 3, 1).Named("channels_last", x with { ChannelsLast = true }),
                    Node("LayerNormalization", Result("channels_last"), State("weight"), State("bias")).With("axis", -1L).With("epsilon", c.Eps)
                        .Named("normalised", x with { ChannelsLast = true }),
                    Node("Transpose", Result("normalised")).With("perm", 0, 3, 1, 2)),
            },
            Rule("channels_last", LayerKind.ChannelsLast, "[C, H, W] to [H, W, C] (torchvision's Permute([0, 2, 3, 1]))", Array.Empty<PrimitiveParameter>(),
                (_, x) => new LayerConfig(LayerKind.ChannelsLast, InChannels: x.Channels),
                (LayerConfig c, Feature x, out Shapes.Problem problem, out string detail) => Layout(x, true, out problem, out detail),
                new ModuleConstruction("Permute", "Permute", "_Permute", ImmutableArray<EmittedArgument>.Empty, RuntimeClass: true) with { Fixed = "0, 2, 3, 1" },
                Track("ToChannelsLast"))
            with { Onnx = (_, _) => Node("Transpose", X).With("perm", 0, 2, 3, 1) },
            Rule("channels_first", LayerKind.ChannelsFirst, "[H, W, C] back to [C, H, W] (torchvision's Permute([0, 3, 1, 2]))", Array.Empty<PrimitiveParameter>(),
                (_, x) => new LayerConfig(LayerKind.ChannelsFirst, InChannels: x.Channels),
                (LayerConfig c, Feature x, out Shapes.Problem problem, out string detail) => Layout(x, false, out problem, out detail),
                new ModuleConstruction("Permute", "Permute", "_Permute", ImmutableArray<EmittedArgument>.Empty, RuntimeClass: true) with { Fixed = "0, 3, 1, 2" },
                Track("ToChannelsFirst"))
            with { AcceptsChannelsLast = true, Onnx = (_, _) => Node("Transpose", X).With("perm", 0, 3, 1, 2) },
            Rule("scale", LayerKind.Scale, "a learnable tensor, one value per channel starting at init, that multiplies its input (ConvNeXt's layer scale)",
                new[] { P("init", ArgKind.Float, 1.0) },
                (a, x) => new LayerConfig(LayerKind.Scale, InChannels: x.Channels, Out: x.Channels, Alpha: a.Real("init"), Flat: x.Flat || x.ChannelsLast),
                Keep,
                new ModuleConstruction("", "", "", ImmutableArray.Create(A("init", real: true))))
            with
            {
                HasState = true,
                IsParameter = true,
                AcceptsChannelsLast = true,
                Check = c => Finite(("init", c.Alpha)),
                // [C, 1, 1] broadcasts over a channels-first map; [C] over a flat vector or a channels-last map.
                State = (path, c) => ImmutableArray.Create(new StateEntry(path, c.Flat ? ImmutableArray.Create(c.Out) : ImmutableArray.Create(c.Out, 1L, 1L), false)
                    { Init = StateInit.Constant(c.Alpha) }),
                Describe = c => "scale " + c.Out,
                // The learnable tensor is the layer's one state entry, keyed by its own path.
                Onnx = (_, _) => Node("Mul", X, State("")),
            });

        private static (string, string, string)? PositiveEps(LayerConfig c) =>
            !(c.Eps > 0) || double.IsInfinity(c.Eps) ? ("eps", "a finite number greater than 0", Real(c.Eps)) : null;

        private static ImmutableArray<StateEntry> AffineState(string path, LayerConfig c) => ImmutableArray.Create(
            new StateEntry(path + ".weight", ImmutableArray.Create(c.Out), false) { Init = StateInit.Ones },
            new StateEntry(path + ".bias", ImmutableArray.Create(c.Out), false) { Init = StateInit.Zeros });

        private static Feature? LastDimension(LayerConfig c, Feature x, out Shapes.Problem problem, out string detail)
        {
            problem = Shapes.Problem.None;
            detail = "";
            if (x.Flat || x.ChannelsLast) return x;
            problem = Shapes.Problem.BadArgument;
            detail = "'layernorm' normalises the last dimension, and " + x + " is channels-first: use 'layernorm2d' to normalise its channels, or 'channels_last' first";
            return null;
        }

        private static Feature? Layout(Feature x, bool toLast, out Shapes.Problem problem, out string detail)
        {
            problem = Shapes.Problem.None;
            detail = "";
            if (x.Flat) { problem = Shapes.Problem.NeedsSpatial; return null; }
            if (x.ChannelsLast == toLast)
            {
                problem = Shapes.Problem.BadArgument;
                detail = (toLast ? "'channels_last' needs a channels-first map but gets the channels-last " : "'channels_first' needs a channels-last map but gets the channels-first ") + x;
                return null;
            }
            return x with { ChannelsLast = toLast };
        }
    }
}
