using System;
using System.IO;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Engine.Tests;

/// <summary><see cref="EngineSettings.RetainTensorMemory"/>: a repeated allocation of the same large tensor stops
/// page-faulting its memory in once freed memory is retained. Process-wide and one-way, so it runs with the other
/// process-wide cases and measures the default first.</summary>
[Collection(ProcessWideSettings.Name)]
public class TensorMemoryTests
{
    /// <summary>A large tensor is mapped afresh by default (and its pages faulted in on every pass); once memory is
    /// retained it comes from the heap. The page faults saved show in the benchmark (docs/performance.md); the
    /// faults of a test thread depend on its malloc arena, so this checks the mechanism itself.</summary>
    [Fact]
    public void Large_tensors_come_from_the_heap_once_memory_is_retained()
    {
        const int elements = 10 * 1024 * 1024;   // 40 MiB: above every glibc mmap threshold
        if (!EngineSettings.TensorMemoryRetained) {
            long before = EngineSettings.MappedBlocks;
            using (var t = empty(elements)) Assert.Equal(before + 1, EngineSettings.MappedBlocks);
            Assert.Equal(before, EngineSettings.MappedBlocks);
        }
        EngineSettings.RetainTensorMemory();
        Assert.True(EngineSettings.TensorMemoryRetained);
        long mapped = EngineSettings.MappedBlocks;
        for (int i = 0; i < 3; i++) {
            using var t = empty(elements);
            t.fill_(1.0f);
            Assert.Equal(mapped, EngineSettings.MappedBlocks);
        }
    }

    [Fact]
    public void Reused_memory_holds_the_new_tensor_values()
    {
        EngineSettings.RetainTensorMemory();
        for (int i = 0; i < 3; i++) {
            using var a = full(new long[] { 300, 300 }, (float)i);
            using var b = a * 2;
            Assert.Equal(2f * i, b.mean().item<float>());
            Assert.Equal(2f * i, b.max().item<float>());
        }
        EngineSettings.ReleaseRetainedTensorMemory();
    }
}
