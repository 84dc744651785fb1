using System.Runtime.CompilerServices;
using ArchDsl.Runtime;

namespace ArchDsl.Onnx.Tests;

internal static class Setup
{
    /// <summary>Apply the runtime's oneDNN guard before the first convolution (see CpuKernels).</summary>
    [ModuleInitializer]
    internal static void BeforeAnyConvolution() => CpuKernels.Apply();
}
