using System.Runtime.CompilerServices;
using ArchDsl.Runtime;

namespace ArchDsl.Catalogue.Tests;

internal static class Setup
{
    /// <summary>Some tests here run hand-written TorchSharp layers before any generated network has loaded
    /// ArchDsl.Runtime, and oneDNN fixes its kernels at its first convolution: apply the runtime's guard first, as a
    /// program mixing both would (see CpuKernels).</summary>
    [ModuleInitializer]
    internal static void BeforeAnyConvolution() => CpuKernels.Apply();
}
