using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>
    /// A strided 1×1 convolution without padding reads only every stride-th pixel, so it equals the same convolution
    /// at stride 1 on the subsampled input — forward and backward, to the last bit of the arithmetic it does.
    /// Generated networks run their strided 1×1 convolutions that way (ResNet's downsampling shortcuts, SENet's strided
    /// first 1×1) because libtorch 2.10's oneDNN crashes the process with a division by zero (SIGFPE in
    /// <c>brgemm_convolution_bwd_utils::brg_blocking_t::est_eff_1x1</c>) when it computes the input gradient of some
    /// strided 1×1 convolutions on AVX-512 CPUs (e.g. 512→1024 channels at 28×28, any batch and thread count), which
    /// makes training ResNet-50 impossible there. The module keeps its weights and state-dict keys; only its stride
    /// becomes 1 and a forward pre-hook subsamples its input.
    /// </summary>
    public static class StridedPointwise
    {
        /// <summary>Rewrites every strided, unpadded 1×1 <see cref="Conv2d"/> under <paramref name="module"/> (itself
        /// included) as subsampling followed by the stride-1 convolution; returns how many were rewritten.</summary>
        public static int SubsampleFirst(nn.Module module)
        {
            int rewritten = 0;
            foreach (var conv in module.modules().Prepend(module).OfType<Conv2d>().Distinct())
            {
                var (kernel, stride, padding) = (conv.kernel_size, conv.stride, conv.padding);
                if (kernel.Any(k => k != 1) || stride.All(s => s == 1) || padding is null || padding.Any(p => p != 0)) continue;
                long sh = stride[0], sw = stride[1];
                conv.stride = new[] { 1L, 1L };
                conv.register_forward_pre_hook((_, x) => x.slice(-2, 0, x.shape[^2], sh).slice(-1, 0, x.shape[^1], sw));
                rewritten++;
            }
            return rewritten;
        }
    }
}
