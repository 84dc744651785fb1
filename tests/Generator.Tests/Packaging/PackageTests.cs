using ArchDsl.Testing;
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace ArchDsl.Generator.Tests.Packaging
{
    /// <summary>The packages as a user meets them: ArchDsl.Generator and ArchDsl.Runtime packed into a local folder
    /// feed, and fresh projects made from scratch that reference them by version. Slow (several builds).</summary>
    [Trait("Category", "Slow")]
    [Collection(PackedFeedCollection.Name)]
    public sealed class PackageTests
    {
        private const string BrokenArch = "network Broken {\n  conv 16 (((\n}\n";

        private readonly PackedFeed feed;

        public PackageTests(PackedFeed feed) => this.feed = feed;

        [Fact]
        public void GeneratorPackage_CarriesTheFrontEndAndTheProps()
        {
            var entries = Entries("ArchDsl.Generator");

            Assert.Contains("analyzers/dotnet/cs/ArchDsl.Generator.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/ArchDsl.Dsl.dll", entries);
            Assert.Contains("analyzers/dotnet/cs/Sprache.dll", entries);
            Assert.Contains("build/ArchDsl.Generator.props", entries);
            Assert.Contains("build/ArchDsl.Generator.targets", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
            Assert.DoesNotContain("<dependency ", Nuspec("ArchDsl.Generator"));
        }

        [Fact]
        public void RuntimePackage_CarriesTheRuntimeAndDependsOnTorchSharp()
        {
            Assert.Contains(Entries("ArchDsl.Runtime"), e => Regex.IsMatch(e, @"^lib/net[0-9.]+/ArchDsl\.Runtime\.dll$"));
            Assert.Contains("id=\"TorchSharp\"", Nuspec("ArchDsl.Runtime"));
            Assert.Contains("runtimes/linux-x64/native/libArchDslTorch.so", Entries("TorchSharp"));
        }

        [Fact]
        public void FreshConsumer_BuildsWithTheGeneratorAndRuns()
        {
            var resnet = File.ReadAllText(Path.Combine(RepoPaths.Architectures, "resnet.arch"));
            var network = ArchFrontEnd.Check(new SourceFile("resnet.arch", resnet), new NoImports()).Networks
                .OrderBy(n => n.Name == "ResNet50" ? 0 : 1).FirstOrDefault();
            // Three lines, as a user writes them. Until the emitter produces classes, the project only proves that
            // the packed generator loads and checks the file.
            var program = EmitterProbe.IsImplemented && network != null
                ? "using static TorchSharp.torch;\n" +
                  "var model = new My.Nets." + network.Name + "(); System.Console.WriteLine(My.Nets." + network.Name + ".Summary());\n" +
                  "System.Console.WriteLine(\"output \" + string.Join(\"x\", model.call(randn(1, " + string.Join(", ", network.Input) + ")).shape));\n"
                : "System.Console.WriteLine(\"built\");\n";
            var app = feed.CreateConsumer("app", new Dictionary<string, string> { ["resnet.arch"] = resnet }, program,
                "<ArchDslNamespace>My.Nets</ArchDslNamespace>");

            var build = feed.DotNet(app, "build", "-c", "Release");
            Assert.True(build.ExitCode == 0, build.Output);
            Assert.DoesNotMatch(new Regex(@"\b(CS8784|CS8785|ARCH9999)\b"), build.Output);

            var run = feed.DotNet(app, "run", "--no-build", "-c", "Release");
            Assert.True(run.ExitCode == 0, run.Output);
            if (EmitterProbe.IsImplemented && network != null)
            {
                Assert.Contains("output 1x" + string.Join("x", network.Output), run.Output);
                Assert.True(run.Output.Contains(network.Params.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)) ||
                            run.Output.Contains(network.Params.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    "the summary should show " + network.Params + " parameters:\n" + run.Output);
            }
            else
            {
                Assert.Contains("built", run.Output);
            }
        }

        [Fact]
        public void FreshConsumer_WithABrokenArchFile_FailsAtItsLineAndColumn()
        {
            var app = feed.CreateConsumer("broken", new Dictionary<string, string> { ["nets/broken.arch"] = BrokenArch },
                "System.Console.WriteLine(\"unreachable\");\n");

            var build = feed.DotNet(app, "build", "-c", "Release");

            Assert.NotEqual(0, build.ExitCode);
            Assert.Matches(new Regex(@"nets[/\\]broken\.arch\(\d+,\d+\): error ARCH\d{4}: "), build.Output);
            Assert.DoesNotMatch(new Regex(@"\b(CS8784|CS8785|ARCH9999)\b"), build.Output);
        }

        [Fact]
        public void OptingOut_LeavesArchFilesAlone()
        {
            var app = feed.CreateConsumer("optout", new Dictionary<string, string> { ["broken.arch"] = BrokenArch },
                "System.Console.WriteLine(\"ok\");\n", "<EnableDefaultArchDslItems>false</EnableDefaultArchDslItems>");

            var build = feed.DotNet(app, "build", "-c", "Release");

            Assert.True(build.ExitCode == 0, build.Output);
        }

        [Fact]
        public void InSolutionConsumer_UsesTheSamePropsAndReportsArchErrors()
        {
            var app = feed.CreateConsumer("insolution", new Dictionary<string, string> { ["nets/broken.arch"] = BrokenArch },
                "System.Console.WriteLine(\"unreachable\");\n", references: "",
                imports: "<Import Project=\"" + Path.Combine(RepoPaths.Root, "build", "ArchDsl.InSolution.targets") + "\" />");

            // The generator's project graph restores from the machine's usual sources and package cache.
            var build = Packaging.DotNet.Run(app, null, "build", "-c", "Release", "--artifacts-path", Path.Combine(app, "artifacts"));

            Assert.NotEqual(0, build.ExitCode);
            Assert.Matches(new Regex(@"nets[/\\]broken\.arch\(\d+,\d+\): error ARCH\d{4}: "), build.Output);
            Assert.DoesNotMatch(new Regex(@"\b(CS8784|CS8785|ARCH9999)\b"), build.Output);
        }

        private string[] Entries(string id)
        {
            using var zip = ZipFile.OpenRead(feed.Package(id));
            return zip.Entries.Select(e => e.FullName).ToArray();
        }

        private string Nuspec(string id)
        {
            using var zip = ZipFile.OpenRead(feed.Package(id));
            using var reader = new StreamReader(zip.GetEntry(id + ".nuspec")!.Open());
            return reader.ReadToEnd();
        }

        private sealed class NoImports : IImportResolver
        {
            public SourceFile? Resolve(string fromPath, string importPath) => null;
        }
    }

    /// <summary>Packs the engine (as "TorchSharp"), ArchDsl.Runtime and ArchDsl.Generator once into a folder feed,
    /// building into a private artifacts folder so the working tree's bin/obj are left alone.</summary>
    public sealed class PackedFeed : IDisposable
    {
        public const string Version = "0.1.0-packtest";

        private readonly string root = Path.Combine(Path.GetTempPath(), "archdsl-pack-" + Guid.NewGuid().ToString("N"));

        public PackedFeed()
        {
            Directory.CreateDirectory(Feed);
            var engineTargets = Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Packaging", "EnginePackage.targets");
            Pack("src/Engine/TorchSharp/TorchSharp.csproj", "-p:CustomAfterMicrosoftCommonTargets=" + engineTargets);
            Pack("src/Runtime/ArchDsl.Runtime.csproj");
            Pack("src/Generator/ArchDsl.Generator.csproj");
        }

        public string Feed => Path.Combine(root, "feed");

        public string Package(string id) => Path.Combine(Feed, id + "." + Version + ".nupkg");

        /// <summary>A new project folder with the given .arch files and Program.cs, referencing both packages by version
        /// from the feed only (with its own package cache, see <see cref="DotNet"/>), or with other references and imports.</summary>
        public string CreateConsumer(
            string name, IDictionary<string, string> archFiles, string program, string extraProperties = "",
            string? references = null, string imports = "")
        {
            references ??=
                "    <PackageReference Include=\"ArchDsl.Generator\" Version=\"" + Version + "\" />\n" +
                "    <PackageReference Include=\"ArchDsl.Runtime\" Version=\"" + Version + "\" />\n";
            var folder = Path.Combine(root, name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, name + ".csproj"),
                "<Project Sdk=\"Microsoft.NET.Sdk\">\n" +
                "  <PropertyGroup>\n" +
                "    <OutputType>Exe</OutputType>\n" +
                "    <TargetFramework>net10.0</TargetFramework>\n" +
                "    <Nullable>enable</Nullable>\n" +
                "    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>\n" +
                "    " + extraProperties + "\n" +
                "  </PropertyGroup>\n" +
                "  <ItemGroup>\n" + references + "  </ItemGroup>\n" +
                "  " + imports + "\n" +
                "</Project>\n");
            if (references.Length > 0) File.WriteAllText(Path.Combine(folder, "nuget.config"),
                "<configuration>\n  <packageSources>\n    <clear />\n    <add key=\"local\" value=\"" + Feed + "\" />\n" +
                "  </packageSources>\n</configuration>\n");
            File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
            foreach (var (path, text) in archFiles)
            {
                var full = Path.Combine(folder, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }
            return folder;
        }

        public (int ExitCode, string Output) DotNet(string folder, params string[] args) =>
            Packaging.DotNet.Run(folder, new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(root, "packages") }, args);

        public void Dispose()
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        private void Pack(string project, params string[] extra)
        {
            var args = new[]
            {
                "pack", Path.Combine(RepoPaths.Root, project), "-c", "Release", "-o", Feed,
                "--artifacts-path", Path.Combine(root, "artifacts"), "-p:PackageVersion=" + Version, "-nologo",
            }.Concat(extra).ToArray();
            var (code, output) = Packaging.DotNet.Run(RepoPaths.Root, null, args);
            if (code != 0) throw new InvalidOperationException("dotnet " + string.Join(" ", args) + " failed:\n" + output);
        }
    }
}
