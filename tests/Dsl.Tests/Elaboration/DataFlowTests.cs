using System.Collections.Generic;
using System.Linq;
using ArchDsl.Dsl.Tests.Support;
using ArchDsl.Elaboration;
using Xunit;

namespace ArchDsl.Dsl.Tests.Elaboration
{
    /// <summary>The elaborated ops carry their data flow: every input is, by reference, exactly one producer's
    /// output (an earlier op, the network input or a split part). Diagrams are drawn from this.</summary>
    public class DataFlowTests
    {
        public static IEnumerable<object[]> Files() => TestFiles.CatalogueFiles().Select(f => new object[] { f });

        [Theory]
        [MemberData(nameof(Files))]
        public void Every_input_has_exactly_one_producer(string file)
        {
            var result = ArchFrontEnd.Analyze(TestFiles.Catalogue(file), new TestFiles.CatalogueImports());
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            Assert.NotEmpty(result.Reports);
            foreach (var network in result.Reports.Select(r => r.Network))
            {
                var seen = new List<Feature> { network.Input };
                seen.AddRange(network.Splits.Select(s => s.Part));
                foreach (var op in network.Ops)
                {
                    foreach (var input in op.Inputs)
                        Assert.True(seen.Count(f => ReferenceEquals(f, input)) == 1, network.Name + ": no single producer for an input of " + op.Path);
                    Assert.DoesNotContain(seen, f => ReferenceEquals(f, op.Output));
                    seen.Add(op.Output);
                }
                Assert.Contains(seen, f => ReferenceEquals(f, network.Output));
            }
        }

        [Fact]
        public void A_shape_keeping_layer_outputs_a_new_tensor_and_the_shortcut_reads_the_block_input()
        {
            // Pre-activation: batchnorm and relu keep the shape; the shortcut must still come from the block's input.
            const string source = @"
network N() {
  input 4x8x8
  stem: conv(4, 1)
  residual {
    bn: batchnorm
    relu
    conv(4, 3, padding: 1)
  }
}";
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", source), NoImports.Instance);
            var ops = result.Reports.Single().Network.Ops;
            var add = ops.Single(o => o.Kind == OpKind.Add);
            Assert.Same(ops.Single(o => o.Path == "stem").Output, add.Inputs[1]);
            Assert.Same(ops.Single(o => o.Path == "3").Output, add.Inputs[0]);
            Assert.NotSame(ops.Single(o => o.Path == "bn").Output, ops.Single(o => o.Path == "stem").Output);
        }
    }
}
