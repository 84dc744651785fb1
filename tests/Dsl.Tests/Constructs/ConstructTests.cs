using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>Small programs for each structural construct, with shapes, parameters and MACs derived by hand.</summary>
    public class ConstructTests
    {
        internal static Analysis.NetworkReport Report(string source, string network = "N")
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            Assert.True(!result.HasErrors, string.Join("\n", result.Diagnostics));
            return result.Reports.Single(r => r.Summary.Name == network);
        }

        public const string ShuffleUnit = @"
// ShuffleNet V2 unit, stride 1: half the channels pass, half go through 1x1, depthwise 3x3, 1x1; then shuffle.
block ShuffleUnit() {
  let half = in_channels / 2
  split {
    identity
    branch2: {
      conv(half, 1, bias: false)
      batchnorm
      relu
      conv(half, 3, padding: 1, groups: half, bias: false)
      batchnorm
      conv(half, 1, bias: false)
      batchnorm
      relu
    }
  }
  shuffle(2)
}
network N() {
  input 116x28x28
  unit: ShuffleUnit()
}
";

        [Fact]
        public void Split_and_shuffle_keep_the_shape_and_count_only_the_branch()
        {
            var r = Report(ShuffleUnit);
            Assert.Equal(new long[] { 116, 28, 28 }, r.Summary.Output.ToArray());
            Assert.Equal(58 * 58 + 116 + 58 * 9 + 116 + 58 * 58 + 116, r.Summary.Params);
            Assert.Equal((58L * 58 + 58 * 9 + 58 * 58) * 28 * 28, r.Summary.Macs);
            Assert.Contains(r.StateDict, s => s.Key == "unit.branch2.0.weight");
        }

        [Fact]
        public void Split_of_odd_channels_is_an_error()
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", ShuffleUnit.Replace("116x28x28", "115x28x28")), NoImports.Instance);
            Assert.Contains(result.Diagnostics, d => d.Id == "ARCH0010");
        }

        public const string SqueezeExcitation = @"
// Squeeze-and-excitation: a gate per channel from global context, multiplied into the input.
block SE(squeeze: int) {
  let c = in_channels
  s = input |> avgpool: adaptive_avgpool(1) |> fc1: conv(squeeze, 1) |> relu |> fc2: conv(c, 1) |> sigmoid
  input * s
}
network N() {
  input 64x8x8
  se: SE(16)
}
";

        [Fact]
        public void Squeeze_excitation_gates_channels_with_torchvision_keys()
        {
            var r = Report(SqueezeExcitation);
            Assert.Equal(new long[] { 64, 8, 8 }, r.Summary.Output.ToArray());
            Assert.Equal(64 * 16 + 16 + 16 * 64 + 64, r.Summary.Params);
            Assert.Equal(64L * 16 + 16 * 64, r.Summary.Macs);
            Assert.Equal(new[] { "se.fc1.bias", "se.fc1.weight", "se.fc2.bias", "se.fc2.weight" }, r.StateDict.Select(s => s.Key).OrderBy(k => k));
        }

        public const string Highway = @"
// Convolutional highway layer: y = H(x) * T(x) + x * (1 - T(x)).
block Highway() {
  let c = in_channels
  h = input |> conv(c, 3, padding: 1) |> relu
  t = input |> conv(c, 3, padding: 1) |> sigmoid
  h * t + input * (1 - t)
}
network N() {
  input 16x8x8
  repeat 2 { Highway() }
}
";

        [Fact]
        public void Highway_combines_named_tensors()
        {
            var r = Report(Highway);
            Assert.Equal(new long[] { 16, 8, 8 }, r.Summary.Output.ToArray());
            Assert.Equal(2 * 2 * (16 * 16 * 9 + 16), r.Summary.Params);
            Assert.Contains(r.StateDict, s => s.Key == "1.2.weight");
        }

        public const string Shared = @"
network N() {
  input 16x8x8
  c: conv(16, 3, padding: 1)
  relu
  @c
  relu
  @c
}
";

        [Fact]
        public void Shared_layer_counts_its_weights_once_and_its_work_each_time()
        {
            var r = Report(Shared);
            Assert.Equal(16 * 16 * 9 + 16, r.Summary.Params);
            Assert.Equal(3L * 16 * 16 * 9 * 64, r.Summary.Macs);
            Assert.Equal(2, r.StateDict.Length);
        }

        [Fact]
        public void Shared_layer_on_other_channels_is_an_error()
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", "network N() {\n  input 16x8x8\n  c: conv(8, 1)\n  @c\n}\n"), NoImports.Instance);
            var d = Assert.Single(result.Diagnostics);
            Assert.Equal("ARCH0021", d.Id);
            Assert.Equal(4, d.Line);
        }

        public const string ZeroPad = @"
// PyramidNet's additive unit: the shortcut is pooled when the unit strides and padded with zero channels.
block PyramidUnit(out: int, stride: int) {
  residual {
    batchnorm
    conv(out, 3, stride: stride, padding: 1, bias: false)
    batchnorm
    relu
    conv(out, 3, padding: 1, bias: false)
    batchnorm
    stochastic_depth(0.1)
  } shortcut zeropad when stride != 1 { avgpool(2, stride: 2) }
}
network N() {
  input 16x8x8
  PyramidUnit(20, 1)
  PyramidUnit(24, 2)
}
";

        [Fact]
        public void Zero_padded_shortcut_adds_channels_without_parameters()
        {
            var r = Report(ZeroPad);
            Assert.Equal(new long[] { 24, 4, 4 }, r.Summary.Output.ToArray());
            long unit1 = 32 + 20 * 16 * 9 + 40 + 20 * 20 * 9 + 40;
            long unit2 = 40 + 24 * 20 * 9 + 48 + 24 * 24 * 9 + 48;
            Assert.Equal(unit1 + unit2, r.Summary.Params);
        }

        [Fact]
        public void Zero_padded_shortcut_cannot_remove_channels()
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", ZeroPad.Replace("PyramidUnit(20, 1)", "PyramidUnit(8, 1)")), NoImports.Instance);
            Assert.Contains(result.Diagnostics, d => d.Id == "ARCH0007");
        }

        public const string Aux = @"
network N() {
  input 3x32x32
  conv(8, 3, padding: 1)
  aux1: aux {
    adaptive_avgpool(1)
    flatten
    fc: linear(10)
  }
  adaptive_avgpool(1)
  flatten
  fc: linear(10)
}
";

        [Fact]
        public void Auxiliary_output_is_recorded_and_the_main_path_continues()
        {
            var r = Report(Aux);
            Assert.Equal(new long[] { 10 }, r.Summary.Output.ToArray());
            var aux = Assert.Single(r.AuxOutputs);
            Assert.Equal("aux1", aux.Name);
            Assert.Equal(new long[] { 10 }, aux.Shape.ToArray());
            Assert.Contains(r.StateDict, s => s.Key == "aux1.fc.weight");
        }

        public const string Dense = @"
block Layer(growth: int) {
  norm: batchnorm
  relu: relu
  conv: conv(growth, 3, padding: 1, bias: false)
}
network N() {
  input 8x8x8
  block1: dense repeat 3 as i { layer{i + 1}: Layer(4) }
}
";

        [Fact]
        public void Dense_block_concatenates_every_earlier_output()
        {
            var r = Report(Dense);
            Assert.Equal(new long[] { 8 + 3 * 4, 8, 8 }, r.Summary.Output.ToArray());
            Assert.Equal((16 + 4 * 8 * 9) + (24 + 4 * 12 * 9) + (32 + 4 * 16 * 9), r.Summary.Params);
            Assert.Contains(r.StateDict, s => s.Key == "block1.layer3.conv.weight" && s.Shape.SequenceEqual(new long[] { 4, 16, 3, 3 }));
        }

        [Fact]
        public void Width_and_resolution_multipliers_are_plain_parameters()
        {
            const string source = @"
network Net(alpha: float = 1.0, rho: float = 1.0) {
  input [3, round(224 * rho), round(224 * rho)]
  conv(make_divisible(32 * alpha, 8), 3, stride: 2, padding: 1)
}
variant Half = Net(alpha: 0.5, rho: 0.5)
";
            var r = Report(source, "Half");
            Assert.Equal(new long[] { 16, 56, 56 }, r.Summary.Output.ToArray());
        }
    }
}
