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

        [PythonFact]
        public void The_emitted_pytorch_module_gives_the_same_outputs_on_the_same_weights()
        {
            var dir = Path.Combine(Path.GetTempPath(), "archdsl-fpn-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var emitted = Emit.PyTorch.PyTorchEmitter.Emit(new SourceFile(SamplePath, File.ReadAllText(Path.Combine(RepoPaths.Root, SamplePath))), NoImports.Instance);
                Assert.True(emitted.Text != null && emitted.Diagnostics.All(d => d.Severity != ArchSeverity.Error), string.Join("\n", emitted.Diagnostics));
                File.WriteAllText(Path.Combine(dir, "tiny_fpn.py"), emitted.Text);

                using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.TinyFpn");
                using (torch.no_grad())
                    foreach (var (key, t) in model.state_dict())
                        if (key.EndsWith("running_var", StringComparison.Ordinal)) t.copy_(torch.rand(t.shape) + 0.5);
                        else if (t.is_floating_point()) t.add_(torch.randn(t.shape) * 0.1);
                model.eval();
                var weights = Path.Combine(dir, "weights.dat");
                model.save(weights);
                torch.manual_seed(6);
                using var x = torch.randn(1, 3, 41, 38);   // not the declared 45x45: sizes are read at run time
                Write(x, Path.Combine(dir, "input.bin"));
                const string code = @"
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])
import tiny_fpn, torchsharp_format as f
model = tiny_fpn.TinyFpn()
model.load_state_dict(f.read_state_dict(sys.argv[1] + '/weights.dat'), strict=True)
model.eval()
x = torch.from_numpy(np.fromfile(sys.argv[1] + '/input.bin', dtype=np.float32).reshape(1, 3, 41, 38))
with torch.no_grad():
    outputs = model.forward_with_outputs(x)
    assert torch.equal(model(x), outputs['output'])
for name in ['output', 'p1', 'coarse']:
    outputs[name].numpy().astype(np.float32).tofile(sys.argv[1] + '/' + name + '.bin')
";
                Python.RunCode(code, dir, Path.Combine(RepoPaths.Root, "tools", "weights"));
                using var __ = torch.no_grad();
                var (output, p1, coarse) = Outputs(model, x);
                foreach (var (name, tensor) in new[] { ("output", output), ("p1", p1), ("coarse", coarse) })
                {
                    var python = File.ReadAllBytes(Path.Combine(dir, name + ".bin"));
                    var values = new float[python.Length / 4];
                    Buffer.BlockCopy(python, 0, values, 0, python.Length);
                    var csharp = tensor.contiguous().data<float>().ToArray();
                    Assert.Equal(csharp.Length, values.Length);
                    double diff = csharp.Zip(values, (a, b) => Math.Abs((double)a - b)).Max();
                    double magnitude = csharp.Max(v => Math.Abs((double)v));
                    Assert.True(diff <= 1e-4 * Math.Max(1, magnitude), name + ": max difference " + diff + " at magnitude " + magnitude);
                }
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
