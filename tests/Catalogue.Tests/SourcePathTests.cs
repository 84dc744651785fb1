using System.IO;
using System.Linq;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Catalogue.Tests;

/// <summary>This project compiles ../../architectures/*.arch; with the repository as ArchDslSourceRoot (set for every
/// project in the repository) the generated metadata names them "architectures/x.arch", wherever the clone lives.</summary>
public class SourcePathTests
{
    [Fact]
    public void Generated_metadata_names_catalogue_files_from_the_repository_root()
    {
        var files = typeof(SourcePathTests).Assembly.GetTypes()
            .Where(t => t.Namespace == "ArchDsl.Catalogue")
            .Select(t => t.GetProperty("Metadata")?.GetValue(null) as NetworkMetadata)
            .Where(m => m != null)
            .Select(m => m!.SourceFile)
            .Distinct()
            .ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f =>
        {
            Assert.StartsWith("architectures/", f);
            Assert.False(Path.IsPathRooted(f), f);
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, f)), f);
        });
    }
}
