using System;
using System.IO;
using System.Linq;
using ArchDsl.Fuzzing;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>A small run of the fuzzing command (tests/Fuzz) inside the suite, every clean case compiled, and the replay of every input a run
    /// ever failed on (tests/Dsl.Tests/FuzzCorpus). The full run and its report are in docs/reliability.md.</summary>
    public sealed class ReliabilityFuzzTests
    {
        private static readonly string Corpus = Path.Combine(RepoPaths.Root, "tests", "Dsl.Tests", "FuzzCorpus");

        private static readonly FuzzOracle.FolderImports Imports = new FuzzOracle.FolderImports(RepoPaths.Architectures);

        public static TheoryData<string> CorpusFiles()
        {
            var data = new TheoryData<string>();
            foreach (var path in Directory.EnumerateFiles(Corpus, "*.arch").OrderBy(p => p, StringComparer.Ordinal)) data.Add(Path.GetFileName(path));
            return data;
        }

        [Theory]
        [MemberData(nameof(CorpusFiles))]
        public void Corpus_input_keeps_every_property(string name)
        {
            var result = new FuzzOracle(Imports, TimeSpan.FromSeconds(60)).Check(File.ReadAllText(Path.Combine(Corpus, name)), compile: true);
            Assert.Null(result.Failure);
        }

        [Fact]
        public void Generated_programs_keep_every_property()
        {
            var run = FuzzRun.Execute(cases: 400, seed: 20240601, compileEvery: 1, bound: TimeSpan.FromSeconds(60),
                seeds: Array.Empty<string>(), imports: Imports, hostileEvery: 0);
            Assert.True(run.Failures.Count == 0, string.Join("\n\n", run.Failures.Select(f => f.Reason + "\n" + f.Input)));
            Assert.True(run.Clean > 20, "only " + run.Clean + " of 400 generated programs are clean: the generator no longer reaches the emitter");
            Assert.Equal(run.Clean, run.Compiled);
        }

        [Fact]
        public void Mutated_catalogue_files_keep_every_property()
        {
            var seeds = CatalogueBuild.Paths().Select(File.ReadAllText).ToArray();
            var run = FuzzRun.Execute(cases: 120, seed: 20240602, compileEvery: 1, bound: TimeSpan.FromSeconds(60), seeds: seeds, imports: Imports, hostileEvery: 0);
            Assert.True(run.Failures.Count == 0, string.Join("\n\n", run.Failures.Select(f => f.Reason + "\n" + f.Input)));
        }

        [Fact]
        public void Programs_on_the_limits_keep_every_property()
        {
            // Deep, wide, huge-count, extreme-literal and colliding-name programs (HostileShapes), each kind in turn.
            var run = FuzzRun.Execute(cases: 60, seed: 20240603, compileEvery: 1, bound: TimeSpan.FromSeconds(60),
                seeds: Array.Empty<string>(), imports: Imports, hostileEvery: 1);
            Assert.True(run.Failures.Count == 0, string.Join("\n\n", run.Failures.Select(f => f.Reason + "\n" + f.Input)));
            Assert.Equal(60, run.Hostile);
            Assert.True(run.Clean > 10, "only " + run.Clean + " of 60 programs on the limits are clean: the compiler no longer sees them");
            Assert.Equal(run.Clean, run.Compiled);
        }

        [Fact]
        public void The_oracle_catches_a_span_outside_the_file_and_uncompilable_output()
        {
            // The oracle itself must be able to fail: C# with an error is reported.
            Assert.NotEmpty(FuzzOracle.Compile(new[] { new Emit.GeneratedSource("x.cs", "class C { int M() { return \"s\"; } }") }));
        }
    }
}
