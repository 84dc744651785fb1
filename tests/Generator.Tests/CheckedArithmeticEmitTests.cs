using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ArchDsl.Generator.Emit;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Constructor arguments given at run time flow into channel counts and sizes through the same checked
    /// functions the front end uses (ArchMath): a value that overflows 64 bits is an exception naming the network and
    /// the operands, never a wrapped number, and the numbers that fit are the front end's.</summary>
    public sealed class CheckedArithmeticEmitTests
    {
        private const string Source = @"// each network's first layer computes with its argument
block Widen(c: int) {
  conv(c * 2, 1)
}

network NAdd(a: int = 1) { input 3x4x4; conv(a + 1, 1) }
network NSub(a: int = 0) { input 3x4x4; conv(1 - a, 1) }
network NMul(a: int = 1) { input 3x4x4; conv(a * 4, 1) }
network NNeg(a: int = 1) { input 3x4x4; conv(-a + 3, 1) }
network NAbs(a: int = 1) { input 3x4x4; conv(abs(a), 1) }
network NPow(a: int = 2) { input 3x4x4; conv(a ^ 2, 1) }
network NInt(f: float = 2.5) { input 3x4x4; conv(int(f), 1) }
network NCeil(f: float = 2.5) { input 3x4x4; conv(ceil(f), 1) }
network NBlock(a: int = 2) { input 3x4x4; Widen(a) }
network NShape(a: int = 1) { input 3x4x4; conv(4, 3, padding: a) }
network NMax(a: int = 0) { input 3x4x4; conv(max(a, 9007199254740993) - 9007199254740992, 1); conv(min(a, -9007199254740993) + 9007199254740996, 1) }
network NAll(a: int = 3, f: float = 1.5) {
  input 3x8x8
  conv(a + 1, 3, padding: 1)
  conv(abs(-a) * 2 - 1, 1)
  Widen(a ^ 2)
  conv(int(f * a) + ceil(f) + floor(f), 1)
  conv(max(a, 9007199254740993) - 9007199254740990, 1)
  flatten
}
";

        private static readonly Lazy<GeneratedAssembly> Built =
            new Lazy<GeneratedAssembly>(() => GeneratedAssembly.Build(("checked.arch", Source)).AssertClean());

        private static object Create(string network, string parameter, object value) =>
            Built.Value.Create("App." + network, new Dictionary<string, object?> { [parameter] = value });

        [Theory]
        [InlineData("NAdd", "a", long.MaxValue, "9223372036854775807 + 1 does not fit in a 64-bit int")]
        [InlineData("NSub", "a", long.MinValue, "1 - -9223372036854775808 does not fit")]
        [InlineData("NMul", "a", 4611686018427387904L, "4611686018427387904 * 4 does not fit")]
        [InlineData("NNeg", "a", long.MinValue, "-(-9223372036854775808) does not fit")]
        [InlineData("NAbs", "a", long.MinValue, "abs(-9223372036854775808) does not fit")]
        [InlineData("NPow", "a", 4294967296L, "4294967296 ^ 2 does not fit")]
        [InlineData("NBlock", "a", 4611686018427387904L, "4611686018427387904 * 2 does not fit")]
        [InlineData("NShape", "a", 4611686018427387904L, "The output size of a size-4 input (kernel 3, padding 4611686018427387904, dilation 1) does not fit")]
        public void An_int_overflow_at_run_time_names_the_network_and_the_operands(string network, string parameter, long value, string expected)
        {
            var e = Assert.Throws<OverflowException>(() => Unwrap(() => Create(network, parameter, value)));
            Assert.StartsWith("Constructing " + network + ": ", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [Theory]
        [InlineData("NInt", 1e19)]
        [InlineData("NInt", double.NaN)]
        [InlineData("NCeil", -1e300)]
        public void A_float_out_of_the_int_range_is_an_overflow_not_a_wrapped_int(string network, double value)
        {
            var e = Assert.Throws<OverflowException>(() => Unwrap(() => Create(network, "f", value)));
            Assert.StartsWith("Constructing " + network + ": ", e.Message);
            Assert.Contains("as an int does not fit", e.Message);
        }

        /// <summary>min and max of ints compare as ints: through double, 2^53 + 3 would round to 2^53 + 4.</summary>
        [Fact]
        public void Min_and_max_above_two_to_the_53_are_exact()
        {
            using var model = (nn.Module<Tensor, Tensor>)Create("NMax", "a", 9007199254740995L);
            var shapes = model.state_dict().Where(p => p.Key.EndsWith("weight")).Select(p => string.Join("x", p.Value.shape)).ToArray();
            Assert.Equal(new[] { "3x3x1x1", "3x3x1x1" }, shapes);
            var below = (nn.Module<Tensor, Tensor>)Create("NMax", "a", -9007199254740995L);
            Assert.Equal("1x3x1x1", string.Join("x", below.state_dict().First().Value.shape));
        }

        /// <summary>At the default arguments the generated constructor computes the front end's state dict.</summary>
        [Fact]
        public void The_numbers_that_fit_are_the_front_ends()
        {
            var reports = ArchFrontEnd.Analyze(new SourceFile("checked.arch", Source), NoImports.Instance).Reports;
            foreach (var report in reports)
            {
                using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App." + report.Summary.Name);
                var generated = model.state_dict().Select(p => p.Key + " " + string.Join("x", p.Value.shape)).ToArray();
                Assert.Equal(report.StateDict.Select(s => s.Key + " " + string.Join("x", s.Shape)).ToArray(), generated);
            }
            Assert.Equal(12, reports.Length);
        }

        /// <summary>A constant index prints as the number it is, not through a checked conversion.</summary>
        [Fact]
        public void A_constant_index_prints_plainly()
        {
            var text = CSharpEmitter.Emit(new SourceFile("idx.arch", "network Idx(c: int[] = [2, 3]) { input 3x4x4; conv(c[1], 1); conv(c[c[0] - 2], 1) }"), NoImports.Instance, new EmitOptions("App"));
            var code = string.Join("\n", text.Sources.Select(s => s.Text));
            Assert.Contains("c[1]", code);
            Assert.DoesNotContain("checked((int)1L)", code);
            Assert.Contains("[checked((int)ArchMath.Subtract(", code);
        }

        private static object Unwrap(Func<object> create)
        {
            try { return create(); }
            catch (TargetInvocationException e) when (e.InnerException != null) { throw e.InnerException; }
        }
    }
}
