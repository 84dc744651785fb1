using System.Linq;
using ArchDsl.Analysis;
using Xunit;

namespace ArchDsl.Dsl.Tests.Elaboration
{
    /// <summary>Which residual sums may add the shortcut into the body's result: the body's last op wrote new memory
    /// its backward never reads, and nothing else reads that memory, in every instance of the residual.</summary>
    public class InPlaceSitesTests
    {
        private static InPlaceSites Sites(string source)
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return InPlaceSites.Of(result.Reports.Select(r => r.Network));
        }

        /// <summary>Whether the residual that starts at the n-th occurrence of "residual" sums in place.</summary>
        private static bool SumsInPlace(string source, int n = 0)
        {
            int start = -1;
            for (int i = 0; i <= n; i++) start = source.IndexOf("residual", start + 1, System.StringComparison.Ordinal);
            return Sites(source).ResidualSums.Contains(("t.arch", start));
        }

        private static string Network(string residual, string after = "") => @"
network N() {
  input 4x8x8
  stem: conv(4, 1)
  " + residual + @"
  " + after + @"
}";

        [Theory]
        [InlineData("residual { conv(4, 3, padding: 1); batchnorm }")]
        [InlineData("residual { conv(4, 3, padding: 1) }")]
        [InlineData("residual { conv(4, 1) } shortcut proj { conv(4, 1) }")]
        [InlineData("residual { concat { conv(2, 1); conv(2, 1) } }")]
        [InlineData("residual { conv(4, 1); residual { conv(4, 1) } }")]
        public void A_body_ending_in_new_memory_read_once_sums_in_place(string residual) =>
            Assert.True(SumsInPlace(Network(residual)));

        [Theory]
        [InlineData("residual { conv(4, 1); relu }")]               // a ReLU's backward reads its result
        [InlineData("residual { conv(4, 1); sigmoid }")]
        [InlineData("residual { conv(4, 1); dropout(0.1) }")]
        [InlineData("residual { conv(4, 1); maxpool(3, stride: 1, padding: 1) }")]
        [InlineData("residual { }")]                                 // the body's result is the shortcut itself
        [InlineData("residual { relu }")]
        public void A_body_ending_elsewhere_keeps_the_new_tensor(string residual) =>
            Assert.False(SumsInPlace(Network(residual)));

        [Fact]
        public void A_body_result_read_elsewhere_keeps_the_new_tensor()
        {
            // The body's result is the tensor t, which the network also returns.
            const string reads = @"
network N() {
  input 4x8x8
  t = input |> conv(4, 1)
  conv(4, 1)
  residual { t }
  output side = t
}";
            Assert.False(SumsInPlace(reads));
            Assert.True(SumsInPlace(reads.Replace("output side = t", "")));
            Assert.False(SumsInPlace(reads.Replace("output side = t", "t")), "t read again after the residual");
        }

        [Fact]
        public void A_linear_layer_writes_new_memory_too()
        {
            const string source = @"
network N() {
  input 4x8x8
  flatten
  linear(16)
  residual { linear(16) }
}";
            Assert.True(SumsInPlace(source));
        }

        [Fact]
        public void A_block_sums_in_place_only_if_every_instance_may()
        {
            const string source = @"
block R(act: bool) {
  residual {
    conv(4, 1)
    batchnorm
    if act { relu }
  }
}
network Plain() {
  input 4x8x8
  R(false)
}
network Mixed() {
  input 4x8x8
  R(false)
  R(true)
}";
            Assert.False(SumsInPlace(source));
            Assert.True(SumsInPlace(source.Replace("R(true)", "R(false)")));
        }
    }
}
