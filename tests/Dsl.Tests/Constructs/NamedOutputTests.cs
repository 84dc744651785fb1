using System.Linq;
using ArchDsl.Generator.Emit;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>Named outputs (<c>output name</c>, <c>output name = value</c>): always computed, counted in the totals,
    /// listed with their shapes, bound as tensors; and their misuse reported, located at the statement or the name.</summary>
    public class NamedOutputTests
    {
        private const string Pyramid = @"
network N() {
  input 3x16x16
  c1 = input |> c1: conv(4, 3, padding: 1)
  output feat
  c2 = c1 |> c2: conv(8, 3, stride: 2, padding: 1)
  output coarse = c2 |> coarse: conv(2, 1)
  output fine = c1 + (coarse |> side: conv(4, 1) |> upsample(to: c1))
  fine |> head: conv(2, 1)
}
";

        private static System.Collections.Generic.List<ArchDiagnostic> Errors(string source) =>
            ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance).Diagnostics.Where(x => x.Severity == ArchSeverity.Error).ToList();

        [Fact]
        public void Each_output_has_its_shape_in_declaration_order_and_its_work_counts()
        {
            var r = ConstructTests.Report(Pyramid);
            var outputs = r.Summary.NamedOutputs;
            Assert.Equal(new[] { "feat", "coarse", "fine" }, outputs.Select(o => o.Name));
            Assert.Equal(new long[] { 3, 16, 16 }, outputs[0].Shape.ToArray());     // the current tensor: the input
            Assert.Equal(new long[] { 2, 8, 8 }, outputs[1].Shape.ToArray());
            Assert.Equal(new long[] { 4, 16, 16 }, outputs[2].Shape.ToArray());
            Assert.Equal(new long[] { 2, 16, 16 }, r.Summary.Output.ToArray());
            // Every branch feeds an output, so all of it runs at inference: every convolution's MACs count.
            long macs = 16L * 16 * 4 * 3 * 9 + 8L * 8 * 8 * 4 * 9 + 8L * 8 * 2 * 8 + 8L * 8 * 4 * 2 + 16L * 16 * 2 * 4;
            Assert.Equal(macs, r.Summary.Macs);
        }

        [Fact]
        public void An_output_named_like_a_tensor_is_reported_unless_it_exports_it()
        {
            var d = Assert.Single(Errors("network N() {\n  input 3x4x4\n  t = input |> conv(2, 1)\n  output t\n}\n"));
            Assert.Equal(("ARCH0012", 4, 10), (d.Id, d.Line, d.Column));
            Assert.Contains("'output t = t' exports that tensor", d.Message);
            Assert.Empty(Errors("network N() {\n  input 3x4x4\n  t = input |> conv(2, 1)\n  output t = t\n}\n"));
        }

        [Theory]
        [InlineData("output a\n  output a = input |> conv(2, 1)", 4, 10, "as an output at line 3")]
        [InlineData("output Output", 3, 10, "the main output")]
        [InlineData("head: aux { flatten }\n  output head", 4, 10, "as an auxiliary output at line 3")]
        public void Name_collisions_are_reported_at_the_second_name(string body, int line, int column, string message)
        {
            var d = Assert.Single(Errors("network N() {\n  input 3x4x4\n  " + body + "\n}\n"));
            Assert.Equal(("ARCH0012", line, column), (d.Id, d.Line, d.Column));
            Assert.Contains(message, d.Message);
        }

        [Theory]
        [InlineData("for i in 0..2 { output a }", "not inside a loop")]
        [InlineData("if true { output a }", "not inside a loop")]
        [InlineData("g: { output a = input }", "not inside a loop")]
        public void An_output_outside_the_networks_own_body_is_misplaced(string body, string message)
        {
            var d = Assert.Single(Errors("network N() {\n  input 3x4x4\n  " + body + "\n}\n"));
            Assert.Equal("ARCH0025", d.Id);
            Assert.Equal(3, d.Line);
            Assert.Contains(message, d.Message);
        }

        [Fact]
        public void An_output_in_a_block_is_misplaced()
        {
            var d = Assert.Single(Errors("block B() {\n  conv(2, 1)\n  output a\n}\nnetwork N() {\n  input 3x4x4\n  B()\n}\n"));
            Assert.Equal(("ARCH0025", 3, 3), (d.Id, d.Line, d.Column));
            Assert.Contains("a block has one output", d.Message);
        }

        [Fact]
        public void A_scalar_value_is_reported_at_the_value()
        {
            var d = Assert.Single(Errors("network N() {\n  input 3x4x4\n  output a = 3\n}\n"));
            Assert.Equal(("ARCH0026", 3, 14), (d.Id, d.Line, d.Column));
        }

        [Fact]
        public void Output_stays_an_ordinary_name_elsewhere()
        {
            // A tensor called 'output', and a parameter: 'output' is a keyword only before a name.
            var tensor = ConstructTests.Report("network N() {\n  input 3x4x4\n  output = input |> conv(2, 1)\n  output\n}\n");
            Assert.Equal(new long[] { 2, 4, 4 }, tensor.Summary.Output.ToArray());
            var parameter = ConstructTests.Report("network N(output: int = 5) {\n  input 3x4x4\n  conv(output, 1)\n}\n");
            Assert.Equal(new long[] { 5, 4, 4 }, parameter.Summary.Output.ToArray());
        }

        [Fact]
        public void The_formatter_keeps_outputs()
        {
            var text = "network N() {\n  input 3x4x4\n  output a\n  output b = input |> conv(2, 1)\n}\n";
            var formatted = ArchDsl.Syntax.ArchFormatter.Format(text);
            Assert.Contains("output a\n", formatted);
            Assert.Contains("output b = input |> conv(2, 1)\n", formatted);
        }

        [Fact]
        public void The_csharp_record_holds_every_output_and_the_pytorch_module_returns_a_dict()
        {
            var result = CSharpEmitter.Emit(new SourceFile("t.arch", Pyramid), NoImports.Instance, new EmitOptions("Test.Models"));
            Assert.True(result.Diagnostics.All(d => d.Severity != ArchSeverity.Error), string.Join("\n", result.Diagnostics));
            var text = result.Sources.Single(s => s.HintName.EndsWith(".N.g.cs", System.StringComparison.Ordinal)).Text;
            Assert.Contains("public sealed record Outputs(Tensor Output, Tensor Feat, Tensor Coarse, Tensor Fine);", text);
            Assert.Contains("public Outputs forward_with_outputs(Tensor input)", text);
            Assert.Contains("Upsample2d.To(", text);
            var python = Generator.Emit.PyTorch.PyTorchEmitter.Emit(new SourceFile("t.arch", Pyramid), NoImports.Instance);
            Assert.Contains("return {\"output\": x, \"feat\": feat, \"coarse\": coarse, \"fine\": fine}", python.Text!);
            Assert.Contains("nn.functional.interpolate(", python.Text);
        }

        [Theory]
        [InlineData("output a\n  output A", "'A' is already defined as a property of the generated Outputs record (for output 'a')")]
        [InlineData("output to_string", "the Outputs record's property 'ToString'")]
        public void Names_that_collide_in_the_generated_record_are_located_arch_errors(string body, string message)
        {
            var source = "network N() {\n  input 3x4x4\n  " + body + "\n}\n";
            var result = CSharpEmitter.Emit(new SourceFile("t.arch", source), NoImports.Instance, new EmitOptions("Test.Models"));
            var d = Assert.Single(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
            Assert.StartsWith("ARCH00", d.Id);
            Assert.Contains(message, d.Message);
            Assert.Equal(body.Count(c => c == '\n') + 3, d.Line);
        }
    }
}
