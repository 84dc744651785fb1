using System;
using System.IO;
using System.Runtime.InteropServices;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Weights.Tests;

/// <summary>The in-repository build output's TorchSharp native glue loads: on a system whose libstdc++ lacks
/// GLIBCXX_3.4.32 (Debian 12) that is the copy ArchDsl.Runtime.targets patched, elsewhere the package's own.</summary>
public class NativeLibraryTests
{
    [Fact]
    public void The_outputs_LibTorchSharp_loads_and_computes()
    {
        var (rid, file) = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ("win", "LibTorchSharp.dll")
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? ("osx", "libLibTorchSharp.dylib")
            : ("linux", "libLibTorchSharp.so");
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", rid + "-" + arch, "native", file);
        Assert.True(File.Exists(path), path + " is not in the build output");

        // NativeLibrary.Load rather than TryLoad: its exception carries the loader's message (e.g. "version
        // `GLIBCXX_3.4.32' not found").
        IntPtr handle;
        try
        {
            handle = NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            Assert.Fail(path + " does not load: " + e.Message);
            return;
        }
        Assert.NotEqual(IntPtr.Zero, handle);

        using var one = ones(1);
        Assert.Equal(1f, one.item<float>());
    }
}
