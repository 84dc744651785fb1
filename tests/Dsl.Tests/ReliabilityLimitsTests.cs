using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ArchDsl.Dsl.Tests.Support;
using Xunit;

namespace ArchDsl.Dsl.Tests
{
    /// <summary>Absurd inputs end in a diagnostic, in bounded time and memory, never a crash. Each case runs on a
    /// thread with a 1 MB stack (smaller than the compiler's worker threads) under a deadline the test enforces.</summary>
    public class ReliabilityLimitsTests
    {
        private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

        /// <summary>Runs the front end on its own thread; fails when it overruns the deadline. Returns the diagnostics
        /// and the bytes the front end allocated.</summary>
        internal static (IReadOnlyList<ArchDiagnostic> Diagnostics, long Allocated) CheckBounded(string text, IImportResolver? imports = null)
        {
            IReadOnlyList<ArchDiagnostic>? diagnostics = null;
            long allocated = 0;
            Exception? failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    diagnostics = ArchFrontEnd.Check(new SourceFile("limits.arch", text), imports ?? NoImports.Instance).Diagnostics;
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
                catch (Exception e) { failure = e; }
            }, 1024 * 1024) { IsBackground = true };
            thread.Start();
            Assert.True(thread.Join(Deadline), "the front end did not finish within " + Deadline.TotalSeconds + " s");
            Assert.Null(failure);
            Assert.DoesNotContain(diagnostics!, d => d.Id == "ARCH9998");
            foreach (var d in diagnostics!) Assert.InRange(d.Start + d.Length, 0, text.Length);
            return (diagnostics!, allocated);
        }

        private static string Network(string body) => "network N() {\n  input 3x8x8\n" + body + "\n}\n";

        private static string Times(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

        [Fact]
        public void A_repeat_of_a_billion_is_a_size_error()
        {
            var (diagnostics, allocated) = CheckBounded(Network("  repeat 1000000000 { relu }"));
            Assert.Contains(diagnostics, d => d.Id == "ARCH0023");
            Assert.True(allocated < 1L << 30, "allocated " + allocated + " bytes");
        }

        [Fact]
        public void Nested_repeats_multiplying_to_a_trillion_are_a_size_error()
        {
            var (diagnostics, _) = CheckBounded(Network("  repeat 1000000 { repeat 1000000 { relu } }"));
            Assert.Contains(diagnostics, d => d.Id == "ARCH0023");
        }

        public static IEnumerable<object[]> DeepNestings()
        {
            const int deep = 5000;
            yield return new object[] { "parentheses", Network("  conv(" + Times("(", deep) + "1" + Times(")", deep) + ", 1)") };
            yield return new object[] { "lists", Network("  conv(" + Times("[", deep) + "1" + Times("]", deep) + ", 1)") };
            yield return new object[] { "groups", Network(Times("{ ", deep) + "relu" + Times(" }", deep)) };
            yield return new object[] { "repeats", Network(Times("repeat 1 { ", deep) + "relu" + Times(" }", deep)) };
            yield return new object[] { "ifs", Network(Times("if true { ", deep) + "relu" + Times(" }", deep)) };
            yield return new object[] { "residuals", Network(Times("residual { ", deep) + "relu" + Times(" }", deep)) };
            yield return new object[] { "negations", "network N(a: int = " + Times("-", deep) + "1) {\n  input 3x8x8\n  conv(a, 1)\n}\n" };
            yield return new object[] { "nots", "network N(a: bool = " + Times("!", deep) + "true) {\n  input 3x8x8\n  relu\n}\n" };
            yield return new object[] { "sums", Network("  conv(" + Times("1 + ", 50000) + "1, 1)") };
            yield return new object[] { "powers", Network("  conv(" + Times("1 ^ ", deep) + "1, 1)") };
            yield return new object[] { "conditionals", Network("  conv(" + Times("true ? 1 : ", deep) + "1, 1)") };
            yield return new object[] { "indexes", Network("  conv([1]" + Times("[0]", deep) + ", 1)") };
        }

        [Theory]
        [MemberData(nameof(DeepNestings))]
        public void Nesting_thousands_deep_is_an_error_not_a_stack_overflow(string what, string text)
        {
            var (diagnostics, _) = CheckBounded(text);
            Assert.True(diagnostics.Any(d => d.Severity == ArchSeverity.Error), what + ": no error diagnostic");
        }

        [Fact]
        public void A_pipe_of_fifty_thousand_stages_finishes()
        {
            CheckBounded(Network("  x = input" + Times(" |> relu", 50000) + "\n  x"));
        }

        [Fact]
        public void Nesting_at_the_limit_still_parses()
        {
            // 60 nested groups: far beyond any paper's table, well inside the limit.
            var (diagnostics, _) = CheckBounded(Network(Times("{ ", 60) + "relu" + Times(" }", 60)));
            Assert.DoesNotContain(diagnostics, d => d.Severity == ArchSeverity.Error);
        }

        private static string ElseIfChain(int branches, string last) =>
            "block B(k: int) {\n  if k == 0 { conv(1, 1) }\n"
            + string.Concat(Enumerable.Range(1, branches - 1).Select(i => "  else if k == " + i + " { " + (i == branches - 1 ? last : "conv(" + i + ", 1)") + " }\n"))
            + "  else { conv(3, 1) }\n}\n";

        [Fact]
        public void A_chain_of_else_ifs_at_the_limit_is_one_level_of_nesting()
        {
            // The last branch nests groups to just under the depth limit: the chain adds nothing to the depth, and the
            // recursion of the binder and elaborator along it stays within a 1 MB stack, also once the JIT has
            // optimised them (larger frames: the run is repeated first until it is).
            const int depth = 95; // a group is two levels (statement and body): 4 + 2 x 95 + 4 = 198
            string deepest = Times("{ ", depth) + "conv(7, 1)" + Times(" }", depth);
            var text = ElseIfChain(ReliabilityLimits.MaxElseIfBranches, deepest) + Network("  B(" + (ReliabilityLimits.MaxElseIfBranches - 1) + ")\n  B(200)");
            FrontEndResult result = null!;
            var warm = System.Diagnostics.Stopwatch.StartNew();
            while (warm.Elapsed < TimeSpan.FromSeconds(3))
                result = ArchFrontEnd.Check(new SourceFile("chain.arch", text), NoImports.Instance);
            Assert.DoesNotContain(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
            var (diagnostics, _) = CheckBounded(text);
            Assert.DoesNotContain(diagnostics, d => d.Severity == ArchSeverity.Error);
            // The branch taken is the one named: 3->7 channels (1x1, with bias), then 7->200.
            var network = Assert.Single(result.Networks);
            Assert.Equal(3 * 7 + 7 + 7 * 200 + 200, network.Params);
        }

        [Fact]
        public void A_chain_longer_than_the_limit_is_an_error_at_its_first_branch_too_many()
        {
            var text = ElseIfChain(ReliabilityLimits.MaxElseIfBranches + 1, "conv(2, 1)") + Network("  B(4)");
            var (diagnostics, _) = CheckBounded(text);
            var d = Assert.Single(diagnostics, x => x.Id == "ARCH0001");
            Assert.Contains("branches", d.Message);
            Assert.Equal(ReliabilityLimits.MaxElseIfBranches + 2, d.Line);
            Assert.Equal(8, d.Column);
        }

        [Theory]
        [InlineData("network A() {\n  input 3x8x8\n  relu\n}\n/* never closed\nnetwork B() { input 3x8x8\n relu }\n", 5, 1, 1)]
        [InlineData("network A() {\n  input 3x8x8\n  relu /* open\n}\n", 3, 8, 2)]
        [InlineData("/*/\nnetwork A() {\n  input 3x8x8\n  relu\n}\n", 1, 1, 1)]
        public void An_unterminated_comment_is_an_error_where_it_opens(string text, int line, int column, int errors)
        {
            var (diagnostics, _) = CheckBounded(text);
            Assert.Equal(errors, diagnostics.Count(d => d.Severity == ArchSeverity.Error));
            var d = Assert.Single(diagnostics, x => x.Message.Contains("'*/'"));
            Assert.Equal((line, column), (d.Line, d.Column));
        }

        [Theory]
        [InlineData("network A() {\n  input 3x8x8\n  relu // a line comment's /* is text\n}\n")]
        [InlineData("network A() {\n  input 3x8x8\n  relu\n}\nvariant V = A() reference \"see /* here \\\" /*\"\n")]
        [InlineData("network A() {\n  input 3x8x8\n  relu /* closed */ /**/\n}\n")]
        public void A_comment_opener_inside_a_string_or_a_comment_is_text(string text)
        {
            var (diagnostics, _) = CheckBounded(text);
            Assert.DoesNotContain(diagnostics, d => d.Severity == ArchSeverity.Error);
        }

        [Theory]
        [InlineData("network A() {\n  input 3x8x8\n  relu\n}\nvariant V = A reference \"never closed\nnetwork B() {\n  input 3x8x8\n  conv(x, 1)\n}\n")]
        [InlineData("import \"never closed\nnetwork B() {\n  input 3x8x8\n  conv(x, 1)\n}\n")]
        [InlineData("network B() {\n  input 3x8x8\n  let s = \"never closed\n  conv(x, 1)\n}\n")]
        public void An_unterminated_string_is_an_error_and_the_rest_of_the_file_is_still_read(string text)
        {
            var (diagnostics, _) = CheckBounded(text);
            Assert.Contains(diagnostics, d => d.Id == "ARCH0001" && d.Message.Contains("'\"'"));
            // The declaration after it is read: its unknown name is reported.
            Assert.Contains(diagnostics, d => d.Id == "ARCH0002" && d.Message.Contains("'x'"));
        }

        [Fact]
        public void A_50_MB_file_is_refused_with_a_diagnostic()
        {
            var line = "// " + new string('x', 97) + "\n";
            var text = Times(line, 50 * 1024 * 1024 / line.Length) + Network("  relu");
            var (diagnostics, allocated) = CheckBounded(text);
            var d = Assert.Single(diagnostics, x => x.Id == "ARCH0023");
            Assert.Contains("characters", d.Message);
            Assert.True(allocated < 64L << 20, "the front end allocated " + allocated + " bytes for a file it refuses");
        }

        [Fact]
        public void An_import_cycle_is_a_diagnostic()
        {
            var files = new MemoryImports(new Dictionary<string, string>
            {
                ["a.arch"] = "import \"b.arch\"\nblock A() { relu }\n",
                ["b.arch"] = "import \"c.arch\"\nblock B() { relu }\n",
                ["c.arch"] = "import \"a.arch\"\nimport \"limits.arch\"\nblock C() { relu }\n",
                ["limits.arch"] = "import \"a.arch\"\n",
            });
            var (diagnostics, _) = CheckBounded("import \"a.arch\"\n" + Network("  relu"), files);
            Assert.Contains(diagnostics, d => d.Id == "ARCH0015");
        }

        [Fact]
        public void A_file_importing_itself_is_a_diagnostic()
        {
            var files = new MemoryImports(new Dictionary<string, string> { ["limits.arch"] = "import \"limits.arch\"\n" });
            var (diagnostics, _) = CheckBounded("import \"limits.arch\"\n" + Network("  relu"), files);
            Assert.Contains(diagnostics, d => d.Id == "ARCH0015");
        }
    }
}
