using System;
using System.Linq;
using ArchDsl.Dsl.Tests.Support;
using ArchDsl.Syntax;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ArchDsl.Dsl.Tests.Properties
{
    /// <summary>Printing a parsed program and parsing it again gives the same tree (compared through the
    /// canonical printer, which ignores spans and layout).</summary>
    public class RoundTripProperties
    {
        [Fact]
        public void Every_catalogue_file_round_trips()
        {
            foreach (var name in TestFiles.CatalogueFiles())
            {
                var unit = ArchParser.ParseUnit(TestFiles.Catalogue(name).Text);
                Assert.DoesNotContain(SyntaxWalker.Descendants(unit), n => n is ErrorStmt || n is ErrorDecl);
                var printed = SyntaxPrinter.Print(unit);
                var again = ArchParser.ParseUnit(printed);
                Assert.DoesNotContain(SyntaxWalker.Descendants(again), n => n is ErrorStmt || n is ErrorDecl);
                Assert.Equal(printed, SyntaxPrinter.Print(again));
            }
        }

        private static readonly string[] Names = { "a", "b", "in_channels", "width", "layers" };
        private static readonly string[] Ops = { "+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||" };

        /// <summary>Random expressions over every operator (also used by the formatter's properties).</summary>
        internal static Gen<string> Expression(int depth)
        {
            var leaves = Gen.OneOf(
                Gen.Choose(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Gen.Elements(Names),
                Gen.Elements("true", "false", "0.5", "1e-3", "\"s\""));
            if (depth <= 0) return leaves;
            var sub = Expression(depth - 1);
            return Gen.OneOf(
                leaves,
                sub.SelectMany(l => Gen.Elements(Ops).SelectMany(op => sub.Select(r => l + " " + op + " " + r))),
                sub.SelectMany(c => sub.SelectMany(a => sub.Select(b => c + " ? " + a + " : " + b))),
                sub.Select(x => "-" + x),
                sub.Select(x => "!(" + x + ")"),
                sub.Select(x => "(" + x + ")"),
                sub.SelectMany(x => sub.Select(y => "[" + x + ", " + y + "]")),
                sub.SelectMany(x => sub.Select(y => "max(" + x + ", " + y + ")")),
                sub.Select(x => "layers[" + x + "]"));
        }

        [Fact]
        public void Random_expressions_print_and_parse_to_the_same_tree()
        {
            Prop.ForAll(Expression(3).ToArbitrary(), text =>
            {
                var e = ArchParser.ParseExpression(text);
                if (e == null) return false;
                var printed = SyntaxPrinter.Expr(e);
                var again = ArchParser.ParseExpression(printed);
                return again != null && SyntaxPrinter.Expr(again) == printed;
            }).QuickCheckThrowOnFailure();
        }

        /// <summary>Random blocks of every statement kind, each followed by a variant (also used by the formatter's properties).</summary>
        internal static Gen<string> Programs()
        {
            var statement = Gen.Elements(
                "conv(8, 3, stride: 2, padding: 1, bias: false)", "relu", "c{i}: batchnorm", "let k = in_channels / 2",
                "repeat 2 as j { relu }", "if a > 1 { relu } else { sigmoid }", "residual when a == 1 { conv(8, 1) } shortcut zeropad",
                "concat { b1: relu\n b2: { conv(4, 1) } }", "s = input |> fc: conv(4, 1) |> sigmoid", "input * s", "split { identity\n relu }",
                "dense repeat 2 as j { l{j}: relu }", "aux1: aux { flatten }", "@c0", "for x in [1, 2] { conv(x, 1) }");
            return Gen.ListOf(statement).Select(list => "block A(a: int = 1, i: int = 0) {\n" + string.Join("\n", list) + "\n}\nvariant V = N(a: 2) reference \"n(a=2)\"\n");
        }

        [Fact]
        public void Random_programs_print_and_parse_to_the_same_tree()
        {
            Prop.ForAll(Programs().ToArbitrary(), text =>
            {
                var unit = ArchParser.ParseUnit(text);
                if (SyntaxWalker.Descendants(unit).Any(n => n is ErrorStmt || n is ErrorDecl)) return false;
                var printed = SyntaxPrinter.Print(unit);
                return SyntaxPrinter.Print(ArchParser.ParseUnit(printed)) == printed;
            }).QuickCheckThrowOnFailure();
        }
    }
}
