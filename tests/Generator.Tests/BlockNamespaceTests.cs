using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Blocks are private to their file: each file's block classes live in <c>&lt;ns&gt;.Blocks.&lt;File&gt;</c>,
    /// so two files may both define a block of the same name, while networks and variants stay in the project
    /// namespace. Imports reach the imported file's classes and its block enum.</summary>
    public sealed class BlockNamespaceTests
    {
        // Two different blocks named ConvBN: a 3x3 convolution without bias and a batch norm (3*8*9 + 2*8 = 232
        // parameters for 8 outputs from 3 channels), and a 1x1 convolution with bias (3*8 + 8 = 32).
        private const string A = @"// a
block ConvBN(out: int) {
  conv(out, 3, padding: 1, bias: false)
  batchnorm
}

// Applies the block it is given twice.
block Twice(unit: block, out: int) {
  first: unit(out)
  second: unit(out)
}

network NetA(num_classes: int = 10) {
  input 3x8x8
  stem: ConvBN(8)
  relu
  adaptive_avgpool(1)
  flatten
  fc: linear(num_classes)
}
";

        private const string B = @"// b
block ConvBN(out: int) {
  conv(out, 1)
}

network NetB(num_classes: int = 10) {
  input 3x8x8
  stem: ConvBN(8)
  relu
  adaptive_avgpool(1)
  flatten
  fc: linear(num_classes)
}

variant NetB5 = NetB(num_classes: 5)
";

        // Uses a.arch's blocks: ConvBN directly, and Twice with a block value named here and one passed through.
        private const string C = @"// c
import ""nets/a.arch""

network NetC(unit: block = ConvBN) {
  input 3x8x8
  named: Twice(ConvBN, 4)
  passed: Twice(unit, 4)
  adaptive_avgpool(1)
  flatten
}

variant NetCDefault = NetC()
";

        private static readonly System.Lazy<GeneratedAssembly> Built = new System.Lazy<GeneratedAssembly>(() =>
            GeneratedAssembly.Build(("nets/a.arch", A), ("nets/b.arch", B), ("c.arch", C)).AssertClean());

        private static long Parameters(object module) => ((nn.Module)module).parameters().Sum(p => p.numel());

        [Fact]
        public void Two_files_defining_the_same_block_compile_into_separate_namespaces()
        {
            var build = Built.Value;
            Assert.NotNull(build.Type("App.Blocks.A.ConvBN"));
            Assert.NotNull(build.Type("App.Blocks.B.ConvBN"));
            Assert.NotNull(build.Type("App.NetA"));
            Assert.NotNull(build.Type("App.NetB5"));
            Assert.Null(build.Assembly!.GetType("App.ConvBN"));
        }

        [Fact]
        public void Each_network_builds_its_own_files_block()
        {
            var build = Built.Value;
            // Counted by hand from the layers: block + linear(8 -> 10) = 80 + 10.
            using var a = (nn.Module<Tensor, Tensor>)build.Create("App.NetA");
            using var b = (nn.Module<Tensor, Tensor>)build.Create("App.NetB");
            Assert.Equal(3 * 8 * 9 + 2 * 8 + 90, Parameters(a));
            Assert.Equal(3 * 8 + 8 + 90, Parameters(b));
            using var x = torch.randn(2, 3, 8, 8);
            using var ya = a.call(x);
            using var yb = b.call(x);
            Assert.Equal(new long[] { 2, 10 }, ya.shape);
            Assert.Equal(new long[] { 2, 10 }, yb.shape);
        }

        [Fact]
        public void An_importing_file_reaches_the_imported_blocks_and_their_block_enum()
        {
            var build = Built.Value;
            using var c = (nn.Module<Tensor, Tensor>)build.Create("App.NetCDefault");
            // Each Twice(ConvBN, 4): ConvBN 3->4 (3*4*9 + 8) then ConvBN 4->4 (4*4*9 + 8), twice in sequence.
            long twice(long cin) => cin * 4 * 9 + 8 + 4 * 4 * 9 + 8;
            Assert.Equal(twice(3) + twice(4), Parameters(c));
            using var x = torch.randn(1, 3, 8, 8);
            using var y = c.call(x);
            Assert.Equal(new long[] { 1, 4 }, y.shape);
            Assert.Contains(c.named_modules(), m => m.name == "named.first" && m.module.GetType().FullName == "App.Blocks.A.ConvBN");
            // The block enum of the importing file lists the imported blocks; the parameter takes it.
            var unit = build.Type("App.NetC").GetConstructors().Single().GetParameters().Single(p => p.Name == "unit");
            Assert.Equal("App.CBlocks", unit.ParameterType.FullName);
            Assert.Contains("ConvBN", System.Enum.GetNames(unit.ParameterType));
        }
    }
}
