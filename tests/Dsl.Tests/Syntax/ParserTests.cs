using System.Linq;
using ArchDsl.Syntax;
using Xunit;

namespace ArchDsl.Dsl.Tests.Syntax
{
    public class ParserTests
    {
        private static DefinitionDecl Definition(string text) =>
            Assert.IsType<DefinitionDecl>(Assert.Single(ArchParser.ParseUnit(text).Declarations));

        [Fact]
        public void Labeled_application_names_the_layer_and_keeps_spans()
        {
            const string text = "block A() {\n  conv1: conv(64, 3, stride: 2)\n}";
            var def = Definition(text);
            var labeled = Assert.IsType<LabeledStmt>(Assert.Single(def.Body.Statements));
            Assert.Equal("conv1", labeled.Name.StaticText);
            var call = Assert.IsType<CallExpr>(Assert.IsType<ExprStmt>(labeled.Statement).Expression);
            Assert.Equal("conv", call.Callee);
            Assert.Equal("stride", call.Arguments[2].Name);
            Assert.Equal("conv1: conv(64, 3, stride: 2)", text.Substring(labeled.Span.Start, labeled.Span.Length));
        }

        [Fact]
        public void Interpolated_names_hold_expressions()
        {
            var def = Definition("network N() { input 3x8x8\n for i in 0..4 { layer{i+1}: relu } }");
            var f = Assert.IsType<ForStmt>(def.Body.Statements[1]);
            Assert.IsType<RangeExpr>(f.Source);
            var labeled = Assert.IsType<LabeledStmt>(Assert.Single(f.Body.Statements));
            Assert.Equal(2, labeled.Name.Parts.Length);
            Assert.Equal("layer", labeled.Name.Parts[0].Text);
            Assert.IsType<BinaryExpr>(labeled.Name.Parts[1].Expression);
        }

        [Fact]
        public void Input_accepts_dimension_literal_and_list()
        {
            var a = Assert.IsType<InputStmt>(Definition("network N() { input 3x224x224 }").Body.Statements[0]);
            Assert.Equal(new long[] { 3, 224, 224 }, a.Dimensions.Select(d => ((IntLiteral)d).Value));
            var b = Assert.IsType<InputStmt>(Definition("network N(r: int = 8) { input [3, r, r] }").Body.Statements[0]);
            Assert.IsType<NameExpr>(b.Dimensions[1]);
        }

        [Fact]
        public void Operator_precedence_follows_the_reference()
        {
            var e = ArchParser.ParseExpression("64 * 2^i + 1 > 3 && j == 0 ? 2 : 1")!;
            Assert.Equal("((((64 * (2 ^ i)) + 1) > 3) && (j == 0)) ? 2 : 1)", SyntaxPrinter.Expr(e).Substring(1));
        }

        [Fact]
        public void Residual_with_named_conditional_shortcut()
        {
            var def = Definition("block B(s: int) { residual { conv(8, 3) } shortcut downsample when s != 1 { conv(8, 1) } }");
            var r = Assert.IsType<ResidualStmt>(Assert.Single(def.Body.Statements));
            Assert.Equal("downsample", r.Shortcut!.Name!.StaticText);
            Assert.NotNull(r.Shortcut.Condition);
            Assert.Equal(ShortcutKind.Projection, r.Shortcut.Kind);
        }

        [Fact]
        public void Pipeline_stages_may_be_named_and_shared()
        {
            var def = Definition("block S() { s = input |> pool: adaptive_avgpool(1) |> fc: conv(4, 1) |> sigmoid\n input * s }");
            var assign = Assert.IsType<AssignStmt>(def.Body.Statements[0]);
            var pipe = Assert.IsType<PipeExpr>(assign.Value);
            Assert.Equal(3, pipe.Stages.Length);
            Assert.IsType<LabeledStmt>(pipe.Stages[0]);
            Assert.IsType<BinaryExpr>(Assert.IsType<ExprStmt>(def.Body.Statements[1]).Expression);
        }

        [Fact]
        public void Comments_and_documentation_are_kept_out_of_the_tree()
        {
            var unit = ArchParser.ParseUnit("// The A block.\n// Second line.\nblock A() { /* inline */ relu // trailing\n}\n");
            var def = Assert.IsType<DefinitionDecl>(Assert.Single(unit.Declarations));
            Assert.Equal("The A block.\nSecond line.", def.Documentation);
            Assert.Single(def.Body.Statements);
        }

        [Fact]
        public void Variant_with_reference_and_import()
        {
            var unit = ArchParser.ParseUnit("import \"blocks.arch\"\nvariant R18 = ResNet(block: BasicBlock, layers: [2, 2, 2, 2]) reference \"resnet18()\"\n");
            Assert.Equal("blocks.arch", Assert.IsType<ImportDecl>(unit.Declarations[0]).Path);
            var v = Assert.IsType<VariantDecl>(unit.Declarations[1]);
            Assert.Equal("resnet18()", v.Reference);
            Assert.Equal(2, v.Arguments.Length);
        }

        [Fact]
        public void Recovery_reports_each_broken_statement_and_keeps_the_rest()
        {
            var def = Definition("block A() {\n  conv(8 3)\n  relu\n  conv(,)\n  bn: batchnorm\n}");
            Assert.Equal(2, def.Body.Statements.OfType<ErrorStmt>().Count());
            Assert.Contains(def.Body.Statements, s => s is LabeledStmt l && l.Name.StaticText == "bn");
        }

        [Fact]
        public void Number_then_range_is_not_a_float()
        {
            var def = Definition("network N() { input 3x8x8\n for i in 0..2 { relu } }");
            var range = Assert.IsType<RangeExpr>(Assert.IsType<ForStmt>(def.Body.Statements[1]).Source);
            Assert.Equal(0, Assert.IsType<IntLiteral>(range.From).Value);
        }
    

        /// <summary>A list starting with whole numbers is read straight from the text; one starting with a name goes
        /// through the grammar item by item. Written with '1' and with 'q' first (one character either way), every
        /// other node, span and error must be the same.</summary>
        [Theory]
        [InlineData("[1, 2, 3]")]
        [InlineData("[1 /* c */ , 2 // d\n , 30\n]")]
        [InlineData("[1, 2, x, 3]")]
        [InlineData("[1, 2.5, 3e2, 4]")]
        [InlineData("[1, 99999999999999999999, 9223372036854775807, 9223372036854775808]")]
        [InlineData("[1, 2 + 3, -4, 5]")]
        [InlineData("[1, 2..4]")]
        [InlineData("[1, 2x, 3]")]
        [InlineData("[1, 2, ]")]
        [InlineData("[1, 2 3]")]
        [InlineData("[1, [2, 3], 4]")]
        [InlineData("[1, 2")]
        public void A_list_of_numbers_reads_as_the_grammar_reads_it(string list)
        {
            string Unit(string first) => "network N() {\n  input 3x8x8\n  let l = " + first + list.Substring(2) + "\n  conv(1, 1)\n}";
            string Nodes(CompilationUnit unit) => string.Join("\n", SyntaxWalker.Descendants(unit)
                .Where(n => !(n is NameExpr { Name: "q" }) && !(n is IntLiteral { Value: 1 } one && one.Span.Start == Unit("[1").IndexOf("[1") + 1))
                .Select(n => n.GetType().Name + n.Span + (n is ErrorStmt e ? e.Expected : n is IntLiteral i ? i.Value.ToString() : n is FloatLiteral f ? f.Text : "")));
            var numbers = ArchParser.ParseUnit(Unit("[1"));
            var names = ArchParser.ParseUnit(Unit("[q"));
            Assert.Equal(Nodes(names), Nodes(numbers));
            Assert.Equal(SyntaxPrinter.Print(names).Replace("[q", "[1"), SyntaxPrinter.Print(numbers));
        }
    }
}
