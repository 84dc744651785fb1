using System.Runtime.CompilerServices;
using ArchDsl.Runtime;

namespace ArchDsl.Weights.Tests;

internal static class Setup
{
    /// <summary>These tests build hand-written TorchSharp modules, which do not load ArchDsl.Runtime before their first
    /// convolution as generated networks do: apply its oneDNN guard first, as such a program would (see CpuKernels).</summary>
    [ModuleInitializer]
    internal static void BeforeAnyConvolution() => CpuKernels.Apply();
}
