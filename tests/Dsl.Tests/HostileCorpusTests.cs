using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using ArchDsl.Fuzzing;
using ArchDsl.Generator.Emit;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Dsl.Tests
{
    /// <summary>Every hostile input in tests/Dsl.Tests/FuzzCorpus that names its expected outcome in a first line
    /// <c>// expect: ARCH0023</c> (or <c>none</c>: no error) goes through the whole generator path (front end and
    /// emitter, as the IDE runs it, on a 1 MB-stack thread) within the bounds docs/reliability.md promises:
    /// 2 s of CPU time and 500 MB allocated, a diagnostic located in the file, never an internal error.</summary>
    public class HostileCorpusTests
    {
        private static readonly string Corpus = Path.Combine(RepoPaths.Root, "tests", "Dsl.Tests", "FuzzCorpus");
        private static readonly TimeSpan CpuBound = TimeSpan.FromSeconds(2);
        private const long AllocationBound = 500L << 20;

        public static TheoryData<string> Cases()
        {
            var data = new TheoryData<string>();
            foreach (var path in Directory.EnumerateFiles(Corpus, "*.arch").OrderBy(p => p, StringComparer.Ordinal))
                if (Expected(File.ReadAllText(path)) != null) data.Add(Path.GetFileName(path));
            return data;
        }

        private static string? Expected(string text)
        {
            const string marker = "// expect: ";
            if (!text.StartsWith(marker, StringComparison.Ordinal)) return null;
            int end = text.IndexOf('\n');
            return text.Substring(marker.Length, (end < 0 ? text.Length : end) - marker.Length).Trim();
        }

        /// <summary>Runs the emitter (which runs the front end) as the generator does; returns the result, the CPU time of
        /// its thread and the bytes it allocated.</summary>
        internal static (EmitResult Result, TimeSpan Cpu, long Allocated) EmitBounded(string path, string text)
        {
            EmitResult? result = null;
            Exception? failure = null;
            var cpu = TimeSpan.Zero;
            long allocated = 0;
            var thread = new Thread(() =>
            {
                try
                {
                    var clock = CpuClock.ForCurrentThread();
                    var start = clock();
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    result = CSharpEmitter.Emit(new SourceFile(path, text), NoImports.Instance, new EmitOptions("Hostile"));
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                    cpu = clock() - start;
                }
                catch (Exception e) { failure = e; }
            }, 1024 * 1024) { IsBackground = true };
            thread.Start();
            Assert.True(thread.Join(TimeSpan.FromSeconds(120)), path + ": the generator did not finish within 120 s");
            Assert.Null(failure);
            return (result!, cpu, allocated);
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void Hostile_input_ends_in_its_diagnostic_within_the_bounds(string name)
        {
            var text = File.ReadAllText(Path.Combine(Corpus, name));
            var expected = Expected(text)!;
            var (result, cpu, allocated) = EmitBounded(name, text);
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "ARCH9998" || d.Id == "ARCH9999");
            foreach (var d in result.Diagnostics)
            {
                Assert.Equal(name, d.Path);
                Assert.True(d.Line >= 1 && d.Column >= 1 && d.Start + d.Length <= text.Length, d.ToString());
            }
            var errors = result.Diagnostics.Where(d => d.Severity == ArchSeverity.Error).ToList();
            if (expected == "none") Assert.True(errors.Count == 0, string.Join("\n", errors));
            else Assert.True(errors.Any(d => d.Id == expected), "expected " + expected + ", got:\n" + string.Join("\n", result.Diagnostics));
            Assert.True(cpu <= CpuBound && allocated <= AllocationBound,
                name + ": " + cpu.TotalSeconds + " s of CPU time, " + (allocated >> 20) + " MB allocated");
        }
    }
}
