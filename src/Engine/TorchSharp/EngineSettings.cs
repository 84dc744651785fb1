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

        /// <summary>Bytes of freed tensor memory kept for reuse now.</summary>
        public static long RetainedTensorBytes => adt_retained_tensor_bytes();

        /// <summary>Keeps freed tensor blocks of 128 KiB and more (up to 2 GiB in all) for the next tensor of the same
        /// byte size instead of returning them to the C library. glibc maps such blocks afresh on every allocation, so
        /// without it each forward pass page-faults its activations in again; a pass at a fixed input size asks for the
        /// same sizes every time and then reuses the same memory. Process-wide and one-way;
        /// <c>ARCHDSL_TENSOR_MEMORY=retain</c> sets it at start-up. <see cref="ReleaseRetainedTensorMemory"/> empties
        /// the store.</summary>
        public static void RetainTensorMemory()
        {
            Check(adt_retain_tensor_memory());
        }

        /// <summary>Returns every kept block to the C library; returns the bytes released.</summary>
        public static long ReleaseRetainedTensorMemory() => adt_release_retained_tensor_memory();
    }
}
