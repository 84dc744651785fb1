using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ArchDsl.Cli;
using ArchDsl.Cli.Commands;
using ArchDsl.Cli.Graph;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>docs/catalogue/FAMILY.svg: one diagram per .arch file, drawn by <c>archdsl graph</c>. The test rebuilds
    /// each diagram's DOT and fails when the committed .dot differs (SVG bytes vary with Graphviz's version, the DOT
    /// does not); ARCHDSL_ACCEPT=1 rewrites the .dot and renders the .svg.</summary>
    public sealed class CatalogueDiagramTests
    {
        /// <summary>The network drawn for a family where its first variant is not the best known one.</summary>
        public static readonly IReadOnlyDictionary<string, string> Representative = new Dictionary<string, string>
        {
            ["resnet"] = "ResNet50",
            ["vgg"] = "VGG16",
            ["mobilenet_v2"] = "MobileNetV2_100",
            ["shufflenet_v2"] = "ShuffleNetV2_x1_0",
            ["googlenet"] = "GoogLeNetNoAux",
            ["inception_v3"] = "InceptionV3NoAux",
        };

        public static IEnumerable<object[]> Families() =>
            Directory.EnumerateFiles(RepoPaths.Architectures, "*.arch").Select(f => Path.GetFileNameWithoutExtension(f)!)
                .OrderBy(f => f, StringComparer.Ordinal).Select(f => new object[] { f });

        public static string DiagramPath(string family, string extension) =>
            Path.Combine(RepoPaths.Root, "docs", "catalogue", family + "." + extension);

        /// <summary>The family's representative: the named one, else its first variant, else its first network.</summary>
        public static string NetworkOf(string family)
        {
            if (Representative.TryGetValue(family, out var name)) return name;
            var result = ArchFrontEnd.Analyze(ArchSources.Instance.Read(Path.Combine(RepoPaths.Architectures, family + ".arch")), ArchSources.Instance);
            return result.Program!.Variants.Select(v => v.Name).FirstOrDefault() ?? result.Reports[0].Summary.Name;
        }

        [Theory]
        [MemberData(nameof(Families))]
        public void Family_diagram_is_current(string family)
        {
            var expected = DotWriter.Write(GraphCommandTests.Graph(family + ".arch", NetworkOf(family)));
            var dotPath = DiagramPath(family, "dot");
            var svgPath = DiagramPath(family, "svg");
            var actual = File.Exists(dotPath) ? File.ReadAllText(dotPath).Replace("\r\n", "\n") : "";
            if (actual == expected && File.Exists(svgPath)) return;
            if (Environment.GetEnvironmentVariable("ARCHDSL_ACCEPT") == "1")
            {
                File.WriteAllText(dotPath, expected, new UTF8Encoding(false));
                File.WriteAllBytes(svgPath, GraphCommand.Render(expected, "svg"));
                return;
            }
            Assert.Fail($"docs/catalogue/{family}.dot or .svg is stale or missing.\n" +
                        "Regenerate: ARCHDSL_ACCEPT=1 dotnet test tests/Generator.Tests --filter FullyQualifiedName~CatalogueDiagramTests");
        }

        [Fact]
        public void Every_diagram_belongs_to_a_family()
        {
            var families = Families().Select(f => (string)f[0]).ToHashSet();
            var orphans = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "docs", "catalogue"))
                .Where(f => f.EndsWith(".dot", StringComparison.Ordinal) || f.EndsWith(".svg", StringComparison.Ordinal))
                .Select(f => Path.GetFileNameWithoutExtension(f)!).Where(f => !families.Contains(f)).ToList();
            Assert.Empty(orphans);
        }
    }
}
