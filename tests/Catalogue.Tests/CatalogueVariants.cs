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
