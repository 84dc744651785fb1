using System.Linq;
using ArchDsl.Generator.Emit;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>Auxiliary heads: counted in parameters, left out of the inference totals, emitted as a typed
    /// training-only output beside the main one.</summary>
    public class AuxOutputTests
    {
        [Fact]
        public void Aux_head_parameters_count_but_its_macs_do_not()
        {
            // ConstructTests.Aux: conv 3->8 3x3 on 32x32 (224 params, 221,184 MACs); main fc 8->10 (90, 80);
            // aux fc 8->10 (90 params, 80 MACs) runs only in training, so the inference MACs leave it out.
            var r = ConstructTests.Report(ConstructTests.Aux);
            Assert.Equal(224 + 90 + 90, r.Summary.Params);
            Assert.Equal(221_184 + 80, r.Summary.Macs);
            Assert.Contains(r.Summary.Layers, l => l.Path == "aux1.fc" && l.Macs == 80);
        }

        [Fact]
        public void Aux_head_under_a_condition_is_counted_only_when_built()
        {
            const string source = @"
network N(with_aux: bool = true) {
  input 3x8x8
  conv(4, 1)
  if with_aux { head: aux { flatten
    linear(5) } }
  flatten
  fc: linear(2)
}
variant Off = N(with_aux: false)
";
            var on = ConstructTests.Report(source);
            var off = ConstructTests.Report(source, "Off");
            Assert.Equal(16 + 256 * 5 + 5 + 256 * 2 + 2, on.Summary.Params);
            Assert.Equal(16 + 256 * 2 + 2, off.Summary.Params);
            Assert.Equal(off.Summary.Macs, on.Summary.Macs);
        }

        [Fact]
        public void Network_with_aux_heads_emits_a_typed_forward_with_aux()
        {
            var result = CSharpEmitter.Emit(new SourceFile("t.arch", ConstructTests.Aux), NoImports.Instance, new EmitOptions("Test.Models"));
            Assert.True(result.Diagnostics.All(d => d.Severity != ArchSeverity.Error), string.Join("\n", result.Diagnostics));
            var text = result.Sources.Single(s => s.HintName.EndsWith(".N.g.cs", System.StringComparison.Ordinal)).Text;
            Assert.Contains("public sealed record Outputs(Tensor Output, Tensor? Aux1);", text);
            Assert.Contains("public Outputs forward_with_aux(Tensor input)", text);
            Assert.Contains("if (this.training)", text);
        }

        [Fact]
        public void Aux_inside_a_block_is_reported_not_miscompiled()
        {
            const string source = @"
block B() {
  conv(4, 1)
  head: aux { flatten
    linear(5) }
}
network N() {
  input 3x8x8
  B()
}
";
            var result = CSharpEmitter.Emit(new SourceFile("t.arch", source), NoImports.Instance, new EmitOptions("Test.Models"));
            Assert.Contains(result.Diagnostics, d => d.Severity == ArchSeverity.Error && d.Message.Contains("auxiliary output"));
        }
    }
}
