using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace ArchDsl.Generator.Pipeline
{
    /// <summary>Finds the paths a file's <c>import "x.arch"</c> statements name, without parsing the file.
    /// It may over-report (an import inside a comment counts), which costs only some incrementality;
    /// it never under-reports, so a unit always carries every file the front end will ask for.</summary>
    public static class ImportScanner
    {
        private static readonly Regex ImportStatement =
            new Regex(@"\bimport\s+(?:""(?<path>[^""\r\n]*)""|'(?<path>[^'\r\n]*)')", RegexOptions.CultureInvariant);

        public static IEnumerable<string> FindImports(string text)
        {
            foreach (Match match in ImportStatement.Matches(text))
            {
                yield return match.Groups["path"].Value;
            }
        }
    }
}
