using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Compile-time lists, labels that are not C# identifiers and a shortcut registered first, through the
    /// generated C#: the constructor computes the front end's channel counts (comprehensions, log, sum, cumsum, at the
    /// constructor's arguments, not only the defaults), every label is registered under its exact text, and the
    /// keys come in the front end's order.</summary>
    public sealed class ListAndLabelEmitTests
    {
        private const string Source = @"// lists and labels
block Proj(out: int) {
  residual shortcut proj when in_channels != out {
    conv(out, 1, bias: false)
    batchnorm
  } {
    f: conv(out, 3, padding: 1, bias: false)
  }
}

network Lists(depth: int = 5, w0: int = 8, wa: float = 5.5, wm: float = 2.0) {
  input 3x8x8
  let exponents = [round(log((j * wa + w0) / w0) / log(wm)) for j in 0..depth]
  let widths = [round(w0 * wm^e / 4) * 4 for e in exponents]
  let starts = [j for j in 0..depth if j == 0 || widths[j] != widths[j - 1]]
  let ends = cumsum([1, 2, 3])
  0: conv(sum(widths), 1)
  block1-0: conv(widths[len(widths) - 1] + ends[2], 1)
  stages: for s in 0..len(starts) {
    {s+1}: Proj(widths[starts[s]])
  }
  int: relu
}
";

        private static readonly System.Lazy<GeneratedAssembly> Built =
            new System.Lazy<GeneratedAssembly>(() => GeneratedAssembly.Build(("lists.arch", Source)).AssertClean());

        // TorchSharp lists a module's buffers after all parameters (PyTorch interleaves them per module): the
        // comparisons are of parameters, in order, and buffers as a set.
        private static bool IsBuffer(string key) => key.Contains(".running_") || key.Contains(".num_batches_tracked");

        private static string[] Keys(nn.Module<Tensor, Tensor> model) => Order(model.state_dict().Select(p => p.Key + " " + string.Join("x", p.Value.shape)));

        private static string[] Order(System.Collections.Generic.IEnumerable<string> keys) =>
            keys.Where(k => !IsBuffer(k)).Concat(keys.Where(IsBuffer).OrderBy(k => k, System.StringComparer.Ordinal)).ToArray();

        [Fact]
        public void Keys_shapes_and_their_order_are_the_front_ends()
        {
            var report = ArchFrontEnd.Analyze(new SourceFile("lists.arch", Source), NoImports.Instance).Reports.Single();
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.Lists");
            var expected = Order(report.StateDict.Select(s => s.Key + " " + string.Join("x", s.Shape)));
            Assert.Equal(expected, Keys(model));
            Assert.Contains(Keys(model), k => k.StartsWith("block1-0.weight ", System.StringComparison.Ordinal));
            Assert.Contains(Keys(model), k => k.StartsWith("0.weight ", System.StringComparison.Ordinal));
            var keys = Keys(model).ToList();
            int proj = keys.FindIndex(k => k.StartsWith("stages.1.proj.0.weight", System.StringComparison.Ordinal));
            int body = keys.FindIndex(k => k.StartsWith("stages.1.f.weight", System.StringComparison.Ordinal));
            Assert.True(proj >= 0 && proj < body, string.Join(", ", keys));
        }

        [Fact]
        public void The_constructor_computes_lists_at_its_own_arguments()
        {
            // At depth 7, wa 9.0 the widths differ from the defaults'; the generated constructor must agree with the
            // front end evaluating the same arguments as a variant.
            var variant = Source + "variant Other = Lists(depth: 7, wa: 9.0)\n";
            var report = ArchFrontEnd.Analyze(new SourceFile("lists.arch", variant), NoImports.Instance).Reports.Single(r => r.Summary.Name == "Other");
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.Lists",
                new System.Collections.Generic.Dictionary<string, object?> { ["depth"] = 7L, ["wa"] = 9.0 });
            Assert.Equal(Order(report.StateDict.Select(s => s.Key + " " + string.Join("x", s.Shape))), Keys(model));
            using var y = model.call(torch.randn(1, 3, 8, 8));
            Assert.Equal(report.Summary.Output.ToArray(), y.shape.Skip(1).ToArray());
        }
    }
}
