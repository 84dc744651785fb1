using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArchDsl.Runtime
{
    /// <summary>
    /// Keeps libtorch 2.10's oneDNN off the CPU kernels that misbehave on virtual CPUs which hide their cache geometry.
    /// </summary>
    /// <remarks>
    /// oneDNN sizes its convolution blocking from the CPU's cache sizes. On a virtual CPU that reports none (Linux shows
    /// no <c>/sys/devices/system/cpu/cpu0/cache</c>), libtorch 2.10's AVX-512 convolution kernels were measured to
    /// return NaN gradients now and then (a single Conv2d backward: 5 of 400 runs; 0 of 800 limited to AVX2), which
    /// stops training. On such machines, and only when the user has not chosen, this sets <c>ONEDNN_MAX_CPU_ISA=AVX2</c>
    /// in the process environment (through libc, where oneDNN reads it) before the first convolution of a generated
    /// network. oneDNN reads the variable once, at its first convolution: a program that runs convolutions before it
    /// touches a generated class calls <see cref="Apply"/> first. Set <c>ONEDNN_MAX_CPU_ISA</c> yourself to override.
    /// </remarks>
    public static class CpuKernels
    {
        /// <summary>The variable oneDNN reads to cap the instruction set its kernels use.</summary>
        public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

        private static readonly object Gate = new();
        private static bool applied;

        /// <summary>What <see cref="Apply"/> decided: the ISA cap it set, or null when it left oneDNN alone.</summary>
        public static string? Cap { get; private set; }

        /// <summary>Applies the cap where it is needed (see the remarks); idempotent. Returns <see cref="Cap"/>.</summary>
        public static string? Apply()
        {
            lock (Gate)
            {
                if (applied) return Cap;
                applied = true;
                if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
                if (Environment.GetEnvironmentVariable(IsaVariable) is not null || Directory.Exists("/sys/devices/system/cpu/cpu0/cache")) return null;
                if (setenv(IsaVariable, "AVX2", 0) != 0) return null;
                Environment.SetEnvironmentVariable(IsaVariable, "AVX2");   // the managed view, for whoever asks
                Cap = "AVX2";
                return Cap;
            }
        }

        // The runtime is loaded before any generated network builds its first layer.
#pragma warning disable CA2255 // a library module initializer: here on purpose, see the remarks
        [ModuleInitializer]
        internal static void OnLoad() => Apply();
#pragma warning restore CA2255

        [DllImport("libc", SetLastError = true)]
        private static extern int setenv(string name, string value, int overwrite);
    }
}
