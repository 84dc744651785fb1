using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Generator.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using static ArchDsl.Generator.Tests.GeneratorHarness;

namespace ArchDsl.Generator.Tests
{
    /// <summary>The driver runs twice with step tracking on; the run reasons of the second run show what the
    /// generator recomputed.</summary>
    public sealed class IncrementalityTests
    {
        private static readonly string[] AllSteps =
        {
            TrackingNames.Options, TrackingNames.ArchFiles, TrackingNames.AllArchFiles, TrackingNames.Units,
            TrackingNames.Outputs, TrackingNames.Sources, TrackingNames.Diagnostics,
        };

        // Steps whose value changes with the file's text (the diagnostics of both versions are the same: none).
        private static readonly string[] UnitSteps = { TrackingNames.Units, TrackingNames.Outputs, TrackingNames.Sources };

        private const string Lib = "block Stem(c: int) { conv c }\n";
        private const string Uses = "import \"lib/blocks.arch\"\nnetwork A { Stem(16) }\n";
        private const string Alone = "network B { conv 8 }\n";

        [Fact]
        public void UnrelatedCSharpEdit_LeavesEveryStepCachedOrUnchanged()
        {
            var (driver, compilation) = FirstRun(Arch("lib/blocks.arch", Lib), Arch("a.arch", Uses), Arch("b.arch", Alone));

            var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated { }", LanguageOptions));
            var run = driver.RunGenerators(edited).GetRunResult();

            foreach (var step in AllSteps)
            {
                var outputs = Outputs(run, step);
                Assert.NotEmpty(outputs);
                Assert.All(outputs, o => AssertUntouched(step, o.Reason));
            }
            Assert.All(run.Results.Single().TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
                o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        }

        [Fact]
        public void EditingOneOfTwoFiles_RecomputesOnlyThatFilesUnit()
        {
            var a = Arch("a.arch", "network A { conv 16 }\n");
            var b = Arch("b.arch", Alone);
            var (driver, compilation) = FirstRun(a, b);

            driver = driver.ReplaceAdditionalText(a, Arch("a.arch", "network A { conv 32 }\n"));
            var run = driver.RunGenerators(compilation).GetRunResult();

            foreach (var step in UnitSteps)
            {
                AssertReasons(run, step, modified: new[] { "a.arch" }, untouched: new[] { "b.arch" });
            }
            AssertReasons(run, TrackingNames.Diagnostics, modified: new string[0], untouched: new[] { "a.arch", "b.arch" });
            Assert.Contains("conv 32", run.GeneratedTrees.Single(t => t.FilePath.EndsWith("a.g.cs")).ToString());
        }

        [Fact]
        public void EditingAnImportedFile_RecomputesItsImporters()
        {
            var lib = Arch("lib/blocks.arch", Lib);
            var (driver, compilation) = FirstRun(lib, Arch("a.arch", Uses), Arch("b.arch", Alone));

            driver = driver.ReplaceAdditionalText(lib, Arch("lib/blocks.arch", "block Stem(c: int) { conv c; relu }\n"));
            var run = driver.RunGenerators(compilation).GetRunResult();

            foreach (var step in UnitSteps)
            {
                AssertReasons(run, step, modified: new[] { "lib/blocks.arch", "a.arch" }, untouched: new[] { "b.arch" });
            }
            AssertReasons(run, TrackingNames.Diagnostics, modified: new string[0], untouched: new[] { "b.arch" });
            Assert.Contains("conv c; relu", run.GeneratedTrees.Single(t => t.FilePath.EndsWith("a.g.cs")).ToString());
        }

        [Fact]
        public void TransitiveImports_TravelWithTheUnit()
        {
            var (_, _, run) = Run(
                Arch("a.arch", "import \"mid.arch\"\nnetwork A { Mid() }\n"),
                Arch("mid.arch", "import \"deep/leaf.arch\"\nblock Mid() { Leaf() }\n"),
                Arch("deep/leaf.arch", "block Leaf() { conv 4 }\n"));

            var unit = Outputs(run, TrackingNames.Units).Select(o => (ArchUnit)o.Value).Single(u => u.File.DisplayPath == "a.arch");
            Assert.Equal(new[] { "deep/leaf.arch", "mid.arch" }, unit.Imports.Select(f => f.DisplayPath));
        }

        [Fact]
        public void ImportCycles_AreCarriedOnceAndDoNotHang()
        {
            var (_, _, run) = Run(
                Arch("a.arch", "import \"b.arch\"\nnetwork A { conv 1 }\n"),
                Arch("b.arch", "import \"a.arch\"\nimport \"b.arch\"\nblock B() { conv 1 }\n"));

            var units = Outputs(run, TrackingNames.Units).Select(o => (ArchUnit)o.Value).ToArray();
            Assert.Equal(new[] { "b.arch" }, units.Single(u => u.File.DisplayPath == "a.arch").Imports.Select(f => f.DisplayPath));
            Assert.Equal(new[] { "a.arch" }, units.Single(u => u.File.DisplayPath == "b.arch").Imports.Select(f => f.DisplayPath));
        }

        [Fact]
        public void AddingAFile_LeavesExistingUnitsUnchanged()
        {
            var (driver, compilation) = FirstRun(Arch("a.arch", Uses), Arch("lib/blocks.arch", Lib));

            driver = driver.AddAdditionalTexts(new AdditionalText[] { Arch("c.arch", Alone) }.ToImmutableArray());
            var run = driver.RunGenerators(compilation).GetRunResult();

            AssertReasons(run, TrackingNames.Outputs, modified: new[] { "c.arch" }, untouched: new[] { "a.arch", "lib/blocks.arch" });
        }

        [Fact]
        public void ChangingTheNamespace_RecomputesEveryUnit()
        {
            var (driver, compilation) = FirstRun(Arch("a.arch", Uses), Arch("b.arch", Alone));

            driver = driver.WithUpdatedAnalyzerConfigOptions(Properties(new Dictionary<string, string> { ["ArchDslNamespace"] = "Other.Nets" }));
            var run = driver.RunGenerators(compilation).GetRunResult();

            Assert.All(Outputs(run, TrackingNames.Outputs), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
            Assert.All(run.GeneratedTrees, t => Assert.Contains("namespace Other.Nets", t.ToString()));
        }

        private static (GeneratorDriver Driver, Compilation Compilation) FirstRun(params ArchText[] files)
        {
            var (driver, compilation, _) = Run(files);
            return (driver, compilation);
        }

        private static (GeneratorDriver Driver, Compilation Compilation, GeneratorDriverRunResult Run) Run(params ArchText[] files)
        {
            var compilation = Compilation(null, "class Program { }");
            var driver = Driver(new ArchGenerator(EchoEmitter()), files).RunGenerators(compilation);
            return (driver, compilation, driver.GetRunResult());
        }

        private static void AssertUntouched(string step, IncrementalStepRunReason reason) =>
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                step + " was " + reason);

        /// <summary>Each output of <paramref name="step"/> belongs to one file; the named files' outputs must be
        /// recomputed with a new value, the others cached or unchanged.</summary>
        private static void AssertReasons(GeneratorDriverRunResult run, string step, string[] modified, string[] untouched)
        {
            var reasons = new Dictionary<string, IncrementalStepRunReason>();
            foreach (var runStep in Steps(run, step))
            {
                for (var i = 0; i < runStep.Outputs.Length; i++)
                {
                    reasons[FileOf(runStep, i).Substring(ProjectDir.Length)] = runStep.Outputs[i].Reason;
                }
            }
            foreach (var file in modified)
            {
                Assert.True(reasons.TryGetValue(file, out var reason) && reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New,
                    step + " for " + file + " should be recomputed; reasons: " + Describe(reasons));
            }
            foreach (var file in untouched)
            {
                Assert.True(reasons.TryGetValue(file, out var reason) && reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                    step + " for " + file + " should be cached; reasons: " + Describe(reasons));
            }
        }

        private static string Describe(Dictionary<string, IncrementalStepRunReason> reasons) =>
            string.Join(", ", reasons.OrderBy(r => r.Key).Select(r => r.Key + "=" + r.Value));
    }
}
