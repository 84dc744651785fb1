using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>A residual sum written into the body's result (<c>x.add_(shortcut)</c>, as torchvision's
    /// <c>out += identity</c>) trains exactly like the out-of-place sum, and a body whose last layer's backward reads
    /// its result keeps the out-of-place sum (in place there, backward would fail).</summary>
    public class ResidualSumRunTests
    {
        // Basic ends in a batch norm read by nothing else: its sum goes in place, and the ReLU after the sum too.
        // EndsInRelu's body ends in a ReLU (which runs in place on its batch norm): its sum must be a new tensor.
        private const string Source = @"
block Basic(c: int) {
  residual {
    c1: conv(c, 3, padding: 1, bias: false)
    b1: batchnorm
    r1: relu
    c2: conv(c, 3, padding: 1, bias: false)
    b2: batchnorm
  }
  out: relu
}
block EndsInRelu(c: int) {
  residual {
    c1: conv(c, 3, padding: 1)
    b1: batchnorm
    r1: relu
  }
}
network Net() {
  input 4x8x8
  stem: conv(4, 1)
  a: Basic(4)
  b: EndsInRelu(4)
  pool: adaptive_avgpool(1)
  flat: flatten
  fc: linear(3)
}
";

        private static readonly Lazy<GeneratedAssembly> Built = new(() => GeneratedAssembly.Build(("sums.arch", Source)).AssertClean());

        [Fact]
        public void Only_the_body_that_ends_in_a_fresh_result_is_summed_in_place()
        {
            var text = string.Join("\n", Built.Value.GeneratedTexts);
            var basic = ClassText(text, "partial class Basic ");
            var endsInRelu = ClassText(text, "partial class EndsInRelu ");
            Assert.Contains("x.add_(_shortcut);", basic);
            Assert.Contains("nn.ReLU(inplace: true)", basic);
            Assert.DoesNotContain("add_(", endsInRelu);
        }

        [Fact]
        public void Training_gradients_equal_the_out_of_place_sums_on_the_same_weights()
        {
            torch.manual_seed(11);
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.Net");
            model.train();
            var layers = model.named_modules().ToDictionary(m => m.name, m => m.module);
            Tensor Apply(string path, Tensor t) => ((nn.Module<Tensor, Tensor>)layers[path]).call(t);

            using var scope = torch.NewDisposeScope();
            var x = torch.randn(3, 4, 8, 8);
            var labels = torch.tensor(new long[] { 0, 2, 1 });

            // The reference: the same modules, every sum and activation a new tensor.
            var s = Apply("stem", x);
            var body = Apply("a.b2", Apply("a.c2", nn.functional.relu(Apply("a.b1", Apply("a.c1", s)))));
            var a = nn.functional.relu(body + s);
            var b = nn.functional.relu(Apply("b.b1", Apply("b.c1", a))) + a;
            var expected = Apply("fc", Apply("pool", b).flatten(1));
            nn.functional.cross_entropy(expected, labels).backward();
            var reference = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            model.zero_grad();

            // The generated forward: in-place sum and ReLU in Basic. Batch norms in training mode normalise by the
            // batch, so both passes see the same statistics (the running ones are not read).
            var actual = model.call(x);
            AssertSame(expected, actual, "output");
            nn.functional.cross_entropy(actual, labels).backward();
            foreach (var (name, p) in model.named_parameters())
                AssertSame(reference[name], p.grad!, "gradient of " + name);
        }

        [Fact]
        public void Summing_in_place_into_a_relu_result_is_what_autograd_refuses()
        {
            // What the generator must not emit for EndsInRelu: the ReLU's backward reads its result.
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.Net");
            model.train();
            var layers = model.named_modules().ToDictionary(m => m.name, m => m.module);
            Tensor Apply(string path, Tensor t) => ((nn.Module<Tensor, Tensor>)layers[path]).call(t);
            using var scope = torch.NewDisposeScope();
            var a = torch.randn(2, 4, 8, 8, requires_grad: true);
            var y = Apply("b.r1", Apply("b.b1", Apply("b.c1", a)));
            y.add_(a);
            var error = Assert.ThrowsAny<Exception>(() => y.sum().backward());
            Assert.Contains("inplace operation", error.Message);
        }

        /// <summary>Same modules, same kernels: the two forms do the same float32 arithmetic, but autograd may add a
        /// tensor's incoming gradients in another order, a rounding of float32 (6e-8) per addition; 1e-6 of the
        /// reference's largest value leaves room for that and nothing else.</summary>
        private static void AssertSame(Tensor expected, Tensor actual, string what)
        {
            Assert.Equal(expected.shape, actual.shape);
            double diff = (actual - expected).abs().max().item<float>();
            double magnitude = expected.abs().max().item<float>();
            Assert.True(magnitude > 0, what + " is zero: the comparison would prove nothing");
            Assert.True(diff <= 1e-6 * magnitude, $"{what}: max |difference| {diff:E3} against magnitude {magnitude:E3}");
        }

        private static string ClassText(string text, string header)
        {
            int start = text.IndexOf(header, StringComparison.Ordinal);
            Assert.True(start >= 0, header + " not generated");
            int next = text.IndexOf("\n    public ", start + header.Length, StringComparison.Ordinal);
            return next < 0 ? text.Substring(start) : text.Substring(start, next - start);
        }
    }
}
