using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Elaboration
{
    /// <summary>A file's analysis elaborates each distinct (network, argument values) once; the budget's layer count
    /// says how many layers were elaborated, the reports what each variant is.</summary>
    public class ElaborationReuseTests
    {
        private static AnalysisResult Analyze(string text)
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("reuse.arch", text), NoImports.Instance);
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return result;
        }

        private static NetworkSummary Report(AnalysisResult result, string name) =>
            Assert.Single(result.Reports, r => r.Summary.Name == name).Summary;

        [Fact]
        public void Variants_with_the_network_defaults_values_are_elaborated_once()
        {
            var result = Analyze("network Big(n: int = 1000) {\n  input 3x8x8\n  repeat n { relu }\n}\n" +
                "variant V1 = Big(n: 1000) reference \"big()\"\nvariant V2 = Big(n: 999 + 1)\nvariant V3 = Big()\nvariant V4 = Big(n: 5)\n");
            Assert.Equal(1000 + 5, result.Budget.Used(WorkKind.Layers));
            Assert.Equal(new[] { "Big", "V1", "V2", "V3", "V4" }, result.Reports.Select(r => r.Summary.Name));
            foreach (var name in new[] { "V1", "V2", "V3" })
            {
                Assert.Equal(1000, Report(result, name).Layers.Length);
                Assert.Equal(name, Assert.Single(result.Reports, r => r.Summary.Name == name).Network.Name);
            }
            Assert.Equal("big()", Report(result, "V1").Reference);
            Assert.Null(Report(result, "V2").Reference);
            Assert.Equal(5, Report(result, "V4").Layers.Length);
        }

        [Fact]
        public void A_defaulted_parameter_counts_with_its_default_value()
        {
            // V2 leaves b to its default (a * 3 = 6): the same as the network's, not V1's 7.
            var result = Analyze("network Two(a: int = 2, b: int = a * 3) {\n  input 3x8x8\n  repeat b { relu }\n}\n" +
                "variant V1 = Two(a: 2, b: 7)\nvariant V2 = Two(a: 2)\nvariant V3 = Two(b: 6)\nvariant V4 = Two(a: 3)\n");
            Assert.Equal(7, Report(result, "V1").Layers.Length);
            Assert.Equal(6, Report(result, "V2").Layers.Length);
            Assert.Equal(6, Report(result, "V3").Layers.Length);
            Assert.Equal(9, Report(result, "V4").Layers.Length);
            Assert.Equal(6 + 7 + 9, result.Budget.Used(WorkKind.Layers));
        }

        [Fact]
        public void Values_are_compared_by_kind_and_floats_bit_for_bit()
        {
            var result = Analyze("network F(p: float = 0.0) {\n  input 3x8x8\n  dropout(p)\n}\n" +
                "variant Zero = F(p: 0)\nvariant NegativeZero = F(p: -0.0)\nvariant Half = F(p: 0.5)\n");
            // 0 is coerced to 0.0, the default's value; -0.0 and 0.5 are other values.
            Assert.Equal(3, result.Budget.Used(WorkKind.Layers));
            Assert.Contains("0.5", Report(result, "Half").Layers[0].Operation);
        }

        [Fact]
        public void Four_copies_of_a_150000_layer_network_fit_the_file_budget()
        {
            // Elaborated four times these were 600,000 layers, past the file's 400,000.
            var result = Analyze("network Big(n: int = 150000) {\n  input 3x8x8\n  repeat n { relu }\n}\n" +
                "variant A = Big(n: 150000)\nvariant B = Big(n: 150000)\nvariant C = Big()\n");
            Assert.Equal(150000, result.Budget.Used(WorkKind.Layers));
            Assert.All(result.Reports, r => Assert.Equal(150000, r.Summary.Layers.Length));
        }
    }
}
