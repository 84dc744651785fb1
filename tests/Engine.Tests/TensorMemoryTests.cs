using System;
using System.IO;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Engine.Tests;

/// <summary><see cref="EngineSettings.RetainTensorMemory"/>: a repeated allocation of the same large tensor stops
/// page-faulting its memory in once freed blocks are retained. Process-wide and one-way, so it runs with the other
/// process-wide cases and measures the default first.</summary>
[Collection(ProcessWideSettings.Name)]
public class TensorMemoryTests
{
    [Fact]
    public void Retained_memory_is_reused_without_page_faults()
    {
        const int elements = 10 * 1024 * 1024;   // 40 MiB: above every glibc mmap threshold
        const int passes = 6;
        long pages = elements * 4L / Environment.SystemPageSize;

        if (!EngineSettings.TensorMemoryRetained) {
            var faults = FaultsOfPasses(elements, passes);
            // Default glibc: each pass maps the block afresh and touches every page.
            Assert.True(faults >= passes / 2 * pages, $"{faults} minor faults over {passes} passes of {pages} pages (default allocator)");
        }
        EngineSettings.RetainTensorMemory();
        Assert.True(EngineSettings.TensorMemoryRetained);
        FaultsOfPasses(elements, 1);   // the first retained block is faulted in once
        Assert.True(EngineSettings.RetainedTensorBytes >= elements * 4L);
        var retained = FaultsOfPasses(elements, passes);
        Assert.True(retained < pages / 2, $"{retained} minor faults over {passes} passes of {pages} pages with memory retained");

        Assert.True(EngineSettings.ReleaseRetainedTensorMemory() >= elements * 4L);
        Assert.Equal(0, EngineSettings.RetainedTensorBytes);
    }

    [Fact]
    public void Reused_blocks_hold_the_new_tensor_values()
    {
        EngineSettings.RetainTensorMemory();
        for (int i = 0; i < 3; i++) {
            using var a = full(new long[] { 300, 300 }, (float)i);
            using var b = a * 2;
            Assert.Equal(2f * i, b.mean().item<float>());
            Assert.Equal(2f * i, b.max().item<float>());
        }
    }

    /// <summary>Minor page faults of this process while a tensor is made, filled and freed <paramref name="passes"/> times.</summary>
    static long FaultsOfPasses(int elements, int passes)
    {
        long before = MinorFaults();
        for (int i = 0; i < passes; i++) {
            using var t = empty(elements);
            t.fill_(1.0f);
        }
        return MinorFaults() - before;
    }

    // Field 10 of /proc/self/stat (after the parenthesised command name): minflt.
    static long MinorFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
