using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>
    /// How tensor memory is held: <see cref="Retain"/> lets the process keep the memory of freed tensors for the next
    /// forward pass instead of handing it back to the operating system after every pass (Linux with glibc only);
    /// <see cref="ToChannelsLast"/> lays a model's convolution weights out channels-last (N, H, W, C in memory).
    /// </summary>
    /// <remarks>
    /// <para>
    /// libtorch's CPU tensors come from the C library's <c>malloc</c>. glibc serves blocks above its mmap threshold
    /// (dynamic, at most 32 MiB) with a fresh <c>mmap</c> and unmaps them on <c>free</c>, and it returns the top of
    /// its heap to the system once more than the trim threshold is free. A forward pass allocates and frees
    /// activations of up to tens of MiB each, so every pass maps them again and touches every page of them for the
    /// first time: the kernel zero-fills each page on a fault. <see cref="Retain"/> sets glibc's parameters through
    /// <c>mallopt</c> (the TorchSharp package is used as is): no <c>mmap</c> for large blocks
    /// (<c>M_MMAP_MAX</c> = 0; raising <c>M_MMAP_THRESHOLD</c> alone is not enough, glibc caps it at 32 MiB and
    /// MobileNet V2's largest activations at batch 8 are 38 MiB), the threshold set explicitly at its maximum (which
    /// also stops glibc from lowering the trim threshold by itself), and no trimming (<c>M_TRIM_THRESHOLD</c> at
    /// <see cref="int.MaxValue"/>). Freed activations then stay mapped and are reused by the next pass.
    /// </para>
    /// <para>
    /// Measured effect (libtorch 2.10, one intra-op thread, generated classes with torchvision's weights, eval +
    /// no_grad, CPU-time medians on a 2-core virtual machine under a load average of about 20; docs/performance.md):
    /// MobileNet V2 batch 8 from 1,157 ms to 135 ms and batch 1 from 79 to 23 ms; ResNet-50 batch 8 from 1,305 to
    /// 881 ms, batch 1 unchanged (124 against 131 ms, within the noise).
    /// </para>
    /// <para>
    /// Caveats. The memory a pass needed stays with the process (resident, not returned to the system) until it
    /// exits: what a server gains in latency it pays in resident memory at its peak. The settings are process-wide
    /// but only the main arena (the heap of the process's first thread, grown with <c>brk</c>) can hold blocks of
    /// any size; a thread that allocates from another arena (glibc gives threads their own arenas: a thread-pool
    /// thread running inference, libtorch's intra-op threads) works in 64 MiB heaps, and a block that does not fit
    /// one is still mapped and unmapped each time (MobileNet V2 at batch 8 run on a new thread kept the gain, 121 ms:
    /// its largest block, 38 MiB, fits; larger batches or inputs would not). Start the process with <c>MALLOC_ARENA_MAX=1</c> to put every
    /// thread on the main arena (at the price of contention between threads that allocate at once). Settings made
    /// here apply from now on; blocks already mapped are unmapped when freed. The same settings can be given without
    /// code at process start: <c>GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647</c>.
    /// </para>
    /// <para>
    /// The runtime applies the setting by itself when the process starts with
    /// <c>ARCHDSL_TENSOR_MEMORY=retain</c> (<see cref="Variable"/>), as soon as the runtime assembly is first used
    /// (before a generated network builds its first layer).
    /// </para>
    /// </remarks>
    public static class TensorMemory
    {
        /// <summary>The environment variable read when the runtime loads; <c>retain</c> calls <see cref="Retain"/>.</summary>
        public const string Variable = "ARCHDSL_TENSOR_MEMORY";

        // glibc's malloc.h parameter numbers for mallopt.
        private const int M_TRIM_THRESHOLD = -1;
        private const int M_MMAP_THRESHOLD = -3;
        private const int M_MMAP_MAX = -4;

        // glibc refuses an mmap threshold above half its heap size: 32 MiB on 64-bit systems.
        private const int MaxMmapThreshold64 = 32 * 1024 * 1024;

        private static readonly object Gate = new();

        /// <summary>True once <see cref="Retain"/> has changed glibc's parameters in this process.</summary>
        public static bool Retained { get; private set; }

        /// <summary>
        /// Tells glibc to keep freed memory in the process (see the remarks); idempotent. Returns true when the setting
        /// is in effect; false, doing nothing, off Linux, on a C library other than glibc (e.g. musl), on a 32-bit
        /// process, or when glibc refused a parameter.
        /// </summary>
        public static bool Retain()
        {
            lock (Gate)
            {
                if (Retained) return true;
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || IntPtr.Size != 8 || !IsGlibc()) return false;
                // Threshold first: an explicit value switches glibc's dynamic thresholds off, so that freeing a
                // mapped block can no longer lower the trim threshold set next.
                bool ok = mallopt(M_MMAP_THRESHOLD, MaxMmapThreshold64) == 1
                    & mallopt(M_TRIM_THRESHOLD, int.MaxValue) == 1
                    & mallopt(M_MMAP_MAX, 0) == 1;
                Retained = ok;
                return ok;
            }
        }

        /// <summary>
        /// Puts every 4-D parameter of <paramref name="module"/> (convolution weights) into channels-last layout, in
        /// place, keeping each parameter object: the same shape N, C, H, W with the strides of an N, H, W, C array,
        /// which is what PyTorch's <c>model.to(memory_format=torch.channels_last)</c> does (TorchSharp 0.107 has no
        /// memory-format overload of <c>to</c> or <c>contiguous</c>). Returns how many parameters were converted.
        /// </summary>
        /// <remarks>
        /// <para>
        /// libtorch 2.10 then runs the convolutions through oneDNN in its native NHWC layout, and activations stay
        /// channels-last from layer to layer, instead of reordering data to and from oneDNN's blocked layouts at every
        /// convolution. Feed the model channels-last input too (<see cref="ChannelsLast"/>). Measured (one thread,
        /// CPU-time medians under load, docs/performance.md): batch 1 of ResNet-50 124 → 114 ms and of MobileNet V2
        /// 79 → 64 ms; at batch 8 it pays only together with <see cref="Retain"/> (ResNet-50 with both and folded
        /// batch norms: 1,305 → 814 ms). ResNet-50's output moved by at most 4.6e-5 where it reaches 112, against
        /// the suite's tolerance of 1e-4 · max(1, max |output|).
        /// </para>
        /// <para>
        /// Convert after loading weights: TorchSharp's <c>save</c> and <c>load</c> copy raw bytes and refuse a
        /// non-contiguous tensor ("Bytes() called on non-contiguous tensor"), so a converted model cannot be saved or
        /// loaded until its weights are made contiguous again.
        /// </para>
        /// </remarks>
        public static int ToChannelsLast(nn.Module module)
        {
            ArgumentNullException.ThrowIfNull(module);
            int converted = 0;
            using var _ = torch.no_grad();
            foreach (var parameter in module.parameters())
            {
                if (parameter.dim() != 4) continue;
                using var nhwc = ChannelsLast(parameter);
                parameter.set_(nhwc);
                converted++;
            }
            return converted;
        }

        /// <summary>A channels-last copy of a 4-D tensor (shape N, C, H, W; strides H·W·C, 1, W·C, C), e.g. a model's
        /// input after <see cref="ToChannelsLast"/>. The caller disposes it.</summary>
        public static Tensor ChannelsLast(Tensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            if (tensor.dim() != 4) throw new ArgumentException($"channels-last needs a 4-D tensor, not {tensor.dim()}-D", nameof(tensor));
            using var nhwcView = tensor.permute(0, 2, 3, 1);
            using var nhwc = nhwcView.contiguous();
            return nhwc.permute(0, 3, 1, 2);
        }

        /// <summary>Whether <paramref name="value"/> (of <see cref="Variable"/>) asks for <see cref="Retain"/>.</summary>
        internal static bool AsksToRetain(string? value) =>
            string.Equals(value?.Trim(), "retain", StringComparison.OrdinalIgnoreCase);

#pragma warning disable CA2255 // a library module initializer: here on purpose, see the remarks
        [ModuleInitializer]
        internal static void OnLoad()
        {
            if (AsksToRetain(Environment.GetEnvironmentVariable(Variable))) Retain();
        }
#pragma warning restore CA2255

        /// <summary>glibc exports gnu_get_libc_version; musl and other C libraries do not.</summary>
        private static bool IsGlibc()
        {
            try
            {
                return gnu_get_libc_version() != IntPtr.Zero;
            }
            catch (DllNotFoundException)
            {
                return false;
            }
            catch (EntryPointNotFoundException)
            {
                return false;
            }
        }

        [DllImport("libc")]
        private static extern IntPtr gnu_get_libc_version();

        [DllImport("libc")]
        private static extern int mallopt(int param, int value);
    }
}
