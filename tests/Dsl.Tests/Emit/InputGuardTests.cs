using System;
using System.Linq;
using System.Text.RegularExpressions;
using ArchDsl.Analysis;
using ArchDsl.Dsl.Tests.Support;
using ArchDsl.Generator.Emit;
using Xunit;

namespace ArchDsl.Dsl.Tests.Emit
{
    /// <summary>The generated input guard's smallest size comes from replaying the elaborated shape arithmetic,
    /// confirmed by elaborating; these tests hold the replay to the elaborator (bisection by elaborating, the
    /// method the guard used before) and check the confirmation catches a network the replay gets wrong.</summary>
    public class InputGuardTests
    {
        /// <summary>The smallest square size in [1, upper] at which the network elaborates, by bisection.</summary>
        private static long SmallestByElaborating(ArchDsl.Binding.BoundProgram program, string name, long channels, long upper)
        {
            long lo = 1, hi = upper;
            while (lo < hi)
            {
                long mid = (lo + hi) / 2;
                if (ArchFrontEnd.AnalyzeNetwork(program, name, null, (channels, mid, mid)) != null) hi = mid; else lo = mid + 1;
            }
            return lo;
        }

        [Fact]
        public void Replay_agrees_with_elaborating_for_every_catalogue_network_and_variant()
        {
            int compared = 0;
            foreach (var file in TestFiles.CatalogueFiles())
            {
                var analysis = ArchFrontEnd.Analyze(TestFiles.Catalogue(file), new TestFiles.CatalogueImports());
                Assert.False(analysis.HasErrors, file);
                foreach (var report in analysis.Reports)
                {
                    var input = report.Summary.Input;
                    long upper = Math.Max(input[1], input[2]);
                    long expected = SmallestByElaborating(analysis.Program!, report.Summary.Name, input[0], upper);
                    Assert.True(expected == InputReplay.SmallestFit(report.Network, upper), file + " " + report.Summary.Name + ": elaborating gives " + expected);
                    compared++;
                }
            }
            Assert.True(compared >= 100, compared + " networks compared");
        }

        [Fact]
        public void Replay_applies_PyTorchs_window_arithmetic_through_a_merge()
        {
            // 32 -> conv 5 (28) -> pool 2 (14) -> two same-size branches concatenated (14) -> conv 5 (10).
            const string text = "network N {\n input 3x32x32\n conv(6, 5)\n maxpool(2)\n concat {\n  conv(4, 3, padding: 1)\n  conv(4, 1)\n }\n conv(8, 5)\n}\n";
            var analysis = ArchFrontEnd.Analyze(new SourceFile("n.arch", text), NoImports.Instance);
            Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics));
            var network = analysis.Reports.Single().Network;
            // The last conv needs 5 rows: floor((s - 4) / 2) >= 5, so s >= 14 (worked by hand from PyTorch's formulas).
            Assert.False(InputReplay.Fits(network, 13));
            Assert.True(InputReplay.Fits(network, 14));
            Assert.Equal(14, InputReplay.SmallestFit(network, 32));
        }

        [Fact]
        public void Guard_stays_exact_for_a_network_that_reads_its_input_size()
        {
            // At 32 the kernel is 9, so the replay of the declared elaboration says 9; below 16 the network
            // takes a 3x3 kernel instead and elaborates down to 3. The guard must say 3, as elaborating does.
            const string text = "network N {\n input 3x32x32\n conv(8, in_height >= 16 ? 9 : 3)\n relu\n}\n";
            var analysis = ArchFrontEnd.Analyze(new SourceFile("n.arch", text), NoImports.Instance);
            Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics));
            Assert.Equal(9, InputReplay.SmallestFit(analysis.Reports.Single().Network, 32));
            Assert.Equal(3, SmallestByElaborating(analysis.Program!, "N", 3, 32));

            var emitted = CSharpEmitter.Emit(new SourceFile("n.arch", text), NoImports.Instance, new EmitOptions("Test.Models"));
            var source = emitted.Sources.Single(s => s.HintName.EndsWith(".N.g.cs", StringComparison.Ordinal)).Text;
            Assert.Equal("3", Regex.Match(source, @"MinimumHeight = (\d+)").Groups[1].Value);
        }
    }
}
