using ArchDsl.Testing;
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
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

        private readonly Xunit.Abstractions.ITestOutputHelper log;

        public PackageTests(PackedFeed feed, Xunit.Abstractions.ITestOutputHelper log)
        {
            this.feed = feed;
            this.log = log;
        }

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
        public void RuntimePackage_CarriesTheRuntimeDependsOnTorchSharpAndShipsTheDebianStep()
        {
            var entries = Entries("ArchDsl.Runtime");
            Assert.Contains(entries, e => Regex.IsMatch(e, @"^lib/net[0-9.]+/ArchDsl\.Runtime\.dll$"));
            // The managed package only, at the version the generated code is compiled against: the user picks the backend.
            var dependencies = Regex.Matches(Nuspec("ArchDsl.Runtime"), "<dependency [^>]*>").Select(m => m.Value).ToArray();
            Assert.Contains(dependencies, d => d.Contains("id=\"TorchSharp\"") && d.Contains("version=\"0.107.0\""));
            Assert.DoesNotContain(dependencies, d => d.Contains("id=\"TorchSharp-cpu\"") || d.Contains("id=\"libtorch"));
            // The build integration that makes TorchSharp's native library loadable on an old libstdc++ (Debian 12).
            Assert.Contains("buildTransitive/ArchDsl.Runtime.targets", entries);
            Assert.Contains("buildTransitive/tasks/LibTorchSharpOnOldLibstdcxx.csx", entries);
            Assert.Contains("buildTransitive/native/glibcxx_compat.cpp", entries);
            Assert.DoesNotContain(entries, e => e.StartsWith("runtimes/", StringComparison.Ordinal));
        }

        /// <summary>A fresh project of the packed packages and TorchSharp-cpu builds with no manual step and runs a
        /// generated network on the real TorchSharp. Where the system's libstdc++ lacks GLIBCXX_3.4.32 (Debian 12) the
        /// build output holds the patched libLibTorchSharp.so and the compat library side by side, the package cache's
        /// file stays untouched, and a second build does not patch again; elsewhere the output's copy is the package's.</summary>
        [Fact]
        public void FreshConsumer_BuildsWithTheGeneratorAndRuns()
        {
            var app = feed.TorchSharpConsumer;
            Assert.True(app.Restore.ExitCode == 0, app.Restore.Output);
            Assert.True(app.FirstBuild.ExitCode == 0, app.FirstBuild.Output);
            Assert.DoesNotMatch(new Regex(@"\b(CS8784|CS8785|ARCH9999)\b"), app.FirstBuild.Output);
            Assert.True(app.SecondBuild.ExitCode == 0, app.SecondBuild.Output);

            // The package cache is never modified.
            Assert.True(app.CacheHashBefore.SequenceEqual(app.CacheHashAfter),
                app.CacheLibrary + " changed during the build");
            Assert.True(Sha256(app.CacheLibrary).SequenceEqual(app.CacheHashBefore), app.CacheLibrary + " changed after the build");

            var output = Path.Combine(app.Folder, "bin", "Release", "net10.0", "runtimes", "linux-x64", "native");
            var library = Path.Combine(output, "libLibTorchSharp.so");
            var compat = Path.Combine(output, "libArchDslGlibcxxCompat.so");
            Assert.True(File.Exists(library), library + " missing:\n" + app.FirstBuild.Output);
            if (SystemLibstdcxx.LacksGlibcxx3432)
            {
                Assert.True(File.Exists(compat), compat + " missing beside the patched library (system libstdc++ "
                    + SystemLibstdcxx.Path + " lacks GLIBCXX_3.4.32):\n" + app.FirstBuild.Output);
                Assert.False(Sha256(library).SequenceEqual(app.CacheHashBefore), library + " is the package's unpatched file");
                Assert.Contains("patchelf --clear-symbol-version", app.FirstBuild.Output);
                // Incremental: the second build skips the patch (no g++, no patchelf) and rewrites neither file.
                Assert.Contains("Skipping target \"_ArchDslPatchLibTorchSharp\" because all output files are up-to-date", app.SecondBuild.Output);
                Assert.DoesNotContain("patchelf --clear-symbol-version", app.SecondBuild.Output);
                Assert.DoesNotContain("g++ -shared", app.SecondBuild.Output);
                Assert.Equal(app.OutputTimesAfterFirstBuild, app.OutputTimesAfterSecondBuild);
            }
            else
            {
                Assert.False(File.Exists(compat), compat + " written although the system libstdc++ " + SystemLibstdcxx.Path + " has GLIBCXX_3.4.32");
                Assert.True(Sha256(library).SequenceEqual(app.CacheHashBefore), library + " differs from the package's file");
            }

            var run = feed.DotNet(app.Folder, "run", "--no-build", "-c", "Release");
            Assert.True(run.ExitCode == 0, run.Output);
            log.WriteLine($"system libstdc++ {SystemLibstdcxx.Path}, lacks GLIBCXX_3.4.32: {SystemLibstdcxx.LacksGlibcxx3432}; restore {app.RestoreSeconds:F1} s, first build {app.FirstBuildSeconds:F1} s, second build {app.SecondBuildSeconds:F1} s");
            var network = app.Network;
            Assert.Contains("output 1x" + string.Join("x", network.Output), run.Output);
            Assert.True(run.Output.Contains(network.Params.ToString("N0", CultureInfo.InvariantCulture)) ||
                        run.Output.Contains(network.Params.ToString(CultureInfo.InvariantCulture)),
                "the summary should show " + network.Params + " parameters:\n" + run.Output);
        }

        /// <summary>The same fresh project loads torchvision's ResNet-18 weights (exported by Debian's torch in
        /// TorchSharp's format) into the generated ResNet18 with load(path, strict: true) and gives torchvision's output.</summary>
        [PythonFact]
        public void FreshConsumer_LoadsTorchvisionResNet18WeightsStrictlyAndMatchesTorchvision()
        {
            var app = feed.TorchSharpConsumer;
            Assert.True(app.FirstBuild.ExitCode == 0, app.FirstBuild.Output);
            var reference = Path.Combine(feed.Root, "resnet18-reference");
            Python.RunScript(Path.Combine(RepoPaths.Root, "tests", "Catalogue.Tests", "python", "torchvision_reference.py"),
                "resnet18()", "3x224x224", reference);
            var actualPath = Path.Combine(reference, "consumer-output.bin");

            var run = feed.DotNet(app.Folder, "run", "--no-build", "-c", "Release", "--",
                Path.Combine(reference, "weights.dat"), Path.Combine(reference, "input.bin"), actualPath);

            Assert.True(run.ExitCode == 0, run.Output);
            var expected = Floats(Path.Combine(reference, "output0.bin"));
            var actual = Floats(actualPath);
            Assert.Equal(1000, expected.Length);
            Assert.Equal(expected.Length, actual.Length);
            double maxDiff = 0, magnitude = 0;
            for (var i = 0; i < expected.Length; i++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs((double)actual[i] - expected[i]));   // NaN propagates
                magnitude = Math.Max(magnitude, Math.Abs((double)expected[i]));
            }
            log.WriteLine($"ResNet-18 in the consumer against torchvision: max |difference| {maxDiff:E3}, reference magnitude {magnitude:E3}, bound {OutputBound(magnitude):E3}");
            Assert.True(magnitude > 0, "torchvision's output is all zeros");
            Assert.True(maxDiff <= OutputBound(magnitude),
                $"max |difference| {maxDiff:E3} from torchvision exceeds {OutputBound(magnitude):E3} (reference magnitude {magnitude:E3})");
        }

        /// <summary>The suite's rule for "the same output" (tests/Catalogue.Tests/OutputTolerance.cs): the largest
        /// difference is at most 1e-4 times the reference's largest magnitude, or 1e-4 for a magnitude below 1.</summary>
        private static double OutputBound(double magnitude) => 1e-4 * Math.Max(1.0, magnitude);

        private static float[] Floats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

        internal static byte[] Sha256(string path)
        {
            using var stream = File.OpenRead(path);
            return SHA256.HashData(stream);
        }

        [Fact]
        public void FreshConsumer_WithABrokenArchFile_FailsAtItsLineAndColumn()
        {
            var app = feed.CreateConsumer("broken", new Dictionary<string, string> { ["nets/broken.arch"] = BrokenArch },
                "System.Console.WriteLine(\"unreachable\");\n", references: PackedFeed.ArchDslReferences);

            var build = feed.DotNet(app, "build", "-c", "Release");

            Assert.NotEqual(0, build.ExitCode);
            Assert.Matches(new Regex(@"nets[/\\]broken\.arch\(\d+,\d+\): error ARCH\d{4}: "), build.Output);
            Assert.DoesNotMatch(new Regex(@"\b(CS8784|CS8785|ARCH9999)\b"), build.Output);
        }

        [Fact]
        public void OptingOut_LeavesArchFilesAlone()
        {
            var app = feed.CreateConsumer("optout", new Dictionary<string, string> { ["broken.arch"] = BrokenArch },
                "System.Console.WriteLine(\"ok\");\n", "<EnableDefaultArchDslItems>false</EnableDefaultArchDslItems>",
                references: PackedFeed.ArchDslReferences);

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
    }

    /// <summary>Packs ArchDsl.Runtime and ArchDsl.Generator once into a folder feed, building into a private artifacts
    /// folder so the working tree's bin/obj are left alone. Consumers take those two from the feed (with a package
    /// folder of their own, so every run restores the fresh packs) and everything else, TorchSharp-cpu included, from
    /// the machine's usual NuGet sources, reading what the machine's package cache already holds in place (a fallback
    /// folder: nothing is copied or downloaded again, and restore never writes there).</summary>
    public sealed class PackedFeed : IDisposable
    {
        public const string Version = "0.1.0-packtest";
        public const string TorchSharpVersion = "0.107.0";

        private readonly string root = Path.Combine(Path.GetTempPath(), "archdsl-pack-" + Guid.NewGuid().ToString("N"));
        private readonly Lazy<TorchSharpConsumer> torchSharpConsumer;
        private readonly string[] machineSources;
        private readonly string machinePackages;

        public PackedFeed()
        {
            Directory.CreateDirectory(Feed);
            Pack("src/Runtime/ArchDsl.Runtime.csproj");
            Pack("src/Generator/ArchDsl.Generator.csproj");
            // The machine's enabled sources ("E <url>" lines) and package cache, read once outside any project.
            var (code, sources) = Packaging.DotNet.Run(root, null, "nuget", "list", "source", "--format", "short");
            if (code != 0) throw new InvalidOperationException("dotnet nuget list source failed:\n" + sources);
            machineSources = sources.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("E ", StringComparison.Ordinal))
                .Select(l => l.Substring(2).Trim()).ToArray();
            var (localsCode, locals) = Packaging.DotNet.Run(root, null, "nuget", "locals", "global-packages", "--list");
            var match = Regex.Match(locals, @"global-packages:\s*(\S.*?)\s*$", RegexOptions.Multiline);
            if (localsCode != 0 || !match.Success) throw new InvalidOperationException("dotnet nuget locals failed:\n" + locals);
            machinePackages = match.Groups[1].Value;
            torchSharpConsumer = new Lazy<TorchSharpConsumer>(() => new TorchSharpConsumer(this));
        }

        public string Root => root;

        public string Feed => Path.Combine(root, "feed");

        /// <summary>The consumer of both packages and TorchSharp-cpu, built once for the tests that run it.</summary>
        public TorchSharpConsumer TorchSharpConsumer => torchSharpConsumer.Value;

        /// <summary>Both ArchDsl packages from the feed: enough for a project that is only compiled (the generated code
        /// needs the managed TorchSharp, a dependency of ArchDsl.Runtime), and no 600 MB of native libraries to copy.</summary>
        public const string ArchDslReferences =
            "    <PackageReference Include=\"ArchDsl.Generator\" Version=\"" + Version + "\" />\n" +
            "    <PackageReference Include=\"ArchDsl.Runtime\" Version=\"" + Version + "\" />\n";

        /// <summary>The CPU backend a user adds to run networks.</summary>
        public const string TorchSharpCpuReference =
            "    <PackageReference Include=\"TorchSharp-cpu\" Version=\"" + TorchSharpVersion + "\" />\n";

        public string Package(string id) => Path.Combine(Feed, id + "." + Version + ".nupkg");

        /// <summary>A new project folder with the given .arch files and Program.cs referencing, as a user's project does,
        /// ArchDsl.Generator and ArchDsl.Runtime by version from the feed and the TorchSharp-cpu backend from the machine's
        /// sources (see <see cref="DotNet"/>); or with other references and imports.</summary>
        public string CreateConsumer(
            string name, IDictionary<string, string> archFiles, string program, string extraProperties = "",
            string? references = null, string imports = "")
        {
            references ??= ArchDslReferences + TorchSharpCpuReference;
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
            if (references.Length > 0) File.WriteAllText(Path.Combine(folder, "nuget.config"), NuGetConfig());
            File.WriteAllText(Path.Combine(folder, "Program.cs"), program);
            foreach (var (path, text) in archFiles)
            {
                var full = Path.Combine(folder, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }
            return folder;
        }

        /// <summary>The ArchDsl packages from the feed only (source mapping), all others from the machine's sources; the
        /// machine's package cache as a read-only fallback folder.</summary>
        private string NuGetConfig()
        {
            var xml = new System.Text.StringBuilder("<configuration>\n  <packageSources>\n    <clear />\n");
            xml.Append("    <add key=\"archdsl-feed\" value=\"").Append(Feed).Append("\" />\n");
            for (var i = 0; i < machineSources.Length; i++)
                xml.Append("    <add key=\"machine-").Append(i).Append("\" value=\"").Append(machineSources[i]).Append("\" />\n");
            xml.Append("  </packageSources>\n  <packageSourceMapping>\n");
            xml.Append("    <packageSource key=\"archdsl-feed\"><package pattern=\"ArchDsl.Generator\" /><package pattern=\"ArchDsl.Runtime\" /></packageSource>\n");
            for (var i = 0; i < machineSources.Length; i++)
                xml.Append("    <packageSource key=\"machine-").Append(i).Append("\"><package pattern=\"*\" /></packageSource>\n");
            xml.Append("  </packageSourceMapping>\n  <fallbackPackageFolders>\n    <clear />\n");
            xml.Append("    <add key=\"machine-cache\" value=\"").Append(machinePackages).Append("\" />\n");
            xml.Append("  </fallbackPackageFolders>\n</configuration>\n");
            return xml.ToString();
        }

        public (int ExitCode, string Output) DotNet(string folder, params string[] args) =>
            Packaging.DotNet.Run(folder, new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(root, "packages") }, args);

        public void Dispose()
        {
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        private void Pack(string project)
        {
            var args = new[]
            {
                "pack", Path.Combine(RepoPaths.Root, project), "-c", "Release", "-o", Feed,
                "--artifacts-path", Path.Combine(root, "artifacts"), "-p:PackageVersion=" + Version, "-nologo",
            };
            var (code, output) = Packaging.DotNet.Run(RepoPaths.Root, null, args);
            if (code != 0) throw new InvalidOperationException("dotnet " + string.Join(" ", args) + " failed:\n" + output);
        }
    }

    /// <summary>A user's project of the packed packages and TorchSharp-cpu with the catalogue's resnet.arch: restored,
    /// built, and built again, with the package cache's libLibTorchSharp.so hashed around the first build and the
    /// output's native files' write times taken after each build. Program.cs is what a user writes: with no
    /// arguments, ResNet-50's summary and a forward pass; with a weights file, an input and an output file, ResNet-18
    /// loaded strictly with those weights, run on the input (raw float32), its logits written (raw float32).</summary>
    public sealed class TorchSharpConsumer
    {
        private const string Program =
            "using System;\n" +
            "using System.IO;\n" +
            "using System.Runtime.InteropServices;\n" +
            "using TorchSharp;\n" +
            "using My.Nets;\n" +
            "\n" +
            "if (args.Length == 0)\n" +
            "{\n" +
            "    Console.WriteLine(ResNet50.Summary());\n" +
            "    using var model = new ResNet50();\n" +
            "    using var y = model.call(torch.randn(1, 3, 224, 224));\n" +
            "    Console.WriteLine(\"output \" + string.Join(\"x\", y.shape));\n" +
            "}\n" +
            "else\n" +
            "{\n" +
            "    using var resnet = new ResNet18();\n" +
            "    resnet.load(args[0], strict: true);\n" +
            "    resnet.eval();\n" +
            "    using var _ = torch.no_grad();\n" +
            "    using var x = torch.tensor(MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(args[1])).ToArray(), new long[] { 1, 3, 224, 224 });\n" +
            "    using var logits = resnet.call(x);\n" +
            "    File.WriteAllBytes(args[2], logits.bytes.ToArray());\n" +
            "}\n";

        internal TorchSharpConsumer(PackedFeed feed)
        {
            var resnet = File.ReadAllText(Path.Combine(RepoPaths.Architectures, "resnet.arch"));
            Network = ArchFrontEnd.Check(new SourceFile("resnet.arch", resnet), new NoImports()).Networks.Single(n => n.Name == "ResNet50");
            Folder = feed.CreateConsumer("app", new Dictionary<string, string> { ["resnet.arch"] = resnet }, Program,
                "<ArchDslNamespace>My.Nets</ArchDslNamespace>");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Restore = feed.DotNet(Folder, "restore");
            RestoreSeconds = clock.Elapsed.TotalSeconds;
            CacheLibrary = Restore.ExitCode == 0 ? FindCacheLibrary(Folder) : "";
            CacheHashBefore = CacheLibrary.Length > 0 ? PackageTests.Sha256(CacheLibrary) : Array.Empty<byte>();
            // Normal verbosity: the log names the targets that ran and the ones skipped as up to date.
            clock.Restart();
            FirstBuild = feed.DotNet(Folder, "build", "--no-restore", "-c", "Release", "-v:n");
            FirstBuildSeconds = clock.Elapsed.TotalSeconds;
            CacheHashAfter = CacheLibrary.Length > 0 ? PackageTests.Sha256(CacheLibrary) : Array.Empty<byte>();
            OutputTimesAfterFirstBuild = OutputTimes();
            clock.Restart();
            SecondBuild = feed.DotNet(Folder, "build", "--no-restore", "-c", "Release", "-v:n");
            SecondBuildSeconds = clock.Elapsed.TotalSeconds;
            OutputTimesAfterSecondBuild = OutputTimes();
        }

        public NetworkSummary Network { get; }
        public string Folder { get; }
        public (int ExitCode, string Output) Restore { get; }
        public (int ExitCode, string Output) FirstBuild { get; }
        public (int ExitCode, string Output) SecondBuild { get; }
        public double RestoreSeconds { get; }
        public double FirstBuildSeconds { get; }
        public double SecondBuildSeconds { get; }
        /// <summary>The package cache's libLibTorchSharp.so the restore resolved.</summary>
        public string CacheLibrary { get; }
        public byte[] CacheHashBefore { get; }
        public byte[] CacheHashAfter { get; }
        public string[] OutputTimesAfterFirstBuild { get; }
        public string[] OutputTimesAfterSecondBuild { get; }

        /// <summary>Every native file ArchDsl writes (in obj/ and bin/) with its last write time.</summary>
        private string[] OutputTimes() =>
            new[] { "obj", "bin" }.Select(d => Path.Combine(Folder, d)).Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d, "*.so", SearchOption.AllDirectories))
                .Where(f => f.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal) || f.EndsWith("libArchDslGlibcxxCompat.so", StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => f + " " + File.GetLastWriteTimeUtc(f).ToString("O", CultureInfo.InvariantCulture)).ToArray();

        /// <summary>TorchSharp's native library in the package folder the restore resolved it from (project.assets.json).</summary>
        private static string FindCacheLibrary(string folder)
        {
            using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "obj", "project.assets.json")));
            var relative = assets.RootElement.GetProperty("libraries").GetProperty("TorchSharp/" + PackedFeed.TorchSharpVersion).GetProperty("path").GetString()!;
            foreach (var packages in assets.RootElement.GetProperty("packageFolders").EnumerateObject())
            {
                var candidate = Path.Combine(packages.Name, relative, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
                if (File.Exists(candidate)) return candidate;
            }
            throw new InvalidOperationException("libLibTorchSharp.so of TorchSharp " + PackedFeed.TorchSharpVersion + " not found in the restore's package folders");
        }

        private sealed class NoImports : IImportResolver
        {
            public SourceFile? Resolve(string fromPath, string importPath) => null;
        }
    }

    /// <summary>The system's libstdc++, found as ArchDsl.Runtime.targets finds it (ldconfig's cache, then the usual
    /// folders), and whether it defines GLIBCXX_3.4.32 (the version string in the file).</summary>
    internal static class SystemLibstdcxx
    {
        public static string Path { get; } = Find();

        public static bool LacksGlibcxx3432 { get; } = !Contains(File.ReadAllBytes(Path), System.Text.Encoding.ASCII.GetBytes("GLIBCXX_3.4.32\0"));

        private static string Find()
        {
            var abi = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "AArch64" : "x86-64";
            foreach (var ldconfig in new[] { "/sbin/ldconfig", "/usr/sbin/ldconfig" })
            {
                if (!File.Exists(ldconfig)) continue;
                var start = new System.Diagnostics.ProcessStartInfo(ldconfig, "-p") { RedirectStandardOutput = true, UseShellExecute = false };
                using var process = System.Diagnostics.Process.Start(start)!;
                var text = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (var line in text.Split('\n'))
                {
                    var arrow = line.IndexOf("=>", StringComparison.Ordinal);
                    if (!line.TrimStart().StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) || arrow < 0 || !line.Contains(abi, StringComparison.Ordinal)) continue;
                    var path = line.Substring(arrow + 2).Trim();
                    if (File.Exists(path)) return path;
                }
            }
            foreach (var dir in new[] { "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib" })
            {
                var candidate = System.IO.Path.Combine(dir, "libstdc++.so.6");
                if (File.Exists(candidate)) return candidate;
            }
            throw new InvalidOperationException("no system libstdc++.so.6 found");
        }

        private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
    }
}
