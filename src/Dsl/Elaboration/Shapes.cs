using System;

namespace ArchDsl.Elaboration
{
    /// <summary>Output sizes of the primitive layers (PyTorch's formulas). Returns null and a reason when the
    /// layer cannot apply to the input; throws <see cref="OverflowException"/> when a size, element count or
    /// receptive field does not fit in 64 bits (the elaborator reports it at the layer).</summary>
    public static class Shapes
    {
        public static long ConvOut(long size, long kernel, long stride, long padding, long dilation) => ArchMath.ConvOut(size, kernel, stride, padding, dilation);

        public static long PoolOut(long size, long kernel, long stride, long padding, bool ceilMode) => ArchMath.PoolOut(size, kernel, stride, padding, ceilMode);

        public enum Problem { None, NeedsSpatial, NeedsFlat, Groups, Shrinks, BadArgument, NeedsChannelsFirst }

        /// <summary>Applies a primitive to a feature (its rule in <see cref="Layers.LayerTable"/>). <paramref name="detail"/>
        /// explains a problem. The configuration's arguments have passed the rule's <c>Check</c> (every argument range
        /// is checked there, once, and reported naming the argument and its value).</summary>
        public static Feature? Apply(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            var rule = Layers.LayerTable.Of(c.Kind);
            if (x.ChannelsLast && !rule.AcceptsChannelsLast)
            {
                problem = Problem.NeedsChannelsFirst;
                detail = "";
                return null;
            }
            return rule.Shape(c, x, out problem, out detail);
        }

        public static Feature? Conv(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            problem = Problem.None;
            detail = "";
            if (x.Flat) { problem = Problem.NeedsSpatial; return null; }
            if (x.Channels % c.Groups != 0) { problem = Problem.Groups; detail = "input:" + x.Channels; return null; }
            if (c.Out % c.Groups != 0) { problem = Problem.Groups; detail = "output:" + c.Out; return null; }
            long h = ConvOut(x.Height, c.Kernel.H, c.Stride.H, c.Padding.H, c.Dilation.H);
            long w = ConvOut(x.Width, c.Kernel.W, c.Stride.W, c.Padding.W, c.Dilation.W);
            return Spatial(x, c.Out, h, w, checked(Math.Max((c.Kernel.H - 1) * c.Dilation.H, (c.Kernel.W - 1) * c.Dilation.W)), Math.Max(c.Stride.H, c.Stride.W), out problem);
        }

        public static Feature? Pool(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            problem = Problem.None;
            detail = "";
            if (x.Flat) { problem = Problem.NeedsSpatial; return null; }
            long h = PoolOut(x.Height, c.Kernel.H, c.Stride.H, c.Padding.H, c.CeilMode);
            long w = PoolOut(x.Width, c.Kernel.W, c.Stride.W, c.Padding.W, c.CeilMode);
            return Spatial(x, x.Channels, h, w, Math.Max(c.Kernel.H, c.Kernel.W) - 1, Math.Max(c.Stride.H, c.Stride.W), out problem);
        }

        public static Feature? Adaptive(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            problem = Problem.None;
            detail = "";
            if (x.Flat) { problem = Problem.NeedsSpatial; return null; }
            // The receptive field of a global pooling output covers the whole input.
            return x with { Height = c.Kernel.H, Width = c.Kernel.W, Field = Reach(x.Field, x.Height - 1, x.Jump), Jump = ArchMath.SaturatingMultiply(x.Jump, Math.Max(1, x.Height / Math.Max(1, c.Kernel.H))) };
        }

        public static Feature? Linear(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            problem = Problem.None;
            detail = "";
            if (!x.Flat && !x.ChannelsLast) { problem = Problem.NeedsFlat; return null; }
            return x with { Channels = c.Out };
        }

        public static Feature? Flatten(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            problem = Problem.None;
            detail = "";
            return x.Flat ? x : new Feature(x.Elements, 1, 1, true, x.Field, x.Jump);
        }

        public static Feature? Shuffle(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            problem = Problem.None;
            detail = "";
            if (x.Flat) { problem = Problem.NeedsSpatial; return null; }
            if (x.Channels % c.Groups != 0) { problem = Problem.Groups; detail = "input:" + x.Channels; return null; }
            return x;
        }

        /// <summary>A reduction over the channels (mean or maximum): one channel of the same size.</summary>
        public static Feature? ChannelReduction(LayerConfig c, Feature x, out Problem problem, out string detail)
        {
            detail = "";
            problem = x.Flat ? Problem.NeedsSpatial : Problem.None;
            return x.Flat ? null : x with { Channels = 1 };
        }

        /// <summary>The receptive field after a window reaching <paramref name="extent"/> positions <paramref name="jump"/>
        /// pixels apart. Fields and jumps saturate at <see cref="long.MaxValue"/> ("the whole input and more": repeated
        /// global poolings, as in squeeze-and-excitation, multiply the jump without bound); they are never wrapped.</summary>
        private static long Reach(long field, long extent, long jump) =>
            ArchMath.SaturatingAdd(field, ArchMath.SaturatingMultiply(Math.Max(0, extent), jump));

        private static Feature? Spatial(Feature x, long channels, long h, long w, long extent, long stride, out Problem problem)
        {
            problem = Problem.None;
            if (h < 1 || w < 1) { problem = Problem.Shrinks; return null; }
            return new Feature(channels, h, w, false, Reach(x.Field, extent, x.Jump), ArchMath.SaturatingMultiply(x.Jump, stride));
        }
    }
}
