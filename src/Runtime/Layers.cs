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

        public StochasticDepth(double p) : base(nameof(StochasticDepth))
        {
            if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), "A drop probability must lie in [0, 1]");
            _p = p;
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
            if (survival > 0.0) noise.div_(survival);
            return input.mul(noise).MoveToOuterDisposeScope();
        }
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

    /// <summary>Tensor operations the structural constructs need.</summary>
    public static class ArchOps
    {
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
        /// whose result is their own memory (they ran a conv, linear or batch norm), never a view of the block's input.</summary>
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
