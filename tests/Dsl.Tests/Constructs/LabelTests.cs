using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>Labels as torchvision writes module names: with '-', purely numeric, interpolated from the first
    /// character; and a shortcut registered before the body.</summary>
    public class LabelTests
    {
        private static AnalysisResult Analyze(string source) => ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);

        private static string[] Keys(string body)
        {
            var result = Analyze("network N() {\n  input 4x8x8\n" + body + "\n}\n");
            Assert.True(!result.HasErrors, string.Join("\n", result.Diagnostics));
            return result.Reports.Single().StateDict.Select(s => s.Key).Where(k => k.EndsWith(".weight")).ToArray();
        }

        [Fact]
        public void A_label_may_hold_dashes_between_its_parts()
        {
            Assert.Equal(new[] { "block1-0.weight" }, Keys("  block1-0: conv(4, 1)"));
            Assert.Equal(new[] { "s.block1-0.weight", "s.block1-1.weight" },
                Keys("  s: for i in 0..2 {\n    block{1}-{i}: conv(4, 1)\n  }"));
        }

        [Fact]
        public void A_label_may_be_numeric_or_start_with_an_interpolation()
        {
            Assert.Equal(new[] { "0.weight", "7.weight" }, Keys("  0: conv(4, 1)\n  7: conv(4, 1)"));
            Assert.Equal(new[] { "features.1.0.weight", "features.1.1.weight", "features.2.0.weight" },
                Keys("  features: for i in 0..2 {\n    {i+1}: repeat 2 - i { conv(4, 1) }\n  }"));
        }

        [Fact]
        public void A_minus_outside_a_label_is_still_a_subtraction()
        {
            var result = Analyze("network N(a: int = 6, b: int = 2) {\n  input 4x8x8\n  conv(a-b, 1)\n  conv(a - b, 1)\n  x = input\n  x-y: conv(a-b, 1)\n}\n");
            Assert.True(!result.HasErrors, string.Join("\n", result.Diagnostics));
            Assert.Equal(4, result.Reports.Single().Summary.Output[0]);
        }

        [Theory]
        [InlineData("  a-: conv(4, 1)")]
        [InlineData("  -a: conv(4, 1)")]
        [InlineData("  a -b: conv(4, 1)")]
        public void A_dash_that_does_not_join_two_parts_is_a_syntax_error(string body)
        {
            var result = Analyze("network N() {\n  input 4x8x8\n" + body + "\n}\n");
            Assert.Contains(result.Diagnostics, d => d.Line == 3 && (d.Id == "ARCH0001" || d.Id == "ARCH0006" || d.Id == "ARCH0002"));
        }

        [Fact]
        public void An_interpolated_label_may_produce_a_dash_but_no_dot()
        {
            var result = Analyze("network N(s: string = \"a.b\") {\n  input 4x8x8\n  {s}: conv(4, 1)\n}\n");
            var d = Assert.Single(result.Diagnostics, x => x.Id == "ARCH0018");
            Assert.Contains("letters, digits, '_' and '-' only", d.Message);
            Assert.Equal(3, d.Line);
        }

        private const string Block = @"
block B(out: int) {
  residual shortcut proj when in_channels != out {
    conv(out, 1, bias: false)
    batchnorm
  } {
    f: conv(out, 3, padding: 1)
  }
}
network N() {
  input 4x8x8
  b: B(8)
}
";

        [Fact]
        public void A_shortcut_written_first_is_registered_first()
        {
            var result = Analyze(Block);
            Assert.True(!result.HasErrors, string.Join("\n", result.Diagnostics));
            var keys = result.Reports.Single().StateDict.Select(s => s.Key).ToList();
            Assert.True(keys.IndexOf("b.proj.0.weight") < keys.IndexOf("b.f.weight"), string.Join(", ", keys));

            var after = Analyze(Block.Replace("residual shortcut proj when in_channels != out {\n    conv(out, 1, bias: false)\n    batchnorm\n  } {\n    f: conv(out, 3, padding: 1)\n  }",
                "residual {\n    f: conv(out, 3, padding: 1)\n  } shortcut proj when in_channels != out {\n    conv(out, 1, bias: false)\n    batchnorm\n  }"));
            var afterKeys = after.Reports.Single().StateDict.Select(s => s.Key).ToList();
            Assert.True(afterKeys.IndexOf("b.proj.0.weight") > afterKeys.IndexOf("b.f.weight"));
            Assert.Equal(keys.OrderBy(k => k), afterKeys.OrderBy(k => k));
            Assert.Equal(after.Reports.Single().Summary.Params, result.Reports.Single().Summary.Params);
            Assert.Equal(after.Reports.Single().Summary.Macs, result.Reports.Single().Summary.Macs);
        }
    }
}
