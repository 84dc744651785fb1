using System.Linq;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>A residual, a merge and a tensor expression directly inside a repeat/for body: each iteration is
    /// generated as a nested module whose layers are keyed as the loop owner's children, so keys match the front
    /// end's and the forward is the body written out once per iteration.</summary>
    public sealed class LoopBodyTests
    {
        private const string Source = @"// loops whose bodies are more than chains
network LoopNet() {
  input 4x6x6
  repeat 2 as i {
    residual { conv(4, 3, padding: 1, bias: false); relu }
    relu
  }
  stage: for k in 0..2 {
    concat { conv(2 + k, 1); conv(2 - k, 1) }
    input * 0.5
  }
  flatten
}
";

        /// <summary>Batch norms and a loop variable read inside the iteration (a width and a scale per iteration).</summary>
        private const string Normalised = @"
network LoopBn() {
  input 3x10x10
  conv(8, 3, padding: 1)
  blocks: repeat 3 as i {
    residual { conv(8, 3, padding: 1, bias: false); batchnorm; relu; conv(8, 3, padding: 1, bias: false); batchnorm }
    relu
    input * (i + 1)
  }
  adaptive_avgpool(1)
  flatten
  linear(5)
}
";

        private static readonly System.Lazy<GeneratedAssembly> Built =
            new System.Lazy<GeneratedAssembly>(() => GeneratedAssembly.Build(("loops.arch", Source)).AssertClean());

        [Fact]
        public void State_dict_keys_and_shapes_are_the_front_ends()
        {
            var report = ArchFrontEnd.Analyze(new SourceFile("loops.arch", Source), NoImports.Instance).Reports.Single();
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.LoopNet");
            var generated = model.state_dict().Select(p => p.Key + " " + string.Join("x", p.Value.shape)).ToArray();
            var expected = report.StateDict.Select(s => s.Key + " " + string.Join("x", s.Shape)).ToArray();
            Assert.Equal(expected, generated);
            Assert.Contains("stage.3.weight 1x4x1x1", generated);
        }

        /// <summary>The forward against the same arithmetic written with functional ops on the model's own weights.</summary>
        [Fact]
        public void Forward_is_each_iteration_of_the_body_in_turn()
        {
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.LoopNet");
            model.eval();
            var w = model.state_dict();
            using var _ = torch.no_grad();
            torch.manual_seed(3);
            using var x = torch.randn(2, 4, 6, 6);
            var y = x;
            foreach (var conv in new[] { "0", "3" })
                y = nn.functional.relu(y + nn.functional.relu(nn.functional.conv2d(y, w[conv + ".weight"], padding: new long[] { 1, 1 })));
            foreach (var (a, b) in new[] { ("stage.0", "stage.1"), ("stage.2", "stage.3") })
            {
                var left = nn.functional.conv2d(y, w[a + ".weight"], w[a + ".bias"]);
                var right = nn.functional.conv2d(y, w[b + ".weight"], w[b + ".bias"]);
                y = torch.cat(new[] { left, right }, 1) * 0.5;
            }
            y = y.flatten(1);
            using var actual = model.call(x);
            Assert.Equal(y.shape, actual.shape);
            Assert.True(torch.allclose(y, actual, rtol: 1e-5, atol: 1e-6), "max difference " + (y - actual).abs().max().item<float>());
        }

        [Fact]
        public void Train_and_eval_reach_the_layers_of_every_iteration()
        {
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.LoopNet");
            model.eval();
            Assert.All(model.named_modules(), m => Assert.False(m.module.training, m.name));
            Assert.Equal(10, model.parameters().Count());
        }

        /// <summary>The PyTorch target builds the same iterations (a helper class per iteration whose modules the owner
        /// adds as its own): the C# weights load strictly, and the outputs agree.</summary>
        [PythonTheory]
        [InlineData("LoopNet")]
        [InlineData("LoopBn")]
        public void The_emitted_pytorch_module_gives_the_same_output_on_the_same_weights(string name)
        {
            var (text, input) = name == "LoopNet" ? (Source, new long[] { 2, 4, 6, 6 }) : (Normalised, new long[] { 2, 3, 10, 10 });
            var build = name == "LoopNet" ? Built.Value : GeneratedAssembly.Build(("loop_bn.arch", Normalised)).AssertClean();
            using var model = (nn.Module<Tensor, Tensor>)build.Create("App." + name);
            torch.manual_seed(11);
            using var x = torch.randn(input);
            var python = PythonParity.Outputs(text, name, model, x, new[] { "output" });
            using var _ = torch.no_grad();
            using var y = model.call(x);
            PythonParity.AssertClose(y, python["output"], "output");
        }
    }
}
