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
            var python = PythonOutputs(File.ReadAllText(Path.Combine(RepoPaths.Root, SamplePath)), "TinyFpn", model, x, new[] { "output", "p1", "coarse" });
            using var _ = torch.no_grad();
            var (output, p1, coarse) = Outputs(model, x);
            AssertClose(output, python["output"], "output");
            AssertClose(p1, python["p1"], "p1");
            AssertClose(coarse, python["coarse"], "coarse");
        }

        [PythonFact]
        public void The_emitted_pytorch_dataflow_form_gives_the_same_output_on_the_same_weights()
        {
            var build = GeneratedAssembly.Build(("loop_fpn.arch", LoopFpn)).AssertClean();
            using var model = (nn.Module<Tensor, Tensor>)build.Create("App.LoopFpn");
            torch.manual_seed(8);
            using var x = torch.randn(1, 3, 37, 44);
            var python = PythonOutputs(LoopFpn, "LoopFpn", model, x, new[] { "output" });
            using var _ = torch.no_grad();
            using var y = model.call(x);
            AssertClose(y, python["output"], "output");
        }

        private static void AssertClose(Tensor csharp, float[] python, string name)
        {
            var values = csharp.contiguous().data<float>().ToArray();
            Assert.Equal(values.Length, python.Length);
            double diff = values.Zip(python, (a, b) => Math.Abs((double)a - b)).Max();
            double magnitude = values.Max(v => Math.Abs((double)v));
            Assert.True(diff <= 1e-4 * Math.Max(1, magnitude), name + ": max difference " + diff + " at magnitude " + magnitude);
        }

        /// <summary>The PyTorch module emitted from <paramref name="archText"/>, loaded with <paramref name="model"/>'s
        /// weights (perturbed first, statistics too, so eval mode uses them) and run on <paramref name="x"/>: each of
        /// <paramref name="names"/> from <c>forward_with_outputs</c> (only "output": <c>forward</c>).</summary>
        private static System.Collections.Generic.Dictionary<string, float[]> PythonOutputs(string archText, string className, nn.Module model, Tensor x, string[] names)
        {
            var dir = Path.Combine(Path.GetTempPath(), "archdsl-fpn-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var emitted = Emit.PyTorch.PyTorchEmitter.Emit(new SourceFile("net.arch", archText), NoImports.Instance);
                Assert.True(emitted.Text != null && emitted.Diagnostics.All(d => d.Severity != ArchSeverity.Error), string.Join("\n", emitted.Diagnostics));
                File.WriteAllText(Path.Combine(dir, "net.py"), emitted.Text);
                using (torch.no_grad())
                    foreach (var (key, t) in model.state_dict())
                        if (key.EndsWith("running_var", StringComparison.Ordinal)) t.copy_(torch.rand(t.shape) + 0.5);
                        else if (t.is_floating_point()) t.add_(torch.randn(t.shape) * 0.1);
                model.eval();
                model.save(Path.Combine(dir, "weights.dat"));
                Write(x, Path.Combine(dir, "input.bin"));
                const string code = @"
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])
import net, torchsharp_format as f
model = getattr(net, sys.argv[3])()
model.load_state_dict(f.read_state_dict(sys.argv[1] + '/weights.dat'), strict=True)
model.eval()
shape = [int(d) for d in sys.argv[4].split('x')]
x = torch.from_numpy(np.fromfile(sys.argv[1] + '/input.bin', dtype=np.float32).reshape(shape))
names = sys.argv[5].split(',')
with torch.no_grad():
    if names == ['output']:
        outputs = {'output': model(x)}
    else:
        outputs = model.forward_with_outputs(x)
        assert torch.equal(model(x), outputs['output'])
for name in names:
    outputs[name].numpy().astype(np.float32).tofile(sys.argv[1] + '/' + name + '.bin')
";
                Python.RunCode(code, dir, Path.Combine(RepoPaths.Root, "tools", "weights"), className, string.Join("x", x.shape), string.Join(",", names));
                return names.ToDictionary(n => n, n =>
                {
                    var bytes = File.ReadAllBytes(Path.Combine(dir, n + ".bin"));
                    var values = new float[bytes.Length / 4];
                    Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
                    return values;
                });
            }
            finally { Directory.Delete(dir, true); }
        }

        private static void Write(Tensor t, string path)
        {
            var data = t.contiguous().data<float>().ToArray();
            var bytes = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
            File.WriteAllBytes(path, bytes);
        }
    }
}
