using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary><c>bias_init</c> on conv and linear: a starting value for the bias (a highway gate's negative bias);
    /// it changes neither shapes nor costs, and needs a bias to set.</summary>
    public class BiasInitTests
    {
        const string Gate = @"
network N() {
  input 16x8x8
  gate: conv(16, 3, padding: 1, bias_init: -2.0)
  sigmoid
  flatten
  fc: linear(10, bias_init: 0)
}
";

        [Fact]
        public void Bias_init_leaves_shapes_and_costs_as_without_it()
        {
            var with = ConstructTests.Report(Gate).Summary;
            var without = ConstructTests.Report(Gate.Replace(", bias_init: -2.0", "").Replace(", bias_init: 0", "")).Summary;
            Assert.Equal(without.Params, with.Params);
            Assert.Equal(without.Macs, with.Macs);
            Assert.Equal(16 * 16 * 9 + 16 + 1024 * 10 + 10, with.Params);
        }

        [Fact]
        public void Bias_init_without_a_bias_is_an_error_at_the_argument()
        {
            var source = Gate.Replace("bias_init: -2.0", "bias: false, bias_init: -2.0");
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            var d = Assert.Single(result.Diagnostics);
            Assert.Contains("bias_init", d.Message);
            Assert.Equal(4, d.Line);
            Assert.Equal(source.Split('\n')[3].IndexOf("-2.0") + 1, d.Column);
        }

        [Fact]
        public void Bias_init_takes_a_number()
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", Gate.Replace("-2.0", "true")), NoImports.Instance);
            Assert.True(result.HasErrors);
        }
    }
}
