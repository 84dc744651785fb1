using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>choice(p: [...]) and slimmable(p: [...]): misuse is reported where it is written, a value outside the
    /// declared ones where the value is given.</summary>
    public class ParameterDomainTests
    {
        static ArchDiagnostic[] Errors(string source) =>
            ArchFrontEnd.Check(new SourceFile("t.arch", source), NoImports.Instance).Diagnostics.Where(d => d.Severity == ArchSeverity.Error).ToArray();

        const string Net = @"network N(k: int = 3, w: float = 1.0, ks: int[] = [3, 5]) {
  input 3x8x8
  choice(k: [3, 5, 7])
  choice(ks: [3, 5])
  slimmable(w: [0.5, 1.0])
  conv(int(8 * w), k, padding: k / 2)
  conv(8, ks[0], padding: 1)
  conv(8, ks[1], padding: 2)
}
";

        [Fact]
        public void Values_inside_the_domains_check_cleanly() =>
            Assert.Empty(Errors(Net + "variant A = N(k: 7, w: 0.5, ks: [5, 3])\n"));

        [Theory]
        [InlineData("variant B = N(k: 4)", 18, "'k' is 4, not one of the choices [3, 5, 7]")]
        [InlineData("variant B = N(ks: [3, 6])", 19, "'ks[1]' is 6, not one of the choices [3, 5]")]
        [InlineData("variant B = N(w: 0.75)", 18, "'w' is 0.75, not one of the slimmable widths [0.5, 1]")]
        public void A_value_outside_its_domain_is_reported_at_the_argument(string variant, int column, string message)
        {
            var e = Assert.Single(Errors(Net + variant + "\n"));
            Assert.Equal("ARCH0018", e.Id);
            Assert.Equal(10, e.Line);
            Assert.Equal(column, e.Column);
            Assert.Equal(message, e.Message);
        }

        [Theory]
        [InlineData("choice(q: [1])", "'N' has no parameter named 'q'")]
        [InlineData("slimmable(k: [1])", "A slimmable width must be a float parameter; 'k' is int")]
        [InlineData("choice([3, 5])", "'choice' is written as choice(parameter: [values]), e.g. choice(kernel: [3, 5, 7])")]
        public void Misuse_is_reported_at_the_statement(string statement, string message)
        {
            var e = Assert.Single(Errors("network N(k: int = 3) {\n  input 3x8x8\n  " + statement + "\n  conv(8, k)\n}\n"));
            Assert.Equal("ARCH0025", e.Id);
            Assert.Equal((3, 3), (e.Line, e.Column));
            Assert.Equal(message, e.Message);
        }

        [Fact]
        public void A_domain_belongs_to_a_network_not_a_block()
        {
            var e = Assert.Single(Errors("block B(k: int) {\n  choice(k: [3])\n  conv(8, k)\n}\nnetwork N() {\n  input 3x8x8\n  B(3)\n}\n"));
            Assert.Equal("ARCH0025", e.Id);
            Assert.Equal((2, 3), (e.Line, e.Column));
        }
    }
}
