using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Weights.Tests;

/// <summary>Weight files from elsewhere, through <see cref="WeightFile"/>: a load that does not fit names every offending
/// key in one exception, and a truncated or corrupt file is refused with a managed exception; either way the model keeps
/// its weights.</summary>
public class ReliabilityWeightsTests
{
    private static Dictionary<string, byte[]> Snapshot(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.bytes.ToArray());

    private static void AssertUnchanged(Dictionary<string, byte[]> before, nn.Module m)
    {
        foreach (var (k, v) in m.state_dict()) Assert.True(before[k].SequenceEqual(v.bytes.ToArray()), k + " was modified by a failed load");
    }

    private static byte[] Save(Dictionary<string, Tensor> entries)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            nn.Module.save_state_dict(writer, entries);
        return stream.ToArray();
    }

    /// <summary>The model's own state, every value changed (so a partial copy would show).</summary>
    private static Dictionary<string, Tensor> Changed(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().add_(1).to(kv.Value.dtype));

    [Fact]
    public void A_file_with_missing_unexpected_and_misshaped_keys_names_every_one_and_changes_nothing()
    {
        using var model = new SmallNet();
        var before = Snapshot(model);
        var entries = Changed(model);
        entries.Remove("bn1.running_var");
        entries.Remove("head.2.bias");
        entries["head.3.weight"] = zeros(2, 2);
        entries["extra"] = zeros(1);
        entries["conv1.weight"] = zeros(8, 3, 5, 5);
        entries["bn1.weight"] = zeros(9);
        entries["bn1.num_batches_tracked"] = zeros(1, dtype: ScalarType.Float32);

        var ex = Assert.Throws<WeightMismatchException>(() => model.LoadWeights(new MemoryStream(Save(entries))));

        foreach (var key in new[] { "bn1.running_var", "head.2.bias", "head.3.weight", "extra", "conv1.weight", "bn1.weight", "bn1.num_batches_tracked" })
            Assert.Contains("'" + key + "'", ex.Message);
        Assert.Contains("[8, 3, 5, 5]", ex.Message);
        Assert.Equal(new[] { "bn1.running_var", "head.2.bias" }, ex.Missing.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(new[] { "extra", "head.3.weight" }, ex.Unexpected.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(3, ex.Mismatched.Count);
        AssertUnchanged(before, model);
    }

    [Fact]
    public void A_file_that_fits_loads()
    {
        using var model = new SmallNet();
        var entries = Changed(model);
        var expected = entries.ToDictionary(kv => kv.Key, kv => kv.Value.bytes.ToArray());
        model.LoadWeights(new MemoryStream(Save(entries)));
        foreach (var (k, v) in model.state_dict()) Assert.True(expected[k].SequenceEqual(v.bytes.ToArray()), k);
    }

    /// <summary>Loads a file that must be refused: a managed exception of a kind that says what is wrong, and no change.
    /// (A file that parses but does not fit SmallNet, such as an empty state dict, is a <see cref="WeightMismatchException"/>.)</summary>
    private static Exception Refused(byte[] file)
    {
        using var model = new SmallNet();
        var before = Snapshot(model);
        var ex = Record.Exception(() => model.LoadWeights(new MemoryStream(file)));
        Assert.NotNull(ex);
        Assert.True(ex is InvalidDataException || ex is WeightMismatchException, "unexpected " + ex!.GetType().Name + ": " + ex.Message);
        AssertUnchanged(before, model);
        return ex;
    }

    [Fact]
    public void A_file_cut_anywhere_is_refused()
    {
        using var model = new SmallNet();
        var file = Save(Changed(model));
        for (int length = 0; length < file.Length; length += Math.Max(1, length / 50))
            Refused(file.Take(length).ToArray());
    }

    [Fact]
    public void Random_bytes_are_refused()
    {
        var random = new Random(8);
        for (int i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            Refused(bytes);
        }
    }

    [Fact]
    public void Flipped_bytes_in_a_good_file_never_crash()
    {
        using var model = new SmallNet();
        var file = Save(Changed(model));
        var random = new Random(9);
        for (int i = 0; i < 300; i++)
        {
            var copy = (byte[])file.Clone();
            for (int k = random.Next(1, 4); k > 0; k--) copy[random.Next(copy.Length)] = (byte)random.Next(256);
            using var target = new SmallNet();
            var before = Snapshot(target);
            var ex = Record.Exception(() => target.LoadWeights(new MemoryStream(copy)));
            // A flip inside tensor data is a valid file; anything else must be refused without a change.
            if (ex != null)
            {
                Assert.True(ex is InvalidDataException || ex is WeightMismatchException, "unexpected " + ex.GetType().Name + ": " + ex.Message);
                AssertUnchanged(before, target);
            }
        }
    }

    /// <summary>Unsigned LEB128 of the value's bits: a negative value takes ten bytes, as a corrupt file might hold.</summary>
    private static byte[] Leb(long value)
    {
        var v = unchecked((ulong)value);
        var bytes = new List<byte>();
        do { var b = (byte)(v & 0x7f); v >>= 7; bytes.Add(v != 0 ? (byte)(b | 0x80) : b); } while (v != 0);
        return bytes.ToArray();
    }

    /// <summary>One entry named conv1.weight: element type, rank, dimensions as given, then the data bytes.</summary>
    private static byte[] Entry(long dtype, long rank, long[] dims, int dataBytes = 0)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(Leb(1));
            w.Write("conv1.weight");
            w.Write(Leb(dtype));
            w.Write(Leb(rank));
            foreach (var d in dims) w.Write(Leb(d));
            w.Write(new byte[dataBytes]);
        }
        return stream.ToArray();
    }

    [Fact]
    public void Absurd_counts_ranks_sizes_and_types_are_refused_before_allocating()
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Assert.IsType<InvalidDataException>(Refused(Leb(long.MaxValue)));                                   // entries
        Assert.IsType<InvalidDataException>(Refused(Entry(6, 1_000_000, new long[0])));                     // rank
        Assert.IsType<InvalidDataException>(Refused(Entry(6, 2, new[] { 1L << 40, 1L << 40 })));           // product overflows
        Assert.IsType<InvalidDataException>(Refused(Entry(6, 4, new[] { 8L, 3, -1, 3 })));                  // negative
        Assert.IsType<InvalidDataException>(Refused(Entry(99, 1, new[] { 4L })));                           // unknown type
        Assert.IsType<InvalidDataException>(Refused(Entry(-1 & 0x7fffffff, 1, new[] { 4L })));
        var ex = Refused(Entry(6, 4, new[] { 8L, 3, 3, 3 }, dataBytes: 10));                                 // cut short
        Assert.Contains("ends inside", ex.Message);
        Refused(Entry(6, 2, new[] { 20_000L, 20_000 }));                                                     // 1.6 GB claimed, none there
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore < 256L << 20, "a corrupt header made the loader allocate what the file claims");
    }
}
