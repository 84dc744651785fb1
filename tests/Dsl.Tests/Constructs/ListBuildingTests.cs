using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>Compile-time lists: comprehensions over ranges and lists, log, sum and prefix sums, with the values
    /// made visible as channel counts (the front end reports shapes, so each computed value is read back as one).</summary>
    public class ListBuildingTests
    {
        private static AnalysisResult Analyze(string source) => ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);

        /// <summary>The output channels of <c>conv(value, 1)</c> on a 1x1 input.</summary>
        private static long Channels(string lets, string value)
        {
            var result = Analyze("network N() {\n  input 1x1x1\n" + lets + "\n  conv(" + value + ", 1)\n}\n");
            Assert.True(!result.HasErrors, string.Join("\n", result.Diagnostics));
            return result.Reports.Single().Summary.Output[0];
        }

        [Fact]
        public void A_comprehension_maps_a_range_and_filters_it()
        {
            Assert.Equal(3 * 3 + 1, Channels("  let sq = [j * j for j in 0..4]", "sq[3] + len(sq) - 3"));
            Assert.Equal(3, Channels("  let even = [j for j in 0..6 if j % 2 == 0]", "len(even)"));
            Assert.Equal(12, Channels("  let xs = [2, 4, 6]\n  let ys = [x * 2 for x in xs if x > 2]", "sum(ys) - 8"));
        }

        [Fact]
        public void Sum_and_cumsum_keep_ints_ints_and_add_in_order()
        {
            Assert.Equal(10, Channels("  let depths = [1, 2, 3, 4]", "sum(depths)"));
            Assert.Equal(6, Channels("  let ends = cumsum([1, 2, 3, 4])", "ends[2]"));
            Assert.Equal(4, Channels("  let ends = cumsum([1, 2, 3, 4])", "len(ends)"));
            Assert.Equal(3, Channels("  let halves = cumsum([0.5, 0.5, 2.0])", "int(halves[2])"));
        }

        [Fact]
        public void Log_is_natural_or_to_a_base()
        {
            Assert.Equal(3, Channels("", "round(log(8, 2))"));
            Assert.Equal(2, Channels("", "round(log(exp(2.0)))"));
            Assert.Equal(5, Channels("", "int(sqrt(25.0))"));
        }

        // torchvision's BlockParams.from_init_params for regnet_y_400mf (depth 16, w0 48, wa 27.89, wm 2.09, group
        // width 8): stage widths 48, 104, 208, 440, depths 1, 3, 6, 6.
        private const string RegNetY400 = @"
  let depth = 16
  let w0 = 48
  let exponents = [round(log((j * 27.89 + w0) / w0) / log(2.09)) for j in 0..depth]
  let widths = [round(w0 * 2.09^e / 8) * 8 for e in exponents]
  let starts = [j for j in 0..depth if j == 0 || widths[j] != widths[j - 1]]
  let stages = len(starts)
  let depths = [(k + 1 < stages ? starts[k + 1] : depth) - starts[k] for k in 0..stages]
  let stage_widths = [widths[s] for s in starts]";

        [Fact]
        public void RegNet_widths_and_depths_are_computed_as_torchvision_computes_them()
        {
            Assert.Equal(4, Channels(RegNetY400, "stages"));
            Assert.Equal(new long[] { 48, 104, 208, 440 }, Enumerable.Range(0, 4).Select(k => Channels(RegNetY400, "stage_widths[" + k + "]")));
            Assert.Equal(new long[] { 1, 3, 6, 6 }, Enumerable.Range(0, 4).Select(k => Channels(RegNetY400, "depths[" + k + "]")));
        }

        // A linear stochastic-depth schedule over all blocks (EfficientNet's): block b of N drops with p·b/N.
        [Fact]
        public void A_stochastic_depth_schedule_comes_from_the_depths()
        {
            const string flat = @"
  let depths = [1, 2, 3]
  let total = sum(depths)
  let ends = cumsum(depths)
  let stage_of = [len([e for e in ends if e <= b]) for b in 0..total]
  let probs = [0.2 * b / total for b in 0..total]";
            Assert.Equal(new long[] { 0, 1, 1, 2, 2, 2 }, Enumerable.Range(0, 6).Select(b => Channels(flat, "stage_of[" + b + "] + 1") - 1));
            Assert.Equal(100, Channels(flat, "round(probs[3] * 1000)"));
        }

        [Theory]
        [InlineData("int(log(0))", "ARCH0018", "log needs a positive argument")]
        [InlineData("int(log(8, 1))", "ARCH0018", "base must be positive and not 1")]
        [InlineData("int(sqrt(-1.0))", "ARCH0018", "sqrt needs a non-negative")]
        [InlineData("make_divisible(8, 0)", "ARCH0018", "make_divisible needs a positive divisor, not 0")]
        [InlineData("sum(3)", "ARCH0006", "'sum' takes a list of numbers")]
        [InlineData("cumsum([true])", "ARCH0006", "'cumsum' takes a list of numbers")]
        [InlineData("len([j for j in 4])", "ARCH0006", "A comprehension needs a list or a range")]
        [InlineData("len([j for j in 0..10000000000])", "ARCH0023", "")]
        [InlineData("sum([9223372036854775807, 1])", "ARCH0018", "does not fit")]
        public void Bad_list_building_is_a_located_diagnostic(string value, string id, string message)
        {
            var result = Analyze("network N() {\n  input 1x1x1\n  conv(1 + " + value + ", 1)\n}\n");
            var d = Assert.Single(result.Diagnostics, x => x.Id == id);
            Assert.Contains(message, d.Message);
            Assert.Equal(3, d.Line);
            Assert.True(d.Column > 8, d.ToString());
        }

        [Fact]
        public void A_let_never_shadows_nor_rebinds()
        {
            var result = Analyze("network N(n: int = 3) {\n  input 1x1x1\n  let acc = 0\n  for d in [1, 2] {\n    let acc = acc + d\n  }\n  conv(acc + n, 1)\n}\n");
            var d = Assert.Single(result.Diagnostics, x => x.Id == "ARCH0012");
            Assert.Equal((5, 9), (d.Line, d.Column));
            Assert.Contains("'acc' is already defined as a 'let' at line 3", d.Message);

            var loop = Analyze("network N() {\n  input 1x1x1\n  for i in 0..2 {\n    repeat 2 as i { relu }\n  }\n}\n");
            Assert.Contains(loop.Diagnostics, x => x.Id == "ARCH0012" && x.Line == 4 && x.Message.Contains("a loop variable at line 3"));

            var comprehension = Analyze("network N() {\n  input 1x1x1\n  let j = 2\n  let xs = [j for j in 0..3]\n  conv(len(xs), 1)\n}\n");
            Assert.Contains(comprehension.Diagnostics, x => x.Id == "ARCH0012" && x.Line == 4);

            // Siblings do not see each other: the same name in two branches is two bindings, not a shadow.
            Assert.False(Analyze("network N(f: bool = true) {\n  input 1x1x1\n  if f { let c = 2\n conv(c, 1) } else { let c = 3\n conv(c, 1) }\n}\n").HasErrors);
        }
    }
}
