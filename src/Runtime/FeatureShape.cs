using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ArchDsl.Runtime
{
    /// <summary>The shape of one sample, [C, H, W] (or [C] once flattened). Generated constructors thread it
    /// through the layers to infer every layer's input channels, with the same formulas as the front end.</summary>
    public readonly record struct FeatureShape(long Channels, long Height, long Width, bool Flat = false, bool ChannelsLast = false)
    {
        public long Elements => Flat ? Channels : ArchMath.Multiply(ArchMath.Multiply(Channels, Height), Width);

        public long[] ToArray() => Flat ? new[] { Channels } : ChannelsLast ? new[] { Height, Width, Channels } : new[] { Channels, Height, Width };

        /// <summary>[C, H, W] laid out [H, W, C] (torchvision's Permute([0, 2, 3, 1])).</summary>
        public FeatureShape ToChannelsLast()
        {
            RequireSpatial("channels_last");
            return this with { ChannelsLast = true };
        }

        /// <summary>[H, W, C] back to [C, H, W] (torchvision's Permute([0, 3, 1, 2])).</summary>
        public FeatureShape ToChannelsFirst()
        {
            if (!ChannelsLast) throw new ArgumentException("channels_first needs a channels-last map, not " + this);
            return this with { ChannelsLast = false };
        }

        public override string ToString() => "[" + string.Join(", ", ToArray().Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

        public FeatureShape WithChannels(long channels) => this with { Channels = channels };

        public FeatureShape Conv(long outChannels, long kernelH, long kernelW, long strideH, long strideW,
            long paddingH, long paddingW, long dilationH, long dilationW, long groups)
        {
            RequireSpatial("conv");
            if (groups < 1 || Channels % groups != 0 || outChannels % groups != 0)
                throw new ArgumentException("conv: groups = " + groups + " must divide the input channels (" + Channels + ") and the output channels (" + outChannels + ")");
            return Sized("conv", outChannels,
                ArchMath.ConvOut(Height, kernelH, strideH, paddingH, dilationH),
                ArchMath.ConvOut(Width, kernelW, strideW, paddingW, dilationW));
        }

        /// <summary>A square convolution: the same kernel, stride, padding and dilation along both axes.</summary>
        public FeatureShape Conv(long outChannels, long kernel, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
            Conv(outChannels, kernel, kernel, stride, stride, padding, padding, dilation, dilation, groups);

        /// <summary>Square pooling; the stride defaults to the kernel, as in PyTorch.</summary>
        public FeatureShape Pool(long kernel, long? stride = null, long padding = 0, bool ceilMode = false) =>
            Pool(kernel, kernel, stride ?? kernel, stride ?? kernel, padding, padding, ceilMode);

        public FeatureShape Pool(long kernelH, long kernelW, long strideH, long strideW, long paddingH, long paddingW, bool ceilMode)
        {
            RequireSpatial("pooling");
            return Sized("pooling", Channels,
                ArchMath.PoolOut(Height, kernelH, strideH, paddingH, ceilMode),
                ArchMath.PoolOut(Width, kernelW, strideW, paddingW, ceilMode));
        }

        public FeatureShape Adaptive(long height, long width)
        {
            RequireSpatial("adaptive pooling");
            return this with { Height = height, Width = width };
        }

        /// <summary>Up-sampling by integer factors (upsample, upsample_bilinear): [C, H*fh, W*fw].</summary>
        public FeatureShape Upsample(long factorH, long factorW)
        {
            RequireSpatial("up-sampling");
            if (factorH < 1 || factorW < 1) throw new ArgumentException("up-sampling: a factor must be at least 1, not " + Math.Min(factorH, factorW));
            return this with { Height = checked(Height * factorH), Width = checked(Width * factorW) };
        }

        /// <summary>Up-sampling to another map's size (upsample(to: t)): [C, Ht, Wt], channels kept.</summary>
        public FeatureShape ResizedTo(FeatureShape like)
        {
            RequireSpatial("up-sampling");
            like.RequireSpatial("up-sampling");
            return this with { Height = like.Height, Width = like.Width };
        }

        public FeatureShape Flatten() => Flat ? this : new FeatureShape(Elements, 1, 1, true);

        public FeatureShape Linear(long outFeatures)
        {
            if (!Flat && !ChannelsLast) throw new ArgumentException("linear needs a flat or channels-last input, not " + this);
            return this with { Channels = outFeatures };
        }

        /// <summary>A reduction over the channels (channel_mean, channel_max): one channel of the same size.</summary>
        public FeatureShape Reduce()
        {
            RequireSpatial("a channel reduction");
            return this with { Channels = 1 };
        }

        public FeatureShape Spatial(string layer)
        {
            RequireSpatial(layer);
            return this;
        }

        /// <summary>Channel-wise concatenation; spatial sizes must agree.</summary>
        public static FeatureShape Concat(IReadOnlyList<FeatureShape> parts)
        {
            var first = parts[0];
            long channels = 0;
            foreach (var p in parts)
            {
                if (p.Flat != first.Flat || p.ChannelsLast || p.Height != first.Height || p.Width != first.Width)
                    throw new ArgumentException("concat: spatial sizes differ, " + first + " and " + p);
                channels = ArchMath.Add(channels, p.Channels);
            }
            return first with { Channels = channels };
        }

        /// <summary>The shape of an element-wise sum or product (broadcasting sizes of 1 for products).</summary>
        public static FeatureShape Broadcast(FeatureShape a, FeatureShape b, bool allowBroadcast)
        {
            bool Fits(long x, long y) => x == y || (allowBroadcast && (x == 1 || y == 1));
            if (a.Flat != b.Flat || a.ChannelsLast != b.ChannelsLast || !Fits(a.Channels, b.Channels) || !Fits(a.Height, b.Height) || !Fits(a.Width, b.Width))
                throw new ArgumentException("element-wise merge: shapes " + a + " and " + b + " do not match");
            return new FeatureShape(Math.Max(a.Channels, b.Channels), Math.Max(a.Height, b.Height), Math.Max(a.Width, b.Width), a.Flat, a.ChannelsLast);
        }

        private void RequireSpatial(string layer)
        {
            if (Flat) throw new ArgumentException(layer + " needs a [C, H, W] input, not the flat " + this);
            if (ChannelsLast) throw new ArgumentException(layer + " needs a channels-first input, not the channels-last " + this);
        }

        private FeatureShape Sized(string layer, long channels, long height, long width)
        {
            if (height < 1 || width < 1)
                throw new ArgumentException(layer + " shrinks " + this + " below 1x1");
            return new FeatureShape(channels, height, width);
        }
    }

    /// <summary>A generated module that knows its output shape for the input it was built for.</summary>
    public interface IArchModule
    {
        FeatureShape OutputShape { get; }
    }

    /// <summary>Names the children of one container the way nn.Sequential does: a child without a name gets
    /// its position, counting every child before it.</summary>
    public sealed class ChildNames
    {
        private readonly HashSet<string> _used = new HashSet<string>(StringComparer.Ordinal);
        private int _count;

        public string Next(string? name = null)
        {
            var key = name ?? _count.ToString(CultureInfo.InvariantCulture);
            if (!_used.Add(key)) throw new ArgumentException("Two children share the name '" + key + "'");
            _count++;
            return key;
        }
    }
}
