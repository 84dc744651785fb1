using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using ArchDsl.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>Every network and variant in architectures/, as the front end sees it, and its generated class.</summary>
public static class CatalogueVariants
{
    public sealed class FolderImports : IImportResolver
    {
        public SourceFile? Resolve(string fromPath, string importPath)
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fromPath) ?? ".", importPath));
            return File.Exists(path) ? new SourceFile(path, File.ReadAllText(path)) : null;
        }
    }

    static readonly Lazy<IReadOnlyList<NetworkSummary>> all = new(() =>
        Directory.GetFiles(RepoPaths.Architectures, "*.arch").OrderBy(f => f, StringComparer.Ordinal)
            .SelectMany(f => ArchFrontEnd.Check(new SourceFile(f, File.ReadAllText(f)), new FolderImports()).Networks)
            .ToList());

    public static IReadOnlyList<NetworkSummary> All => all.Value;

    /// <summary>Variants that mirror a torchvision constructor (group A).</summary>
    public static IEnumerable<NetworkSummary> WithReference => All.Where(n => n.Reference != null);

    public static NetworkSummary Get(string name) => All.Single(n => n.Name == name);

    /// <summary>Variants checked statically only — parameters, MACs and buffers (StaticParityTests) and every state-dict key
    /// and shape of the generated class (StateDictParityTests) — and not run by the runtime tests (output parity,
    /// training step, folding, the PyTorch emitter). RegNet's fifteen variants are one generated class with different
    /// numbers: the 400MF and 800MF of X and Y run every path it has (with and without squeeze-and-excitation, projection and
    /// identity shortcuts, grouped 3x3 convolutions), while the larger eleven would add 1.6 to 128 GMACs and up to 645 M
    /// parameters (2.6 GB as float32, twice over with torchvision's copy) each to a suite that must stay well under
    /// 30 minutes on two cores and 24 GB. ConvNeXt tiny and small run every path base and large have; those two added
    /// about four minutes (15.4 and 34.4 GMACs; output parity, training step and PyTorch emitter).</summary>
    public static readonly IReadOnlyDictionary<string, string> StaticOnly = new[]
        {
            "RegNetY1_6GF", "RegNetY3_2GF", "RegNetY8GF", "RegNetY16GF", "RegNetY32GF", "RegNetY128GF",
            "RegNetX1_6GF", "RegNetX3_2GF", "RegNetX8GF", "RegNetX16GF", "RegNetX32GF",
        }.Select(n => (Name: n, Why: "RegNet: the same class as RegNetX/Y 400MF and 800MF with larger numbers"))
        .Concat(new[] { "ConvNeXtBase", "ConvNeXtLarge" }.Select(n => (Name: n, Why: "ConvNeXt: the same class as ConvNeXtTiny and ConvNeXtSmall (every block, downsampling and layer-scale path) with wider stages")))
        .ToDictionary(n => n.Name, n => n.Why, StringComparer.Ordinal);

    /// <summary>Whether the runtime tests run this network (see <see cref="StaticOnly"/>). ARCHDSL_ALL_VARIANTS=1 runs
    /// them on every variant, for a check by hand on a machine with the time (docs/catalogue.md records the last).</summary>
    public static bool Runs(string name) =>
        !StaticOnly.ContainsKey(name) || Environment.GetEnvironmentVariable("ARCHDSL_ALL_VARIANTS") == "1";

    public static IEnumerable<object[]> ReferenceNames() => WithReference.Select(n => new object[] { n.Name });

    /// <summary>The generated class for a network, built with every constructor argument at its default.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name)
    {
        var type = typeof(CatalogueVariants).Assembly.GetTypes()
            .SingleOrDefault(t => t.Namespace == "ArchDsl.Catalogue" && t.Name == name)
            ?? throw new InvalidOperationException($"no generated class for {name}");
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length)
            .First(c => c.GetParameters().All(p => p.IsOptional));
        var args = ctor.GetParameters().Select(_ => Type.Missing).ToArray();
        return (nn.Module<Tensor, Tensor>)ctor.Invoke(BindingFlags.OptionalParamBinding, null, args, CultureInfo.InvariantCulture);
    }
}
