using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>A name followed directly by '{' is an index only when the brace closes on the same line; otherwise the
    /// brace opens a body, so `if flag{` and `for i in 0..n{` keep meaning what they meant before indexed names.</summary>
    public class IndexedNameBodyTests
    {
        const string Source = @"
network N(flag: bool = true, n: int = 2) {
  input 3x8x8
  if flag{
    conv(4, 3)
  }
  for i in 0..n{
    relu
  }
}
";

        [Fact]
        public void A_brace_that_opens_a_multi_line_body_is_not_an_index()
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", Source), NoImports.Instance);
            Assert.Empty(result.Diagnostics.Where(d => d.Severity == ArchSeverity.Error));
            Assert.Empty(result.Diagnostics.Where(d => d.Id == "ARCH0013"));   // flag is read, not an index base
            Assert.Equal(new long[] { 4, 6, 6 }, result.Reports.Single().Summary.Output.ToArray());
        }
    }
}
