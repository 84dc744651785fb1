using System;
using System.Globalization;
using System.Linq;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Generated code and tables are byte-identical across runs and whatever the current culture.</summary>
    public sealed class DeterminismTests
    {
        /// <summary>One run in the invariant culture, which every other run is compared with.</summary>
        private static readonly Lazy<string> Baseline =
            new Lazy<string>(() => InCulture(CultureInfo.InvariantCulture, () => Render(CatalogueBuild.Run())));

        [Fact]
        public void TwoRuns_ProduceIdenticalBytes()
        {
            var second = InCulture(CultureInfo.InvariantCulture, () => Render(CatalogueBuild.Run()));

            Assert.Equal(Baseline.Value, second);
        }

        [Theory]
        [InlineData("tr-TR")] // dotted and dotless i: culture-sensitive casing breaks identifiers
        [InlineData("de-DE")] // decimal comma, '.' as thousands separator
        [InlineData("fr-FR")] // narrow no-break space as thousands separator
        [InlineData("ar-SA")] // another calendar and list separator
        public void OutputDoesNotDependOnTheCurrentCulture(string cultureName)
        {
            var other = InCulture(new CultureInfo(cultureName), () => Render(CatalogueBuild.Run()));

            Assert.Equal(Baseline.Value, other);
        }

        private static string Render(CatalogueBuild build) =>
            string.Join("\n", build.Files.Select(f => f.GeneratedCode() + "\n" + f.Tables())) +
            string.Join("\n", build.GeneratorDiagnostics.Select(d => d.ToString()));

        private static T InCulture<T>(CultureInfo culture, Func<T> action)
        {
            var (culture0, ui0) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            try
            {
                return action();
            }
            finally
            {
                CultureInfo.CurrentCulture = culture0;
                CultureInfo.CurrentUICulture = ui0;
            }
        }
    }
}
