using System;
using static TorchSharp.NativeMethods;

namespace TorchSharp
{
    /// <summary>Which kernel runs a CPU float32 two-dimensional convolution.</summary>
    public enum ConvolutionKernel
    {
        /// <summary>libtorch's own choice, the one torchvision gets on the same libtorch: outputs match it bit for bit.</summary>
        LibTorch = 0,

        /// <summary>oneDNN for every eligible convolution (CPU, float32, 4-D, explicit padding). libtorch 1.13 sends
        /// unstrided 1×1 convolutions at batch &lt; 16 on one thread to im2col + BLAS, which Debian links to the
        /// reference BLAS; oneDNN runs them several times faster. Outputs differ from <see cref="LibTorch"/> by float
        /// rounding only (summation order). Backward runs through oneDNN too.</summary>
        OneDnn = 1,
    }

    /// <summary>Settings of this engine that TorchSharp does not have: process-wide, read on every call.</summary>
    public static class EngineSettings
    {
        /// <summary>The convolution kernel for the whole process. Starts as <see cref="ConvolutionKernel.OneDnn"/> when
        /// the environment variable <c>ARCHDSL_CONVOLUTION=onednn</c> is set, otherwise <see cref="ConvolutionKernel.LibTorch"/>.</summary>
        public static ConvolutionKernel ConvolutionKernel
        {
            get => (ConvolutionKernel)adt_get_convolution_kernel();
            set
            {
                if (adt_set_convolution_kernel((int)value) != 0)
                    throw new ArgumentOutOfRangeException(nameof(value), value, "unknown convolution kernel");
            }
        }

        /// <summary>Whether freed tensor memory is kept for reuse (<see cref="RetainTensorMemory"/>).</summary>
        public static bool TensorMemoryRetained => adt_tensor_memory_retained() != 0;

        /// <summary>Keeps freed tensor memory in the process for the next allocation. libtorch takes tensor memory from
        /// malloc, and glibc maps blocks from 128 KiB up afresh and unmaps them on free, so without this each forward
        /// pass page-faults its activations in again. Sets glibc's allocator to keep large blocks in its heap (no mmap,
        /// no trimming), where freed blocks coalesce and serve the next requests of any size. Process-wide and
        /// one-way; <c>ARCHDSL_TENSOR_MEMORY=retain</c> sets it when the engine loads. It governs the main heap: the
        /// main thread's allocations, or every thread's in a process started with <c>MALLOC_ARENA_MAX=1</c>; a thread
        /// with a malloc arena of its own can still have freed blocks unmapped.</summary>
        public static void RetainTensorMemory() => Check(adt_retain_tensor_memory());

        /// <summary>Returns free memory at the top of the heap to the system (after a peak that will not recur);
        /// true when some was released.</summary>
        public static bool ReleaseRetainedTensorMemory() => adt_release_retained_tensor_memory() != 0;

        /// <summary>Memory blocks the C library serves by mmap now (glibc's <c>mallinfo2().hblks</c>).</summary>
        public static long MappedBlocks => adt_mmapped_blocks();
    }
}
