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

        [Theory]
        [InlineData("lrn(0)", "size", "0", 7)]
        [InlineData("lrn(size: -5)", "size", "-5", 13)]
        [InlineData("lrn(5, k: 0.0)", "k", "0", 13)]
        [InlineData("batchnorm(eps: 0.0)", "eps", "0", 18)]
        [InlineData("batchnorm(eps: -0.001)", "eps", "-0.001", 18)]
        [InlineData("batchnorm(momentum: 1.5)", "momentum", "1.5", 23)]
        public void Invalid_layer_argument_is_reported_at_the_argument(string layer, string parameter, string value, int column)
        {
            var found = Check(layer).Where(d => d.Id == "ARCH0018").ToList();
            var d = Assert.Single(found);
            Assert.Equal(3, d.Line);
            Assert.Equal(column, d.Column);
            Assert.Contains("'" + parameter + "'", d.Message);
            Assert.Contains("not " + value, d.Message);
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
