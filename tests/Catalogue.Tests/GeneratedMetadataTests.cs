using System.Linq;
using ArchDsl.Runtime;
using Xunit;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The metadata a generated class carries (its layer rows as one text literal, read on first use) against
/// what the front end computes for the same network: every row, cell by cell, and the totals.</summary>
public class GeneratedMetadataTests
{
    public static TheoryData<string> Networks() => new(CatalogueVariants.All.Select(n => n.Name));

    [Theory]
    [MemberData(nameof(Networks))]
    public void The_generated_table_reads_back_as_the_front_end_computed_it(string name)
    {
        var expected = CatalogueVariants.Get(name);
        var type = typeof(GeneratedMetadataTests).Assembly.GetTypes().Single(t => t.Namespace == "ArchDsl.Catalogue" && t.Name == name);
        var meta = TrainingStepTests.Metadata(type);

        Assert.Equal((expected.Name, expected.Params, expected.Buffers, expected.Macs, expected.MemoryAccess, expected.ActivationElements),
            (meta.Name, meta.Params, meta.Buffers, meta.Macs, meta.MemoryAccess, meta.ActivationElements));
        Assert.Equal(expected.Input, meta.InputShape);
        Assert.Equal(expected.Output, meta.OutputShape);
        Assert.Equal(expected.Layers.Length, meta.Layers.Count);
        for (int i = 0; i < meta.Layers.Count; i++)
        {
            var (e, a) = (expected.Layers[i], meta.Layers[i]);
            Assert.Equal((e.Path, e.Operation, e.Params, e.Macs, e.MemoryAccess), (a.Path, a.Operation, a.Params, a.Macs, a.MemoryAccess));
            Assert.Equal(e.OutputShape, a.OutputShape);
        }
    }

    [Fact]
    public void A_row_of_the_wrong_width_is_refused_with_the_row()
    {
        var error = Assert.Throws<System.FormatException>(() => NetworkMetadata.FromRows("N", "n.arch", 1, null,
            new long[] { 3, 8, 8 }, new long[] { 4 }, 0, 0, 0, 0, 0, "\n  a | relu | 3x8x8 | 0 | 0\n"));
        Assert.Contains("a | relu", error.Message);
    }
}
