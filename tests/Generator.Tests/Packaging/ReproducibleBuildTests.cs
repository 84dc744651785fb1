using ArchDsl.Testing;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace ArchDsl.Generator.Tests.Packaging
{
    /// <summary><c>dotnet build</c> of a project holding catalogue files is reproducible: the same project in two
    /// different folders, built into different output and intermediate folders, gives byte-identical generated
    /// sources and an assembly with the same MVID (with <c>Deterministic</c>, a hash of the whole assembly).
    /// Slow: two builds against the packed generator.</summary>
    [Trait("Category", "Slow")]
    [Collection(PackedFeedCollection.Name)]
    public sealed class ReproducibleBuildTests
    {
        // Several families, so that blocks, dense connectivity and variants are all in the generated code.
        private static readonly string[] Architectures = { "resnet.arch", "densenet.arch", "mobilenet_v2.arch", "shufflenet_v2.arch" };

        private readonly PackedFeed feed;

        public ReproducibleBuildTests(PackedFeed feed) => this.feed = feed;

        [Fact]
        public void TheSameProjectInTwoFolders_BuildsToTheSameGeneratedSourcesAndMvid()
        {
            var arch = Architectures.ToDictionary(name => "nets/" + name, name => File.ReadAllText(Path.Combine(RepoPaths.Architectures, name)));
            // What a reproducible build needs beyond Deterministic: ContinuousIntegrationBuild maps each SourceRoot to
            // "/_/" in the PDB, whose identity the assembly records (source control provides the root in a repository;
            // these folders have none), and the same project file name (MSBuild names a generated file after it).
            const string properties =
                "<Deterministic>true</Deterministic><ContinuousIntegrationBuild>true</ContinuousIntegrationBuild>" +
                "<EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles><CompilerGeneratedFilesOutputPath>generated</CompilerGeneratedFilesOutputPath>";
            const string sourceRoot = "<ItemGroup><SourceRoot Include=\"$(MSBuildProjectDirectory)/\" /></ItemGroup>";
            const string program = "System.Console.WriteLine(typeof(Repro.ResNet18).Name + typeof(Repro.DenseNet121).Name);\n";
            string Copy(string folder)
            {
                // Compiled only: the ArchDsl packages without a TorchSharp backend (its natives have nothing to do with this).
                var project = feed.CreateConsumer(folder, arch, program, properties, PackedFeed.ArchDslReferences, sourceRoot);
                File.Move(Path.Combine(project, folder + ".csproj"), Path.Combine(project, "Repro.csproj"));
                return project;
            }
            var first = Copy("repro-first");
            var second = Copy("repro-second");
            var third = Copy("repro-third");

            var a = Build(first, Path.Combine(first, "out-a"));
            var b = Build(second, Path.Combine(second, "elsewhere", "out-b"));
            // The artifacts layout moves the intermediate files to another place relative to the project: the PDB
            // (and so the MVID) records their paths, but the generated code must not change.
            var c = Build(third, Path.Combine(third, "artifacts-c", "bin", "Repro", "release"), "--artifacts-path", Path.Combine(third, "artifacts-c"));

            Assert.True(a.Generated.Count >= Architectures.Length, "generated files: " + string.Join(", ", a.Generated.Keys));
            foreach (var other in new[] { b, c })
            {
                Assert.Equal(a.Generated.Keys.OrderBy(k => k, StringComparer.Ordinal), other.Generated.Keys.OrderBy(k => k, StringComparer.Ordinal));
                foreach (var (name, bytes) in a.Generated)
                    Assert.True(bytes.SequenceEqual(other.Generated[name]), name + " differs between " + a.Assembly + " and " + other.Assembly);
            }
            Assert.Equal(Mvid(a.Assembly), Mvid(b.Assembly));
        }

        /// <summary>Builds in Release with the assembly written to <paramref name="output"/> (by -o unless the extra
        /// arguments place it); returns it and the generator's files, by name relative to the generator's folder.</summary>
        private (string Assembly, Dictionary<string, byte[]> Generated) Build(string project, string output, params string[] extra)
        {
            var args = new[] { "build", "-c", "Release" }.Concat(extra.Length == 0 ? new[] { "-o", output } : extra).ToArray();
            var build = feed.DotNet(project, args);
            Assert.True(build.ExitCode == 0, build.Output);
            var assembly = Path.Combine(output, "Repro.dll");
            Assert.True(File.Exists(assembly), assembly + " not written:\n" + build.Output);
            var generatedRoot = Path.Combine(project, "generated", "ArchDsl.Generator");
            var generated = Directory.EnumerateFiles(generatedRoot, "*", SearchOption.AllDirectories)
                .ToDictionary(p => Path.GetRelativePath(generatedRoot, p), File.ReadAllBytes);
            return (assembly, generated);
        }

        private static Guid Mvid(string assembly)
        {
            using var pe = new PEReader(File.OpenRead(assembly));
            var metadata = pe.GetMetadataReader();
            return metadata.GetGuid(metadata.GetModuleDefinition().Mvid);
        }
    }

    /// <summary>The packages are packed once for every test class that builds consumers from them.</summary>
    [CollectionDefinition(Name)]
    public sealed class PackedFeedCollection : ICollectionFixture<PackedFeed>
    {
        public const string Name = "Packed feed";
    }
}
