using System.Linq;
using Xunit;

namespace ArchDsl.Catalogue.Tests;

/// <summary>What the front end computes without running anything, against torchvision's figures.</summary>
public class StaticParityTests
{
    public static TheoryData<string> Variants() => new(CatalogueVariants.WithReference.Select(n => n.Name));

    [Theory]
    [MemberData(nameof(Variants))]
    public void Parameter_count_equals_torchvision(string name)
    {
        var net = CatalogueVariants.Get(name);
        var row = Oracle.Find(net.Reference!, net.Input);
        Assert.True(row != null, $"no oracle row for {net.Reference} at {string.Join("x", net.Input)}");
        Assert.Equal(row!.Params, net.Params);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Macs_equal_torchvision(string name)
    {
        var net = CatalogueVariants.Get(name);
        var row = Oracle.Find(net.Reference!, net.Input)!;
        Assert.Equal(row.Macs, net.Macs);
    }

    [Fact]
    public void Every_reference_names_an_oracle_entry()
    {
        var missing = CatalogueVariants.WithReference.Where(n => Oracle.Keys(n.Reference!) == null).Select(n => n.Name + " → " + n.Reference);
        Assert.Empty(missing);
    }
}
