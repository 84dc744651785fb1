using System;
using System.IO;
using System.Linq;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>The PyTorch module emitted from an .arch text against the generated C# class on the same weights, on
    /// Debian's torch: outputs agree by <see cref="Catalogue.Tests.OutputTolerance"/> (float32 through two engines' kernels).</summary>
    internal static class PythonParity
    {
        public static void AssertClose(Tensor csharp, float[] python, string name)
        {
            var values = csharp.contiguous().data<float>().ToArray();
            Assert.Equal(values.Length, python.Length);
            double diff = values.Zip(python, (a, b) => Math.Abs((double)a - b)).Max();
            double magnitude = values.Max(v => Math.Abs((double)v));
            Catalogue.Tests.OutputTolerance.AssertClose(diff, magnitude, name + ", Python against C#");
        }

        /// <summary>The PyTorch module emitted from <paramref name="archText"/>, loaded with <paramref name="model"/>'s
        /// weights (perturbed first, statistics too, so eval mode uses them) and run on <paramref name="x"/>: each of
        /// <paramref name="names"/> from <c>forward_with_outputs</c> (only "output": <c>forward</c>).</summary>
        public static System.Collections.Generic.Dictionary<string, float[]> Outputs(string archText, string className, nn.Module model, Tensor x, string[] names)
        {
            var dir = Path.Combine(Path.GetTempPath(), "archdsl-py-" + Guid.NewGuid().ToString("N"));
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
