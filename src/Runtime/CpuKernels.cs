using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ArchDsl.Runtime
{
    /// <summary>
    /// Keeps libtorch 2.10 off its oneDNN convolutions on virtual CPUs that hide their cache geometry, where they were
    /// measured to give wrong results.
    /// </summary>
    /// <remarks>
    /// oneDNN sizes its convolution kernels from the CPU's cache sizes. On a virtual CPU that reports none (Linux shows
    /// no <c>/sys/devices/system/cpu/cpu0/cache</c>; the 2-core AMD EPYC machines this project is built and tested on),
    /// libtorch 2.10's oneDNN convolutions were measured to
    /// <list type="bullet">
    /// <item>return NaN now and then for channel counts that are not multiples of 8 (PyramidNet, CliqueNet), after the
    /// process has run other networks: in about one process of three; never with oneDNN convolutions off (0 of 9);</item>
    /// <item>return NaN gradients with their AVX-512 kernels (a single Conv2d backward: 5 of 400 runs);</item>
    /// <item>divide by zero (SIGFPE, killing the process) computing the input gradient of some strided 1×1
    /// convolutions (see <see cref="StridedPointwise"/>).</item>
    /// </list>
    /// On such machines, unless the user has chosen (<see cref="Variable"/>), this turns libtorch's oneDNN ("mkldnn")
    /// convolutions off, so they run on libtorch's own kernels, and caps oneDNN at AVX2 for whatever else uses it
    /// (NNPACK, which libtorch would try next, goes off too: it cannot initialise there).
    /// It costs speed there (docs/performance.md) and is correct. It happens when ArchDsl.Runtime is loaded — before a
    /// generated network builds its first layer; a program that runs convolutions before that calls
    /// <see cref="Apply"/> first. <c>ARCHDSL_ONEDNN=keep</c> leaves libtorch as shipped; <c>ARCHDSL_ONEDNN=off</c>
    /// turns oneDNN convolutions off on any machine. Elsewhere nothing is changed.
    /// </remarks>
    public static class CpuKernels
    {
        /// <summary>The environment variable that overrides the choice: <c>keep</c> or <c>off</c>.</summary>
        public const string Variable = "ARCHDSL_ONEDNN";

        /// <summary>The variable oneDNN reads to cap the instruction set its kernels use.</summary>
        public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

        private static readonly object Gate = new();
        private static bool applied;

        /// <summary>Whether <see cref="Apply"/> turned libtorch's oneDNN convolutions off.</summary>
        public static bool OneDnnConvolutionsOff { get; private set; }

        /// <summary>Whether this machine is one where oneDNN misbehaves (a virtual CPU hiding its cache geometry).</summary>
        public static bool CacheGeometryHidden =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64 &&
            !Directory.Exists("/sys/devices/system/cpu/cpu0/cache");

        /// <summary>Applies the choice described in the remarks, once per process; returns
        /// <see cref="OneDnnConvolutionsOff"/>.</summary>
        public static bool Apply()
        {
            lock (Gate)
            {
                if (applied) return OneDnnConvolutionsOff;
                applied = true;
                var choice = Environment.GetEnvironmentVariable(Variable);
                bool off = choice == "off" || (choice != "keep" && CacheGeometryHidden);
                if (!off) return false;
                if (Environment.GetEnvironmentVariable(IsaVariable) is null && setenv(IsaVariable, "AVX2", 0) == 0)
                    Environment.SetEnvironmentVariable(IsaVariable, "AVX2");   // the managed view, for whoever asks
                try
                {
                    // libtorch's own switch (torch.backends.mkldnn.enabled in Python), which TorchSharp does not expose:
                    // exported C++ functions of the unmodified libtorch_cpu.
                    SetUserEnabledMkldnn(GlobalContext(), false);
                    OneDnnConvolutionsOff = true;
                    // Without oneDNN, libtorch offers each convolution to NNPACK next, which fails to initialise on
                    // these CPUs and says so on stderr at every call (thousands of lines in a catalogue run).
                    SetUserEnabledNnpack(GlobalContext(), false);
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    OneDnnConvolutionsOff = false;   // another libtorch: nothing to switch, left as shipped
                }
                return OneDnnConvolutionsOff;
            }
        }

        // The runtime is loaded before any generated network builds its first layer.
#pragma warning disable CA2255 // a library module initializer: here on purpose, see the remarks
        [ModuleInitializer]
        internal static void OnLoad() => Apply();
#pragma warning restore CA2255

        [DllImport("libc", SetLastError = true)]
        private static extern int setenv(string name, string value, int overwrite);

        // at::globalContext() and at::Context::setUserEnabledMkldnn(bool) (a member function: the context comes first).
        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
        private static extern IntPtr GlobalContext();

        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
        private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

        [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
        private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    }
}
