using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ArchDsl.Generator.Emit;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Generator.Tests
{
    /// <summary>An <c>if … else if …</c> chain is written as flat <c>else if</c>s: its C# grows linearly with the
    /// branches and nests one level, so a chain at the language's limit compiles and picks the branch the
    /// constructor argument selects.</summary>
    public sealed class ElseIfChainEmitTests
    {
        /// <summary>A network and a block, each with a chain of <paramref name="branches"/> branches on <c>k</c>.</summary>
        private static string Chain(int branches)
        {
            var sb = new StringBuilder();
            foreach (var (head, kind) in new[] { ("block Pick(k: int) {", "block"), ("network Chain(k: int = 0) {\n  input 3x4x4", "network") })
            {
                sb.Append(head).Append('\n');
                sb.Append("  if k == 0 { conv(1, 1) }\n");
                for (int i = 1; i < branches; i++) sb.Append("  else if k == ").Append(i).Append(" { conv(").Append(i + 1).Append(", 1); relu }\n");
                sb.Append("  else { conv(").Append(branches + 1).Append(", 1) }\n");
                if (kind == "network") sb.Append("  Pick(k)\n");
                sb.Append("}\n\n");
            }
            return sb.ToString();
        }

        private static string Emitted(int branches)
        {
            var result = CSharpEmitter.Emit(new SourceFile("chain.arch", Chain(branches)), NoImports.Instance, new EmitOptions("App"));
            Assert.Empty(result.Diagnostics);
            return string.Join("\n", result.Sources.Select(s => s.Text));
        }

        [Fact]
        public void The_generated_code_grows_linearly_and_nests_one_level()
        {
            var small = Emitted(100);
            var large = Emitted(300);
            // 3x the branches: about 3x the text (nested else blocks grew with the square: 250 branches were 2.2 MB).
            double ratio = (double)large.Length / small.Length;
            Assert.InRange(ratio, 2.5, 3.3);
            Assert.True(large.Length < 600_000, "300 branches (two chains): " + large.Length + " characters");
            int deepest = large.Split('\n').Max(l => l.Length - l.TrimStart(' ').Length);
            Assert.True(deepest <= 24, "deepest indentation " + deepest + " spaces");
            Assert.True(large.Split('\n').Count(l => l.TrimStart().StartsWith("else if (", StringComparison.Ordinal)) >= 3 * 299);
        }

        private static readonly Lazy<GeneratedAssembly> Built =
            new Lazy<GeneratedAssembly>(() => GeneratedAssembly.Build(("chain.arch", Chain(300))).AssertClean());

        [Theory]
        [InlineData(0L, 1L)]
        [InlineData(1L, 2L)]
        [InlineData(249L, 250L)]
        [InlineData(299L, 300L)]
        [InlineData(300L, 301L)]
        [InlineData(-5L, 301L)]
        public void A_chain_at_the_limit_compiles_and_takes_the_selected_branch(long k, long channels)
        {
            using var model = (nn.Module<Tensor, Tensor>)Built.Value.Create("App.Chain", new Dictionary<string, object?> { ["k"] = k });
            var weights = model.state_dict().Where(p => p.Key.EndsWith("weight", StringComparison.Ordinal)).Select(p => p.Value.shape[0]).ToArray();
            Assert.Equal(new[] { channels, channels }, weights);
            model.eval();
            using var _ = torch.no_grad();
            using var y = model.call(torch.randn(1, 3, 4, 4));
            Assert.Equal(new[] { 1L, channels, 4, 4 }, y.shape);
        }
    }
}
