using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary><c>upsample(to: t)</c> and <c>upsample_bilinear(to: t)</c>: the current tensor resized to a bound tensor's
    /// height and width (reaching odd sizes no integer factor reaches), no module, no parameters, no MACs; and the
    /// diagnostics of their misuse, each located at what is wrong.</summary>
    public class UpsampleToTests
    {
        // 15 -> 8 by a stride-2 convolution: back to 15 needs the skip's size (8 * 2 = 16).
        private const string TopDown = @"
network N() {
  input 8x15x13
  skip = input |> skip: conv(8, 1)
  low = input |> down: conv(8, 3, stride: 2, padding: 1)
  up = low |> upsample_bilinear(to: skip)
  up + skip |> upsample(to: input) |> out: conv(4, 1)
}
";

        private static System.Collections.Generic.List<ArchDiagnostic> Errors(string body, string input = "8x4x6")
        {
            var source = "network N() {\n  input " + input + "\n  " + body + "\n}\n";
            return ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance).Diagnostics.Where(x => x.Severity == ArchSeverity.Error).ToList();
        }

        [Fact]
        public void The_output_takes_the_named_tensors_height_and_width_and_keeps_the_channels()
        {
            var r = ConstructTests.Report(TopDown);
            var ups = r.Summary.Layers.Where(l => l.Operation.StartsWith("upsample")).ToList();
            Assert.Equal(2, ups.Count);
            Assert.Equal("upsample_bilinear to 15x13", ups[0].Operation);
            Assert.Equal(new long[] { 8, 15, 13 }, ups[0].OutputShape.ToArray());
            Assert.Equal("upsample to 15x13", ups[1].Operation);
            Assert.All(ups, u => Assert.Equal(0, u.Params + u.Macs));
            // Reads the tensor it resizes (8x8x7), writes the output; of the skip only the size.
            Assert.Equal(8L * 8 * 7 + 8L * 15 * 13, ups[0].MemoryAccess);
            Assert.Equal(new long[] { 4, 15, 13 }, r.Summary.Output.ToArray());
            // Only the three convolutions have weights, and nothing is registered for the up-samplings.
            Assert.Equal(8 * 8 + 8 + 8 * 8 * 9 + 8 + 8 * 4 + 4, r.Summary.Params);
            Assert.Equal(new[] { "skip.weight", "skip.bias", "down.weight", "down.bias", "out.weight", "out.bias" }, r.StateDict.Select(s => s.Key));
        }

        [Fact]
        public void An_unnamed_resize_takes_no_index_among_the_children()
        {
            var r = ConstructTests.Report("network N() {\n  input 3x5x5\n  s = input |> conv(3, 1)\n  upsample(to: s)\n  conv(2, 1)\n}\n");
            Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias" }, r.StateDict.Select(s => s.Key));
        }

        [Fact]
        public void A_smaller_tensor_gives_a_smaller_map()
        {
            var r = ConstructTests.Report("network N() {\n  input 3x9x9\n  s = input |> maxpool(3)\n  upsample_bilinear(to: s, align_corners: true)\n}\n");
            Assert.Equal(new long[] { 3, 3, 3 }, r.Summary.Output.ToArray());
            Assert.Equal("upsample_bilinear to 3x3 (align_corners)", r.Summary.Layers.Last().Operation);
        }

        [Theory]
        [InlineData("upsample(2, to: input)", "a factor cannot be given")]
        [InlineData("upsample(factor: 2, to: input)", "a factor cannot be given")]
        [InlineData("upsample(to: input, align_corners: true)", "'align_corners' applies to 'upsample_bilinear' only")]
        [InlineData("upsample_bilinear(to: input, mode: 1)", "has no parameter named 'mode'")]
        [InlineData("upsample_bilinear(to: input, align_corners: 1)", "'align_corners'")]
        [InlineData("upsample(to: input |> conv(2, 1))", "takes the name of a bound tensor")]
        [InlineData("upsample(to: nothing)", "nothing")]
        public void Wrong_arguments_are_reported_at_the_argument(string layer, string message)
        {
            var errors = Errors(layer);
            var d = Assert.Single(errors);
            Assert.Equal(3, d.Line);
            Assert.True(d.Column > 3 + layer.IndexOf('('), d.ToString());
            Assert.Contains(message, d.Message);
        }

        [Fact]
        public void A_scalar_is_not_a_tensor_to_take_the_size_of()
        {
            var d = Assert.Single(Errors("let k = 3\n  upsample(to: k)"));
            Assert.Equal("ARCH0026", d.Id);
            Assert.Equal(4, d.Line);
            Assert.Equal(16, d.Column);
        }

        [Fact]
        public void A_flat_tensor_is_reported_at_the_name()
        {
            var d = Assert.Single(Errors("f = input |> flatten\n  upsample(to: f)"));
            Assert.Equal("ARCH0018", d.Id);
            Assert.Equal(4, d.Line);
            Assert.Equal(16, d.Column);
            Assert.Contains("the tensor named by 'to' is the flat [192]", d.Message);
        }

        [Fact]
        public void A_label_is_reported_since_nothing_is_registered()
        {
            var d = Assert.Single(Errors("up: upsample(to: input)"));
            Assert.Equal("ARCH0018", d.Id);
            Assert.Equal((3, 3), (d.Line, d.Column));
            Assert.Contains("remove the label", d.Message);
        }

        [Fact]
        public void The_resized_map_must_still_match_what_it_is_added_to()
        {
            var errors = Errors("s = input |> conv(8, 3, stride: 2, padding: 1)\n  (input |> upsample(to: s)) + input", "8x7x7");
            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.Equal(4, e.Line));
        }

        [Fact]
        public void A_local_named_like_the_layer_keeps_its_meaning()
        {
            // 'upsample' as a block-valued parameter is that block, to which 'to' is an argument like any other.
            var source = "block B(to: int) {\n  conv(to, 1)\n}\nnetwork N(upsample: block = B) {\n  input 3x4x4\n  upsample(to: 5)\n}\n";
            var r = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            Assert.DoesNotContain(r.Diagnostics, d => d.Severity == ArchSeverity.Error);
            Assert.Equal(new long[] { 5, 4, 4 }, r.Reports.Single().Summary.Output.ToArray());
        }
    }
}
