using System.Linq;
using System.Threading;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Generator.Emit;
using ArchDsl.Generator.Emit.Lowering;
using ArchDsl.Syntax;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>The lowering both printers share: what each body statement becomes, decided once.</summary>
    public class BodyLoweringTests
    {
        private const string Source = @"
block Gate() {
  pooled = concat { channel_mean; channel_max }
  scale = pooled |> conv(1, 7, padding: 3, bias: false) |> sigmoid
  input * scale
  2 - scale
}
block B(c: int) {
  a: conv(c, 3, padding: 1)
  residual {
    conv(c, 3, padding: 1)
  } shortcut proj when c != 8 {
    conv(c, 1)
  }
  residual { relu } shortcut zeropad
  split { relu; relu6 }
  repeat 2 { conv(c, 1) }
  repeat 2 { residual { conv(c, 3, padding: 1) } }
  if c > 4 { relu } else if c > 2 { relu6 } else { gelu }
  ls: scale(1e-6)
  g: { conv(c, 1); relu }
  h: { residual { relu } }
}
network N() {
  input 8x8x8
  B(8)
  Gate()
}
";

        private static (BoundProgram Program, DefinitionSymbol Block, DefinitionSymbol Gate) Bind()
        {
            var bag = new DiagnosticBag();
            var program = Binder.Bind(new SourceFile("lowering.arch", Source), new NoImports(), bag, CancellationToken.None);
            Assert.Equal(0, bag.ErrorCount);
            return (program, program.Definitions["B"], program.Definitions["Gate"]);
        }

        /// <summary>The lowering of the source's file, with the in-place sites its network's data flow allows.</summary>
        private static BodyLowering Lowering(BoundProgram program)
        {
            var analysis = ArchFrontEnd.Analyze(new SourceFile("lowering.arch", Source), new NoImports());
            Assert.False(analysis.HasErrors, string.Join("\n", analysis.Diagnostics));
            return new BodyLowering(program, "lowering.arch", Analysis.InPlaceSites.Of(analysis.Reports.Select(r => r.Network)));
        }

        private static LoweredStatement[] LowerAll(DefinitionSymbol block, BoundProgram program, bool explicitForward)
        {
            var lowering = Lowering(program);
            var scope = new CsScope(null);
            foreach (var p in block.Parameters) scope.Add(new CsLocal(p.Name, p.Name, p.Type));
            return block.Syntax.Body.Statements.Select(s => lowering.Lower(s, scope, explicitForward, auxAllowed: false)).ToArray();
        }

        [Fact]
        public void Each_statement_of_a_block_is_lowered_to_its_form()
        {
            var (program, block, _) = Bind();
            var lowered = LowerAll(block, program, explicitForward: true);

            var conv = Assert.IsType<Application>(lowered[0]);
            Assert.Equal(ApplicationKind.Layer, conv.Kind);
            Assert.Equal("a", conv.Label!.StaticText);

            var projected = Assert.IsType<Residual>(lowered[1]);
            Assert.Equal(ShortcutForm.Sequential, projected.Shortcut.Form);
            Assert.Equal("proj", projected.Shortcut.Name!.StaticText);
            Assert.NotNull(projected.Shortcut.Condition);
            Assert.False(projected.Shortcut.ZeroPad);
            // The body ends in a convolution nothing else reads: the shortcut is added into its result.
            Assert.True(projected.SumsInPlace);

            var padded = Assert.IsType<Residual>(lowered[2]);
            Assert.Equal(ShortcutForm.Identity, padded.Shortcut.Form);
            Assert.True(padded.Shortcut.ZeroPad);
            // A ReLU's backward reads its result: the sum stays a new tensor.
            Assert.False(padded.SumsInPlace);

            var split = Assert.IsType<Merge>(lowered[3]);
            Assert.True(split.Split);
            Assert.Equal(MergeOp.Concat, split.Op);
            Assert.Equal(2, split.Branches.Length);

            Assert.Equal(LoopForm.ModuleList, Assert.IsType<Loop>(lowered[4]).Form);
            var bodies = Assert.IsType<Loop>(lowered[5]);
            Assert.Equal(LoopForm.IterationClasses, bodies.Form);

            var conditional = Assert.IsType<Conditional>(lowered[6]);
            Assert.Equal(2, conditional.Branches.Length);
            Assert.NotNull(conditional.Else);

            Assert.Equal(ApplicationKind.Learnable, Assert.IsType<Application>(lowered[7]).Kind);
            Assert.True(Assert.IsType<Container>(lowered[8]).Sequential);
            Assert.False(Assert.IsType<Container>(lowered[9]).Sequential);
        }

        [Fact]
        public void Inside_a_module_list_only_chains_lower_and_the_rest_is_reported_where_it_stands()
        {
            var (program, block, _) = Bind();
            var lowered = LowerAll(block, program, explicitForward: false);

            Assert.IsType<Application>(lowered[0]);
            Assert.Contains("residual inside a loop", Assert.IsType<Unsupported>(lowered[1]).What);
            Assert.Contains("split inside a loop", Assert.IsType<Unsupported>(lowered[3]).What);
            Assert.Equal(LoopForm.ModuleList, Assert.IsType<Loop>(lowered[4]).Form);
            Assert.Contains("more than a chain", Assert.IsType<Unsupported>(lowered[5]).What);
            // A conditional of chains is itself a chain; a learnable tensor needs a module's own body.
            Assert.IsType<Conditional>(lowered[6]);
            Assert.Contains("learnable tensor", Assert.IsType<Unsupported>(lowered[7]).What);
        }

        [Fact]
        public void Tensor_expressions_tell_tensor_operands_from_scalars()
        {
            var (program, _, gate) = Bind();
            var lowering = Lowering(program);
            var scope = new CsScope(null);
            var statements = gate.Syntax.Body.Statements;

            var pooled = Assert.IsType<TensorBinding>(lowering.Lower(statements[0], scope, true, false));
            // name = concat { … } is the merge run on the current tensor.
            var merged = Assert.IsType<PipedTensor>(pooled.Value);
            Assert.IsType<CurrentTensor>(merged.Source);
            var stage = Assert.IsType<Group>(lowering.Lower(merged.Stages[0], scope, true, false));
            Assert.Equal(MergeOp.Concat, Assert.IsType<Merge>(lowering.Lower(stage.Block.Body.Statements[0], scope, true, false)).Op);
            scope.Add(new CsLocal("pooled", "pooled", ArchType.Tensor, "pooledShape", "pooled"));
            var piped = Assert.IsType<PipedTensor>(Assert.IsType<TensorBinding>(lowering.Lower(statements[1], scope, true, false)).Value);
            Assert.Equal("pooled", Assert.IsType<NamedTensor>(piped.Source).Name);
            Assert.Equal(2, piped.Stages.Length);
            scope.Add(new CsLocal("scale", "scale", ArchType.Tensor, "scaleShape", "scale"));

            var product = Assert.IsType<TensorPair>(Assert.IsType<TensorStatement>(lowering.Lower(statements[2], scope, true, false)).Value);
            Assert.Equal(TensorOp.Mul, product.Op);
            Assert.IsType<CurrentTensor>(product.Left);
            Assert.Equal("scale", Assert.IsType<NamedTensor>(product.Right).Name);

            var difference = Assert.IsType<TensorWithScalar>(Assert.IsType<TensorStatement>(lowering.Lower(statements[3], scope, true, false)).Value);
            Assert.Equal(TensorOp.Sub, difference.Op);
            Assert.True(difference.ScalarFirst);
            Assert.IsType<IntLiteral>(difference.Scalar);
        }

        private sealed class NoImports : IImportResolver
        {
            public SourceFile? Resolve(string fromPath, string importPath) => null;
        }
    }
}
