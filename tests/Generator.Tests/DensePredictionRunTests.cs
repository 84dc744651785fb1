using System;
using System.IO;
using System.Linq;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>samples/DensePrediction/tiny_fpn.arch through the generator and TorchSharp: the up-samplings to a skip's
    /// size follow the tensors' run-time sizes, <c>forward_with_outputs</c> returns every named output, <c>forward</c> the
    /// main one; the emitted PyTorch module gives the same outputs on the same weights.</summary>
    public class DensePredictionRunTests
    {
        private const string SamplePath = "samples/DensePrediction/tiny_fpn.arch";

        private static readonly Lazy<GeneratedAssembly> Built = new(() =>
            GeneratedAssembly.Build((SamplePath, File.ReadAllText(Path.Combine(RepoPaths.Root, SamplePath)))).AssertClean());

        /// <summary>Up-sampling to a map twice the size equals up-sampling by 2, in both modes (then the difference is 0).</summary>
        private const string Equivalence = @"
network Same() {
  input 3x5x7
  twice = input |> upsample(2)
  smooth = input |> upsample_bilinear(2)
  near = input |> upsample(to: twice)
  bilinear = input |> upsample_bilinear(to: twice)
  (near - twice) + (bilinear - smooth)
}
";

        private static (Tensor Output, Tensor P1, Tensor Coarse) Outputs(object model, Tensor x)
        {
            var result = model.GetType().GetMethod("forward_with_outputs")!.Invoke(model, new object[] { x })!;
            Tensor Get(string name) => (Tensor)result.GetType().GetProperty(name)!.GetValue(result)!;
            return (Get("Output"), Get("P1"), Get("Coarse"));
        }

        [Theory]
        [InlineData(45, 45)]
        [InlineData(37, 50)]
        public void Every_output_follows_the_input_size_the_forward_gets(long height, long width)
        {
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.TinyFpn");
            model.eval();
            using var _ = torch.no_grad();
            torch.manual_seed(3);
            using var x = torch.randn(2, 3, height, width);
            var (output, p1, coarse) = Outputs(model, x);
            long Half(long s) => (s + 1) / 2;   // a 3x3 convolution of stride 2 and padding 1
            Assert.Equal(new[] { 2L, 5, height, width }, output.shape);
            Assert.Equal(new[] { 2L, 8, height, width }, p1.shape);
            Assert.Equal(new[] { 2L, 5, Half(Half(height)), Half(Half(width)) }, coarse.shape);
            using var main = model.call(x);
            Assert.Equal(0.0, (main - output).abs().max().item<float>());
            output.Dispose(); p1.Dispose(); coarse.Dispose();
        }

        [Fact]
        public void Resizing_to_twice_the_size_equals_the_factor_2_up_sampling()
        {
            var build = GeneratedAssembly.Build(("same.arch", Equivalence)).AssertClean();
            using var model = (nn.Module<Tensor, Tensor>)build.Create("App.Same");
            torch.manual_seed(4);
            using var x = torch.randn(2, 3, 5, 7);
            using var y = model.call(x);
            Assert.Equal(new long[] { 2, 3, 10, 14 }, y.shape);
            Assert.True(y.abs().max().item<float>() < 1e-6f);
            // The check can fail: a different size gives a different map.
            using var other = Runtime.Upsample2d.To(x, torch.zeros(1, 1, 11, 14), "bilinear");
            Assert.Equal(new long[] { 2, 3, 11, 14 }, other.shape);
        }

        [Fact]
        public void The_main_output_does_not_depend_on_the_named_outputs_being_read()
        {
            // forward frees the named outputs; training through forward_with_outputs reaches every head's weights.
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.TinyFpn");
            model.train();
            torch.manual_seed(5);
            using var x = torch.randn(2, 3, 45, 45);
            var (output, p1, coarse) = Outputs(model, x);
            using var loss = output.mean() + coarse.mean() + p1.mean();
            loss.backward();
            foreach (var (name, p) in model.named_parameters())
                Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0, name + " got no gradient");
        }

        /// <summary>A top-down path written as loops over indexed names (the dataflow form of the generated code).</summary>
        private const string LoopFpn = @"
network LoopFpn() {
  input 3x45x45
  c0 = input
  for i in 1..4 {
    c{i} = c{i-1} |> down{i}: conv(8, 3, stride: 2, padding: 1)
  }
  p3 = c{3} |> lateral3: conv(4, 1)
  for i in [2, 1] {
    p{i} = (c{i} |> lateral{i}: conv(4, 1)) + (p{i+1} |> upsample_bilinear(to: c{i}, align_corners: i == 1))
  }
  p{1} |> head: conv(2, 1)
}
";

        [Theory]
        [InlineData(45, 45)]
        [InlineData(50, 41)]
        public void Loops_over_indexed_tensors_resize_to_each_skip(long height, long width)
        {
            var build = GeneratedAssembly.Build(("loop_fpn.arch", LoopFpn)).AssertClean();
            using var model = (nn.Module<Tensor, Tensor>)build.Create("App.LoopFpn");
            torch.manual_seed(7);
            using var x = torch.randn(1, 3, height, width);
            using var y = model.call(x);
            Assert.Equal(new[] { 1L, 2, (height + 1) / 2, (width + 1) / 2 }, y.shape);
        }

        [PythonFact]
        public void The_emitted_pytorch_module_gives_the_same_outputs_on_the_same_weights()
        {
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.TinyFpn");
            torch.manual_seed(6);
            using var x = torch.randn(1, 3, 41, 38);   // not the declared 45x45: sizes are read at run time
            var python = PythonParity.Outputs(File.ReadAllText(Path.Combine(RepoPaths.Root, SamplePath)), "TinyFpn", model, x, new[] { "output", "p1", "coarse" });
            using var _ = torch.no_grad();
            var (output, p1, coarse) = Outputs(model, x);
            PythonParity.AssertClose(output, python["output"], "output");
            PythonParity.AssertClose(p1, python["p1"], "p1");
            PythonParity.AssertClose(coarse, python["coarse"], "coarse");
        }

        [PythonFact]
        public void The_emitted_pytorch_dataflow_form_gives_the_same_output_on_the_same_weights()
        {
            var build = GeneratedAssembly.Build(("loop_fpn.arch", LoopFpn)).AssertClean();
            using var model = (nn.Module<Tensor, Tensor>)build.Create("App.LoopFpn");
            torch.manual_seed(8);
            using var x = torch.randn(1, 3, 37, 44);
            var python = PythonParity.Outputs(LoopFpn, "LoopFpn", model, x, new[] { "output" });
            using var _ = torch.no_grad();
            using var y = model.call(x);
            PythonParity.AssertClose(y, python["output"], "output");
        }
    }
}
