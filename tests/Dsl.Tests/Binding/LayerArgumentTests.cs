using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Layers;
using ArchDsl.Syntax;
using Xunit;

namespace ArchDsl.Dsl.Tests.Binding
{
    /// <summary>The layer table's argument checks (reported at the argument, naming it and its value) and the one
    /// argument matcher the binder, the elaborator and the emitters share.</summary>
    public class LayerArgumentTests
    {
        private static System.Collections.Immutable.ImmutableArray<ArchDiagnostic> Check(string body) =>
            ArchFrontEnd.Analyze(new SourceFile("t.arch", "network N() {\n  input 3x16x16\n  " + body + "\n}\n"), NoImports.Instance).Diagnostics;

        /// <summary>Every range check of the layer table, made in one place: the message names the layer, the argument
        /// and the value it got, and the place is the argument (or the layer's name for a default).</summary>
        [Theory]
        [InlineData("conv(0, 3)", 8, "conv: out must be at least 1 (got 0)")]
        [InlineData("conv(8, 0)", 11, "conv: kernel must be at least 1 (got 0)")]
        [InlineData("conv(8, [3, 0])", 11, "conv: kernel must be at least 1 (got [3, 0])")]
        [InlineData("conv(8, 3, stride: 0)", 22, "conv: stride must be at least 1 (got 0)")]
        [InlineData("conv(8, 3, padding: -1)", 23, "conv: padding must be at least 0 (got -1)")]
        [InlineData("conv(8, 3, dilation: [1, 0])", 24, "conv: dilation must be at least 1 (got [1, 0])")]
        [InlineData("conv(8, 3, groups: 0)", 22, "conv: groups must be at least 1 (got 0)")]
        [InlineData("maxpool(0)", 11, "maxpool: kernel must be at least 1 (got 0)")]
        [InlineData("avgpool(2, stride: -1)", 22, "avgpool: stride must be at least 1 (got -1)")]
        [InlineData("maxpool(3, padding: 2)", 23, "maxpool: padding must be at most half the kernel (1) (got 2)")]
        [InlineData("maxpool([4, 2], padding: [1, 2])", 28, "maxpool: padding must be at most half the kernel ([2, 1]) (got [1, 2])")]
        [InlineData("adaptive_avgpool(0)", 20, "adaptive_avgpool: size must be at least 1 (got 0)")]
        [InlineData("adaptive_maxpool([1, 0])", 20, "adaptive_maxpool: size must be at least 1 (got [1, 0])")]
        [InlineData("dropout(1.5)", 11, "dropout: p must be in [0, 1] (got 1.5)")]
        [InlineData("stochastic_depth(-0.1)", 20, "stochastic_depth: p must be in [0, 1] (got -0.1)")]
        [InlineData("shuffle(0)", 11, "shuffle: groups must be at least 1 (got 0)")]
        [InlineData("lrn(0)", 7, "lrn: size must be at least 1 (got 0)")]
        [InlineData("lrn(size: -5)", 13, "lrn: size must be at least 1 (got -5)")]
        [InlineData("lrn(5, k: 0.0)", 13, "lrn: k must be a finite number greater than 0 (got 0)")]
        [InlineData("batchnorm(eps: 0.0)", 18, "batchnorm: eps must be a finite number greater than 0 (got 0)")]
        [InlineData("batchnorm(eps: -0.001)", 18, "batchnorm: eps must be a finite number greater than 0 (got -0.001)")]
        [InlineData("batchnorm(momentum: 1.5)", 23, "batchnorm: momentum must be in [0, 1] (got 1.5)")]
        [InlineData("flatten\n  linear(0)", 10, "linear: out must be at least 1 (got 0)")]
        public void Invalid_layer_argument_is_reported_at_the_argument_naming_it_and_its_value(string layer, int column, string message)
        {
            var found = Check(layer).Where(d => d.Id == "ARCH0018").ToList();
            var d = Assert.Single(found);
            Assert.Equal(3 + layer.Count(ch => ch == '\n'), d.Line);
            Assert.Equal(column, d.Column);
            Assert.Equal(message, d.Message);
        }

        [Theory]
        [InlineData("lrn(1)")]
        [InlineData("batchnorm(eps: 0.001, momentum: 0.0)")]
        [InlineData("batchnorm(momentum: 1.0)")]
        public void Valid_layer_arguments_pass(string layer) =>
            Assert.DoesNotContain(Check(layer), d => d.Severity == ArchSeverity.Error);

        [Fact]
        public void Every_layer_kind_has_one_rule_named_as_its_declaration()
        {
            foreach (LayerKind kind in System.Enum.GetValues(typeof(LayerKind)))
            {
                var rule = LayerTable.Of(kind);
                Assert.NotNull(rule);
                Assert.Equal(kind, rule.Kind);
                Assert.Same(Primitives.Find(rule.Name), Primitives.All.Single(p => p.Kind == kind));
                // Every argument the emitters print names a parameter of the layer (or the input's channels).
                var printed = rule.Construction.Arguments.Concat(rule.ShapeCall?.Arguments ?? System.Collections.Immutable.ImmutableArray<EmittedArgument>.Empty);
                foreach (var a in printed)
                    if (a.Form != ArgForm.InputChannels && a.Form != ArgForm.SpatialChannels)
                        Assert.True(rule.Declaration.IndexOf(a.Parameter) >= 0, rule.Name + " prints '" + a.Parameter + "', which it does not declare");
            }
        }

        [Fact]
        public void Matcher_fills_positional_then_named_and_reports_each_problem_once()
        {
            var call = (CallExpr)((ExprStmt)ArchParser.ParseUnit("block A() {\n  conv(8, 3, 1, 0, 1, 1, true, 0.0, 9, strides: 2, kernel: 5)\n}\n")
                .Declarations.OfType<DefinitionDecl>().Single().Body.Statements[0]).Expression;
            var match = ArgumentMatcher.Match(Primitives.Find("conv")!, call.Arguments, call.CalleeSpan);
            Assert.Equal(8L, ((IntLiteral)match.ByParameter[0]!.Value).Value);
            Assert.Equal(3L, ((IntLiteral)match.ByParameter[1]!.Value).Value);
            Assert.Equal(new[] { "ARCH0005", "ARCH0004", "ARCH0024" }, match.Problems.Select(p => p.Descriptor.Id).ToArray());
            Assert.False(match.Fits);
        }

        [Fact]
        public void A_variant_with_too_many_arguments_is_reported_once_at_the_extra_argument()
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch",
                "network N(w: int = 8) {\n  input 3x8x8\n  conv(w, 3)\n}\nvariant V = N(4, 5)\n"), NoImports.Instance);
            var d = Assert.Single(result.Diagnostics, x => x.Severity == ArchSeverity.Error);
            Assert.Equal("ARCH0005", d.Id);
            Assert.Equal((5, 18), (d.Line, d.Column));
        }
    }
}
