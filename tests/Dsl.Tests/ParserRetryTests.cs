using System.Linq;
using ArchDsl.Dsl.Tests.Support;
using Xunit;

namespace ArchDsl.Dsl.Tests
{
    /// <summary>The parser may try the same rule twice at one position (an optional body that is absent, then a
    /// statement that could start with a body). Found by the fuzzer: Sprache's forward reference remembered the
    /// first failure and threw on the second try, which surfaced as an internal error (ARCH9998) at line 1.</summary>
    public class ParserRetryTests
    {
        [Theory]
        [InlineData("network N {\n  input 3x8x8\n  residual { conv(3, 1) } shortcut zeropad$ relu\n}\n", 3, 43)]
        [InlineData("block B(c: int = 4) {\n  residual { conv(c, 1) } shortcut zeropad when c != 1$\n}\nnetwork N {\n  input 3x8x8\n  B(4)\n}\n", 2, 55)]
        public void A_rule_tried_twice_at_one_place_gives_a_syntax_error_there(string text, int line, int column)
        {
            var diagnostics = ArchFrontEnd.Check(new SourceFile("retry.arch", text), NoImports.Instance).Diagnostics;

            Assert.DoesNotContain(diagnostics, d => d.Id == "ARCH9998" || d.Id == "ARCH9999");
            Assert.Contains(diagnostics, d => d.Severity == ArchSeverity.Error && d.Line == line && d.Column == column);
        }
    }
}
