using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Text;
using ArchDsl.Dsl.Tests.Properties;
using ArchDsl.Dsl.Tests.Support;
using ArchDsl.Syntax;
using ArchDsl.Text;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace ArchDsl.Dsl.Tests
{
    /// <summary><c>archdsl fmt</c>'s formatter: idempotent, the same program, every comment kept in order and attached to
    /// the same statement, files with syntax errors left alone; and the layout rules of docs/cli.md, case by case.</summary>
    public class FormatterTests
    {
        // ---------------------------------------------------------------- the four properties

        [Fact]
        public void Every_catalogue_file_formats_to_the_same_program_with_the_same_comments_and_formats_stably()
        {
            foreach (var name in TestFiles.CatalogueFiles())
            {
                var text = TestFiles.Catalogue(name).Text;
                AssertFormatsFaithfully(text, name);
            }
        }

        [Fact]
        public void Random_programs_in_random_layouts_format_faithfully()
        {
            Prop.ForAll(MessyPrograms().ToArbitrary(), text =>
            {
                AssertFormatsFaithfully(text, "random program");
                return true;
            }).QuickCheckThrowOnFailure();
        }

        [Fact]
        public void Random_expressions_in_random_layouts_format_faithfully()
        {
            var programs = RoundTripProperties.Expression(3).SelectMany(e => Gen.Choose(0, int.MaxValue)
                .Select(seed => Perturb("block E(a: int = 1, b: int = 2) {\n  let e = " + e + "\n  conv(8, " + e + ")\n}\n", new Random(seed))));
            Prop.ForAll(programs.ToArbitrary(), text =>
            {
                AssertFormatsFaithfully(text, "random expression");
                return true;
            }).QuickCheckThrowOnFailure();
        }

        [Fact]
        public void A_file_with_syntax_errors_is_not_formatted_and_its_errors_are_located()
        {
            const string text = "block A() {\n  conv(8,, 3)\n  relu\n}\n";

            var result = ArchFormatter.Format(new SourceFile("a.arch", text));

            Assert.True(result.HasErrors);
            Assert.False(result.Changed);
            Assert.Equal(text, result.Text);
            var error = Assert.Single(result.Diagnostics);
            Assert.Equal("ARCH0001", error.Id);
            Assert.Equal(("a.arch", 2, 10), (error.Path, error.Line, error.Column));
            Assert.Throws<ArgumentException>(() => ArchFormatter.Format(text));
        }

        // ---------------------------------------------------------------- layout rules

        [Fact]
        public void Spacing_is_canonical_and_literals_parentheses_and_comments_stay_as_written()
        {
            const string text =
                "block   B( out:int,k : int=3 ) {\n" +
                "    let   h=in_channels*2+(k-1)/2   // half\n" +
                "  conv( out,k,stride:2,padding:(k-1)/2,eps:1e-3,momentum:0.001 )\n" +
                "      x{k+1}=input|>a:conv(4,1)|>sigmoid\n" +
                "  for i in 0 .. 4 { layer{ i + 1 }: conv(-i, 2 ^ i, - 1) }\n" +
                "}\n";
            const string expected =
                "block B(out: int, k: int = 3) {\n" +
                "  let h = in_channels * 2 + (k - 1) / 2   // half\n" +
                "  conv(out, k, stride: 2, padding: (k - 1) / 2, eps: 1e-3, momentum: 0.001)\n" +
                "  x{k+1} = input |> a: conv(4, 1) |> sigmoid\n" +
                "  for i in 0..4 { layer{i+1}: conv(-i, 2^i, -1) }\n" +
                "}\n";

            Assert.Equal(expected, ArchFormatter.Format(text));
        }

        [Fact]
        public void One_statement_per_line_but_a_body_written_on_one_line_stays_on_one_line()
        {
            const string text =
                "network N {\n" +
                "  input 3x32x32; conv(8, 3) ; relu\n" +
                "  classifier: { dropout(0.2) linear(10); }\n" +
                "  if true { relu }\n" +
                "  else { sigmoid }\n" +
                "  residual { conv(8, 1) }\n" +
                "  shortcut zeropad\n" +
                "  t = add { relu; sigmoid }\n" +
                "  concat {\n" +
                "  }\n" +
                "}\n";
            const string expected =
                "network N {\n" +
                "  input 3x32x32\n" +
                "  conv(8, 3)\n" +
                "  relu\n" +
                "  classifier: { dropout(0.2); linear(10) }\n" +
                "  if true { relu } else { sigmoid }\n" +
                "  residual { conv(8, 1) } shortcut zeropad\n" +
                "  t = add { relu; sigmoid }\n" +
                "  concat {}\n" +
                "}\n";

            Assert.Equal(expected, ArchFormatter.Format(text));
        }

        [Fact]
        public void Comments_keep_their_places_and_blank_lines_collapse_to_one()
        {
            const string text =
                "\n\n// File header.\n\n\n" +
                "// Documentation of A.\n" +
                "block A() {   // after the brace\n" +
                "\n" +
                "      conv(8, 3)\n" +
                "\n\n" +
                "   // Before relu.\n" +
                "  relu /* inline */\n" +
                "  // At the end of the body.\n" +
                "\n" +
                "}\n" +
                "variant V = A() // trailing\n" +
                "/* closing\n   block */\n\n\n";
            const string expected =
                "// File header.\n\n" +
                "// Documentation of A.\n" +
                "block A() {   // after the brace\n" +
                "  conv(8, 3)\n" +
                "\n" +
                "  // Before relu.\n" +
                "  relu /* inline */\n" +
                "  // At the end of the body.\n" +
                "}\n" +
                "variant V = A() // trailing\n" +
                "/* closing\n   block */\n";

            var formatted = ArchFormatter.Format(text);

            Assert.Equal(expected, formatted);
            var doc = ArchParser.ParseUnit(formatted).Declarations.OfType<DefinitionDecl>().Single().Documentation;
            Assert.Equal("Documentation of A.", doc);
        }

        [Fact]
        public void Tables_keep_their_rows_and_alignment_and_move_with_their_statement()
        {
            // EfficientNet's stage table, indented one column too deep, with a comment on a row.
            const string text =
                "network N {\n" +
                "   //            t  k  s   c    n\n" +
                "   let stages = [[1, 3, 1, 16,  1],   // stem\n" +
                "                 [6, 3, 2, 24,  2]]\n" +
                "   //                             #1x1 #3x3r\n" +
                "   inception3a: Module(64,  96,   128)\n" +
                "   Fire(16, 64, 64)      // fire2\n" +
                "}\n";
            const string expected =
                "network N {\n" +
                "  //            t  k  s   c    n\n" +
                "  let stages = [[1, 3, 1, 16,  1],   // stem\n" +
                "                [6, 3, 2, 24,  2]]\n" +
                "  //                             #1x1 #3x3r\n" +
                "  inception3a: Module(64,  96,   128)\n" +
                "  Fire(16, 64, 64)      // fire2\n" +
                "}\n";

            Assert.Equal(expected, ArchFormatter.Format(text));
        }

        [Fact]
        public void Continuation_lines_align_after_their_bracket_or_under_the_first_pipe()
        {
            const string text =
                "block B(out: int, kernel: int,\n" +
                "  stride: int) {\n" +
                "  MBConv(out, kernel,\n" +
                "           eps: 1e-3)\n" +
                "  scale=input |> fc1: conv(8, 1)\n" +
                "       |> sigmoid\n" +
                "  conv(\n" +
                "      out, 3\n" +
                "      )\n" +
                "  let w = stride == 1 ? 2\n" +
                "             : 3\n" +
                "}\n";
            const string expected =
                "block B(out: int, kernel: int,\n" +
                "        stride: int) {\n" +
                "  MBConv(out, kernel,\n" +
                "         eps: 1e-3)\n" +
                "  scale = input |> fc1: conv(8, 1)\n" +
                "                |> sigmoid\n" +
                "  conv(\n" +
                "      out, 3\n" +
                "  )\n" +
                "  let w = stride == 1 ? 2\n" +
                "             : 3\n" +
                "}\n";

            Assert.Equal(expected, ArchFormatter.Format(text));
        }

        [Fact]
        public void Windows_line_breaks_are_kept()
        {
            const string text = "block A() {\r\n    relu // r\r\n}\r\n";

            Assert.Equal("block A() {\r\n  relu // r\r\n}\r\n", ArchFormatter.Format(text));
        }

        // ---------------------------------------------------------------- checks

        private static void AssertFormatsFaithfully(string text, string what)
        {
            var unit = ArchParser.ParseUnit(text);
            Assert.False(HasErrors(unit), what + " does not parse");
            var result = ArchFormatter.Format(new SourceFile("x.arch", text));
            Assert.False(result.HasErrors, what + ": " + string.Join("; ", result.Diagnostics));
            var formatted = result.Text;
            var again = ArchParser.ParseUnit(formatted);

            // (b) the same program, spans aside (documentation comments and literal spellings included).
            Assert.False(HasErrors(again), what + " formatted does not parse:\n" + formatted);
            Assert.True(SameTree(unit, again), what + " formatted is another program:\n" + formatted);
            // (a) idempotent.
            Assert.Equal(formatted, ArchFormatter.Format(formatted));
            // (c) every comment, in order, attached to the same statement.
            Assert.Equal(CommentPlaces(text), CommentPlaces(formatted));
        }

        private static bool HasErrors(CompilationUnit unit) => SyntaxWalker.Descendants(unit).Any(n => n is ErrorStmt || n is ErrorDecl);

        /// <summary>Structural equality of two trees, ignoring spans.</summary>
        private static bool SameTree(object? a, object? b)
        {
            if (a == null || b == null) return a == null && b == null;
            if (a.GetType() != b.GetType()) return false;
            if (a is TextSpan) return true;
            if (a is string || a.GetType().IsPrimitive || a.GetType().IsEnum) return a.Equals(b);
            if (a is IEnumerable ea && b is IEnumerable eb)
            {
                var la = ea.Cast<object?>().ToList();
                var lb = eb.Cast<object?>().ToList();
                return la.Count == lb.Count && la.Zip(lb, SameTree).All(x => x);
            }
            foreach (var property in a.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0 || property.Name == "EqualityContract") continue;
                if (!SameTree(property.GetValue(a), property.GetValue(b))) return false;
            }
            return true;
        }

        /// <summary>Each comment's text and place: the innermost statement or declaration around it, the one that ended
        /// last before it, the first that starts after it (pre-order indices), and whether it shares a line with code before it.</summary>
        private static List<string> CommentPlaces(string text)
        {
            var unit = ArchParser.ParseUnit(text);
            var nodes = SyntaxWalker.Descendants(unit).Where(n => n is StatementSyntax || n is DeclarationSyntax).ToList();
            var places = new List<string>();
            foreach (var comment in SourceComments.Scan(text).Comments)
            {
                int start = comment.Span.Start, end = comment.Span.End;
                int container = nodes.FindLastIndex(n => n.Span.Start <= start && n.Span.End >= end);
                int before = -1;
                for (int k = 0; k < nodes.Count; k++)
                    if (nodes[k].Span.End <= start && (before < 0 || nodes[k].Span.End >= nodes[before].Span.End)) before = k;
                int after = nodes.FindIndex(n => n.Span.Start >= end);
                int p = start - 1;
                while (p >= 0 && (text[p] == ' ' || text[p] == '\t')) p--;
                bool trailing = p >= 0 && text[p] != '\n' && text[p] != '\r';
                var body = string.Join("\n", text.Substring(start, end - start).Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()));
                places.Add(body + " @" + container + "/" + before + "/" + after + (trailing ? " trailing" : " own line"));
            }
            return places;
        }

        // ---------------------------------------------------------------- random programs in random layouts

        /// <summary>The round-trip tests' random programs plus tables, continuation lines, merges as values and
        /// indexed names, laid out at random: indentation, spacing, blank lines and comments.</summary>
        private static Gen<string> MessyPrograms()
        {
            var extra = Gen.Elements(
                "let t = [[1,  2],\n [30, 4]]", "y = input |> conv(4, 1)\n |> relu", "t = add { relu; sigmoid }", "x{i+1} = input",
                "@w{i}_{i}", "conv(8,\n 3)", "if a > 1 { relu } else if a < 0 { sigmoid } else { identity }",
                "residual { conv(8, 1) } shortcut proj when a > 1 { conv(8, 1) }", "classifier: { dropout(0.2); linear(10) }",
                "let f = (a + 1) * 2 ^ (b - 1)", "conv(((a)), 1)", "let s = a == 1 ? [1, 2]\n : [3, 4]");
            return RoundTripProperties.Programs().SelectMany(program => Gen.ListOf(extra).SelectMany(extras => Gen.Choose(0, int.MaxValue)
                .Select(seed => Perturb(program.Replace("\n}\nvariant", "\n" + string.Join("\n", extras) + "\n}\nvariant"), new Random(seed)))));
        }

        private const string Joinable = ",()[]+-*/%<>=:?|&!";

        /// <summary>The same program laid out differently: lines re-indented, spaces multiplied or (next to punctuation)
        /// removed, blank lines, and comments on their own lines, at line ends and between tokens.</summary>
        private static string Perturb(string text, Random random)
        {
            var sb = new StringBuilder();
            int comment = 0;
            foreach (var line in text.Split('\n'))
            {
                if (random.Next(6) == 0) sb.Append('\n');
                if (random.Next(6) == 0) sb.Append(' ', random.Next(4)).Append("// own ").Append(comment++).Append('\n');
                sb.Append(' ', random.Next(7));
                var content = line.TrimStart();
                bool inString = false;
                for (int i = 0; i < content.Length; i++)
                {
                    char c = content[i];
                    if (c == '"') inString = !inString;
                    if (c != ' ' || inString) { sb.Append(c); continue; }
                    char before = sb.Length > 0 ? sb[sb.Length - 1] : ' ', next = i + 1 < content.Length ? content[i + 1] : ' ';
                    int roll = random.Next(10);
                    if (roll == 0) sb.Append(" /* between ").Append(comment++).Append(" */ ");
                    else if (roll < 4 && (Joinable.IndexOf(before) >= 0 || Joinable.IndexOf(next) >= 0) && before != '/' && next != '/') { }
                    else sb.Append(' ', 1 + random.Next(3));
                }
                if (content.Length > 0 && random.Next(4) == 0) sb.Append(' ', 1 + random.Next(3)).Append("// end ").Append(comment++);
                sb.Append('\n');
            }
            var result = sb.ToString();
            var original = ArchParser.ParseUnit(text);
            var perturbed = ArchParser.ParseUnit(result);
            // The layout must not change the program; a failure here is this generator's, not the formatter's.
            Assert.False(HasErrors(perturbed), "perturbed program does not parse:\n" + result);
            Assert.Equal(SyntaxPrinter.Print(original), SyntaxPrinter.Print(perturbed));
            return result;
        }
    }
}
