using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>A body with indexed names (a clique block: x{i} bound in a loop, x{j} read, @w{j}_{i} re-applied) is
    /// generated in the dataflow form: keys are the front end's, and the forward is the clique's arithmetic.</summary>
    public sealed class IndexedNameEmitTests
    {
        private const string Source = @"// a two-stage clique block
block Clique(layers: int, k: int) {
  x0 = input
  for i in 1..layers + 1 {
    x{i} = add {
      for j in 0..i { x{j} |> relu |> w{j}_{i}: conv(k, 3, padding: 1, bias: false) }
    }
  }
  for i in 1..layers + 1 {
    y{i} = add {
      for j in 1..i { y{j} |> relu |> @w{j}_{i} }
      for j in i + 1..layers + 1 { x{j} |> relu |> w{j}_{i}: conv(k, 3, padding: 1, bias: false) }
    }
  }
  concat { input; for i in 1..layers + 1 { y{i} } }
}
network CliqueNet() {
  input 4x6x6
  block: Clique(3, 2)
  t = input * 0.5
  t + input
}
";

        private static readonly System.Lazy<GeneratedAssembly> Built =
            new System.Lazy<GeneratedAssembly>(() => GeneratedAssembly.Build(("clique.arch", Source)).AssertClean());

        [Fact]
        public void State_dict_keys_and_shapes_are_the_front_ends()
        {
            var report = ArchFrontEnd.Analyze(new SourceFile("clique.arch", Source), NoImports.Instance).Reports.Single();
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.CliqueNet");
            var generated = model.state_dict().Select(p => p.Key + " " + string.Join("x", p.Value.shape)).OrderBy(k => k, System.StringComparer.Ordinal).ToArray();
            var expected = report.StateDict.Select(s => s.Key + " " + string.Join("x", s.Shape)).OrderBy(k => k, System.StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, generated);
            Assert.Equal(9, generated.Length);
        }

        /// <summary>Stage I and stage II written out with functional ops on the model's own weights.</summary>
        [Fact]
        public void Forward_runs_stage_one_then_stage_two_with_the_same_weights()
        {
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.CliqueNet");
            model.eval();
            var w = model.state_dict();
            using var _ = torch.no_grad();
            torch.manual_seed(5);
            using var input = torch.randn(2, 4, 6, 6);
            Tensor W(int j, int i, Tensor t) => nn.functional.conv2d(nn.functional.relu(t), w["block.w" + j + "_" + i + ".weight"], padding: new long[] { 1, 1 });
            var x = new Dictionary<int, Tensor> { [0] = input };
            for (int i = 1; i <= 3; i++)
            {
                var s = W(0, i, input);
                for (int j = 1; j < i; j++) s = s + W(j, i, x[j]);
                x[i] = s;
            }
            var y = new Dictionary<int, Tensor>();
            for (int i = 1; i <= 3; i++)
            {
                Tensor? s = null;
                for (int j = 1; j < i; j++) s = s is null ? W(j, i, y[j]) : s + W(j, i, y[j]);
                for (int j = i + 1; j <= 3; j++) s = s is null ? W(j, i, x[j]) : s + W(j, i, x[j]);
                y[i] = s!;
            }
            var block = torch.cat(new[] { input, y[1], y[2], y[3] }, 1);
            var expected = block * 0.5 + block;
            using var actual = model.call(input);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(torch.allclose(expected, actual, rtol: 1e-5, atol: 1e-6), "max difference " + (expected - actual).abs().max().item<float>());
            // Stage II differs from stage I although no weight was added for the forward pairs.
            Assert.False(torch.allclose(x[1], y[1]));
        }
    }
}
