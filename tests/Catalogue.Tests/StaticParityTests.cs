using System.Linq;
using ArchDsl.Testing;
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

    /// <summary>torchvision families the catalogue does not have yet, each with what it waits for (issue 17). The list is
    /// checked both ways: every oracle row outside it must be met by a catalogue variant, and every family in it must
    /// really be missing, so it shrinks as families arrive and can never hide one.</summary>
    public static readonly System.Collections.Generic.IReadOnlyDictionary<string, string> NotYetInCatalogue =
        new System.Collections.Generic.Dictionary<string, string>
        {
        };

    static bool Pending(string reference) => NotYetInCatalogue.Keys.Any(p => reference.StartsWith(p, System.StringComparison.Ordinal));

    public static TheoryData<string, string> OracleRows()
    {
        var data = new TheoryData<string, string>();
        foreach (var r in Oracle.Rows.Where(r => !Pending(r.Reference))) data.Add(r.Reference, string.Join("x", r.Input));
        return data;
    }

    [Fact]
    public void Families_not_yet_in_the_catalogue_are_exactly_the_declared_ones()
    {
        foreach (var prefix in NotYetInCatalogue.Keys)
        {
            Assert.Contains(Oracle.Rows, r => r.Reference.StartsWith(prefix, System.StringComparison.Ordinal));
            var present = CatalogueVariants.WithReference.Where(n => n.Reference!.StartsWith(prefix, System.StringComparison.Ordinal)).Select(n => n.Name);
            Assert.True(!present.Any(), $"{prefix}* is in the catalogue now ({string.Join(", ", present)}): remove it from NotYetInCatalogue");
        }
    }

    /// <summary>Every row of torchvision.csv — each constructor at each measured input size — is met by a
    /// catalogue variant with that reference, analysed at that input, except the families declared missing above.</summary>
    [Theory]
    [MemberData(nameof(OracleRows))]
    public void Oracle_row_is_reproduced_by_the_catalogue(string reference, string input)
    {
        var row = Oracle.Rows.Single(r => r.Reference == reference && string.Join("x", r.Input) == input);
        var variant = CatalogueVariants.WithReference.FirstOrDefault(n => n.Reference == reference && n.Input.SequenceEqual(row.Input))
            ?? CatalogueVariants.WithReference.FirstOrDefault(n => n.Reference == reference);
        Assert.True(variant != null, $"no catalogue variant has reference {reference}");
        var file = new SourceFile(variant!.File, System.IO.File.ReadAllText(variant.File));
        var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(file, new CatalogueVariants.FolderImports(), variant.Name,
            input: (row.Input[0], row.Input[1], row.Input[2]));
        Assert.True(report != null, string.Join("\n", diagnostics));
        Assert.Equal(row.Params, report!.Summary.Params);
        Assert.Equal(row.Macs, report.Summary.Macs);
        Assert.Equal(row.BufferElements, report.BufferElements);
        Assert.Equal(row.StateDictKeys, report.StateDict.Length);
    }

    [Fact]
    public void Every_reference_names_an_oracle_entry()
    {
        var missing = CatalogueVariants.WithReference.Where(n => Oracle.Keys(n.Reference!) == null).Select(n => n.Name + " → " + n.Reference);
        Assert.Empty(missing);
    }
}
