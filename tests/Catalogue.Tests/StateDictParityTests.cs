using System.Linq;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The generated class's state dict against torchvision's: same keys, same shapes, so weights load unchanged.</summary>
public class StateDictParityTests
{
    public static TheoryData<string> Variants() => new(CatalogueVariants.WithReference.Select(n => n.Name));

    [Theory]
    [MemberData(nameof(Variants))]
    public void Keys_and_shapes_equal_torchvision(string name)
    {
        var net = CatalogueVariants.Get(name);
        var expected = Oracle.Keys(net.Reference!)!;
        using var model = CatalogueVariants.Create(name);
        var actual = model.state_dict();
        var expectedText = expected.Select(e => e.Key + " " + string.Join("x", e.Shape)).OrderBy(s => s, System.StringComparer.Ordinal).ToList();
        var actualText = actual.Select(kv => kv.Key + " " + string.Join("x", kv.Value.shape)).OrderBy(s => s, System.StringComparer.Ordinal).ToList();
        var missing = expectedText.Except(actualText).ToList();
        var unexpected = actualText.Except(expectedText).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"{missing.Count} missing: {string.Join(", ", missing.Take(10))}\n{unexpected.Count} unexpected: {string.Join(", ", unexpected.Take(10))}");
        Assert.Equal(expected.Length, actual.Count);
        var parameters = model.parameters().Sum(p => p.numel());
        Assert.Equal(Oracle.Find(net.Reference!, net.Input)!.Params, parameters);
    }
}
