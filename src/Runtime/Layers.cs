using System;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>torchvision's StochasticDepth in "row" mode: in training, each sample's branch is dropped with
    /// probability p and the survivors are scaled by 1/(1-p); in evaluation it is the identity.</summary>
    public sealed class StochasticDepth : nn.Module<Tensor, Tensor>
    {
        private readonly double _p;
        // Held for the module's life: TorchSharp does not keep a Scalar converted from a number alive through its
        // native call (docs/reliability.md).
        private readonly Scalar _survival;

        public StochasticDepth(double p) : base(nameof(StochasticDepth))
        {
            if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), "A drop probability must lie in [0, 1]");
            _p = p;
            _survival = 1.0 - p;
        }

        public override Tensor forward(Tensor input)
        {
            if (!training || _p == 0.0) return input.alias();
            using var scope = torch.NewDisposeScope();
            double survival = 1.0 - _p;
            var noiseShape = new long[input.dim()];
            noiseShape[0] = input.shape[0];
            for (int i = 1; i < noiseShape.Length; i++) noiseShape[i] = 1;
            var noise = torch.empty(noiseShape, input.dtype, input.device).bernoulli_(survival);
            if (survival > 0.0) noise.div_(_survival);
            return input.mul(noise).MoveToOuterDisposeScope();
        }
    }

    /// <summary>torchvision's LayerNorm2d: layer normalisation over the channels of an [N, C, H, W] map at every
    /// position (the map made channels-last, normalised over its last dimension, and made channels-first again).
    /// Its parameters are <c>weight</c> and <c>bias</c>, as nn.LayerNorm's.</summary>
    public sealed class LayerNorm2d : nn.Module<Tensor, Tensor>
    {
        private readonly long[] _normalized;
        private readonly double _eps;
#pragma warning disable IDE1006 // the parameters' names are their state-dict keys
        private readonly TorchSharp.Modules.Parameter weight;
        private readonly TorchSharp.Modules.Parameter bias;
#pragma warning restore IDE1006

        public LayerNorm2d(long channels, double eps = 1e-5) : base(nameof(LayerNorm2d))
        {
            if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), "A layer norm needs at least one channel");
            if (!(eps > 0) || double.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), "eps must be a finite number greater than 0");
            _normalized = new[] { channels };
            _eps = eps;
            weight = new TorchSharp.Modules.Parameter(torch.ones(channels));
            bias = new TorchSharp.Modules.Parameter(torch.zeros(channels));
            register_parameter(nameof(weight), weight);
            register_parameter(nameof(bias), bias);
        }

        protected override void RegisterComponents() { }

        public override Tensor forward(Tensor input)
        {
            if (input.dim() != 4) throw new ArgumentException("LayerNorm2d needs an [N, C, H, W] input, not " + input.dim() + " dimensions");
            using var scope = torch.NewDisposeScope();
            var normalised = nn.functional.layer_norm(input.permute(0, 2, 3, 1), _normalized, get_parameter(nameof(weight)), get_parameter(nameof(bias)), _eps);
            return normalised.permute(0, 3, 1, 2).MoveToOuterDisposeScope();
        }
    }

    /// <summary>torchvision's Permute: reorders the dimensions of its input (channels_last is (0, 2, 3, 1),
    /// channels_first (0, 3, 1, 2)).</summary>
    public sealed class Permute : nn.Module<Tensor, Tensor>
    {
        private readonly long[] _dims;

        public Permute(params long[] dims) : base(nameof(Permute)) => _dims = dims;

        public override Tensor forward(Tensor input) => input.permute(_dims);
    }

    /// <summary>The mean over the channels, kept as one channel: [N, C, H, W] to [N, 1, H, W] (CBAM's spatial attention).</summary>
    public sealed class ChannelMean : nn.Module<Tensor, Tensor>
    {
        public ChannelMean() : base(nameof(ChannelMean)) { }

        public override Tensor forward(Tensor input) => input.mean(new long[] { 1 }, true);
    }

    /// <summary>The maximum over the channels, kept as one channel: [N, C, H, W] to [N, 1, H, W] (CBAM's spatial attention).</summary>
    public sealed class ChannelMax : nn.Module<Tensor, Tensor>
    {
        public ChannelMax() : base(nameof(ChannelMax)) { }

        public override Tensor forward(Tensor input) => input.amax(new long[] { 1 }, true);
    }

    /// <summary>Up-sampling of a map by integer factors (the language's <c>upsample</c> and <c>upsample_bilinear</c>):
    /// [N, C, H, W] to [N, C, H*fh, W*fw], nearest neighbour or bilinear, align_corners as PyTorch's
    /// <c>nn.Upsample</c>. A class of its own so that both targets construct it the same way.</summary>
    public sealed class Upsample2d : nn.Module<Tensor, Tensor>
    {
        private readonly double[] _factor;
        private readonly InterpolationMode _mode;
        private readonly bool? _alignCorners;

        public Upsample2d(string mode, long factorH, long factorW, bool align_corners = false) : base(nameof(Upsample2d))
        {
            if (factorH < 1 || factorW < 1) throw new ArgumentOutOfRangeException(nameof(factorH), "An up-sampling factor must be at least 1");
            _factor = new double[] { factorH, factorW };
            _mode = mode switch
            {
                "nearest" => InterpolationMode.Nearest,
                "bilinear" => InterpolationMode.Bilinear,
                _ => throw new ArgumentException("Unknown up-sampling mode '" + mode + "' (nearest or bilinear)", nameof(mode)),
            };
            if (align_corners && _mode != InterpolationMode.Bilinear) throw new ArgumentException("align_corners applies to bilinear up-sampling only", nameof(align_corners));
            _alignCorners = _mode == InterpolationMode.Bilinear ? align_corners : null;
        }

        public override Tensor forward(Tensor input) =>
            nn.functional.interpolate(input, scale_factor: _factor, mode: _mode, align_corners: _alignCorners);

        /// <summary>Up-sampling to another tensor's size (the language's <c>upsample(to: t)</c>): [N, C, H, W] to
        /// [N, C, Ht, Wt], the height and width <paramref name="like"/> has when this runs, nearest or bilinear, as
        /// PyTorch's <c>interpolate(x, size=t.shape[-2:], …)</c>. No module: nothing to register.</summary>
        public static Tensor To(Tensor input, Tensor like, string mode, bool align_corners = false)
        {
            if (input.dim() != 4 || like.dim() != 4)
                throw new ArgumentException("Up-sampling to another tensor's size needs [N, C, H, W] tensors, not " + input.dim() + "-d and " + like.dim() + "-d ones");
            var interpolation = mode switch
            {
                "nearest" => InterpolationMode.Nearest,
                "bilinear" => InterpolationMode.Bilinear,
                _ => throw new ArgumentException("Unknown up-sampling mode '" + mode + "' (nearest or bilinear)", nameof(mode)),
            };
            if (align_corners && interpolation != InterpolationMode.Bilinear) throw new ArgumentException("align_corners applies to bilinear up-sampling only", nameof(align_corners));
            return nn.functional.interpolate(input, size: new[] { like.shape[2], like.shape[3] }, mode: interpolation,
                align_corners: interpolation == InterpolationMode.Bilinear ? align_corners : null);
        }
    }

    /// <summary>Tensor operations the structural constructs need.</summary>
    public static class ArchOps
    {
        /// <summary>Moves each of a forward's outputs to the dispose scope outside the forward's own, each tensor once
        /// (a named output may be the main output itself, or another named output).</summary>
        public static void MoveOut(params Tensor?[] outputs)
        {
            var moved = new System.Collections.Generic.HashSet<Tensor>(System.Collections.Generic.ReferenceEqualityComparer.Instance);
            foreach (var t in outputs)
                if (t is not null && moved.Add(t)) t.MoveToOuterDisposeScope();
        }

        /// <summary>Disposes every tensor of <paramref name="others"/> but <paramref name="keep"/> (each once) and returns
        /// <paramref name="keep"/>: a plain forward of a network with several outputs returns the main one alone.</summary>
        public static Tensor KeepOnly(Tensor keep, params Tensor?[] others)
        {
            var disposed = new System.Collections.Generic.HashSet<Tensor>(System.Collections.Generic.ReferenceEqualityComparer.Instance) { keep };
            foreach (var t in others)
                if (t is not null && disposed.Add(t)) t.Dispose();
            return keep;
        }

        /// <summary>Runs <paramref name="layers"/> in order on <paramref name="input"/> and frees each intermediate
        /// result as soon as the next layer has read it, as Python frees an activation when its last reference goes
        /// (a dispose scope alone keeps every one until the forward returns). Only tensors made inside this call are
        /// freed: the input, and a result a layer hands back unchanged (an in-place activation), are left alone.
        /// Autograd holds its own references, so training is unaffected.</summary>
        public static Tensor Sequence(Tensor input, params nn.Module<Tensor, Tensor>[] layers) =>
            Sequence(input, (System.Collections.Generic.IEnumerable<nn.Module<Tensor, Tensor>>)layers);

        /// <inheritdoc cref="Sequence(Tensor, nn.Module{Tensor, Tensor}[])"/>
        /// <param name="freeInput">The input too is the caller's temporary (DenseNet's per-layer concatenation): free it
        /// once the first layer that makes a new tensor has read it.</param>
        public static Tensor Sequence(Tensor input, System.Collections.Generic.IEnumerable<nn.Module<Tensor, Tensor>> layers, bool freeInput = false)
        {
            var x = input;
            foreach (var layer in layers)
            {
                var next = layer.call(x);
                if ((freeInput || !ReferenceEquals(x, input)) && !ReferenceEquals(next, x)) x.Dispose();
                x = next;
            }
            return x;
        }

        /// <summary>The residual sum: <paramref name="branch"/> + <paramref name="shortcut"/>. Outside autograd (inference
        /// under no_grad, frozen weights) the shortcut is added into the branch's result in place, as torchvision's
        /// <c>out += identity</c>, so a block holds one activation fewer at its peak. With gradients it makes a new tensor:
        /// the layer that made the branch's result may need it for backward. The emitter calls this only for branches
        /// whose result is their own memory (they ran a conv, linear or batch norm), never a view of the block's input, and
        /// only where the generator could not prove that the branch's result may be overwritten under autograd too (a
        /// branch ending in a conv, linear or batch norm read by nothing else gets <c>x.add_(shortcut)</c> instead).</summary>
        public static Tensor AddShortcut(Tensor branch, Tensor shortcut) =>
            branch.requires_grad || ReferenceEquals(branch, shortcut) ? branch.add(shortcut) : branch.add_(shortcut);

        /// <summary>Pads the channel dimension with zeros up to <paramref name="channels"/> (zero-padded identity shortcut).</summary>
        public static Tensor ZeroPadChannels(Tensor x, long channels)
        {
            long have = x.shape[1];
            if (have == channels) return x;
            if (have > channels) throw new ArgumentException("A zero-padded shortcut cannot remove channels (" + have + " to " + channels + ")");
            // functional.pad lists its amounts from the last dimension back: W, H, then C (front, back).
            return nn.functional.pad(x, new long[] { 0, 0, 0, 0, 0, channels - have });
        }

        /// <summary>A learnable per-channel tensor filled with <paramref name="init"/>: [C, 1, 1] for a channels-first map
        /// (it broadcasts over the positions), [C] for a flat or channels-last input.</summary>
        public static TorchSharp.Modules.Parameter Learnable(FeatureShape shape, double init)
        {
            var size = shape.Flat || shape.ChannelsLast ? new[] { shape.Channels } : new[] { shape.Channels, 1L, 1L };
            return new TorchSharp.Modules.Parameter(torch.full(size, init));
        }

        /// <summary>Sets a layer's bias to <paramref name="value"/> (a conv or linear with <c>bias_init</c>).</summary>
        public static T InitBias<T>(T layer, double value) where T : nn.Module
        {
            foreach (var (name, p) in layer.named_parameters(recurse: false))
            {
                if (name != "bias") continue;
                nn.init.constant_(p, value);
                return layer;
            }
            throw new ArgumentException("The layer has no bias to initialise");
        }

        /// <summary>Chunk <paramref name="index"/> of <paramref name="count"/> equal channel chunks.</summary>
        public static Tensor ChannelChunk(Tensor x, long index, long count)
        {
            long size = x.shape[1] / count;
            return x.narrow(1, index * size, size);
        }
    }
}
