using ArchDsl.Testing;
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using ArchDsl.Cli.Output;
using ArchDsl.Generator.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ArchDsl.Generator.Tests
{
    /// <summary>The catalogue (architectures/**/*.arch) run through the real generator, as a project whose folder is
    /// the repository root would compile it, plus the front end's summaries of each file.</summary>
    internal sealed class CatalogueBuild
    {
        private CatalogueBuild(IReadOnlyList<CatalogueFile> files, Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics)
        {
            Files = files;
            Output = output;
            GeneratorDiagnostics = generatorDiagnostics;
        }

        /// <summary>Every catalogue file, in path order.</summary>
        public IReadOnlyList<CatalogueFile> Files { get; }

        /// <summary>The compilation of all generated sources together, against TorchSharp and ArchDsl.Runtime.</summary>
        public Compilation Output { get; }

        public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

        public static IReadOnlyList<string> Paths() =>
            Directory.Exists(RepoPaths.Architectures)
                ? Directory.EnumerateFiles(RepoPaths.Architectures, "*.arch", SearchOption.AllDirectories)
                    .OrderBy(p => p, StringComparer.Ordinal).ToArray()
                : Array.Empty<string>();

        /// <summary>ArchDsl.Runtime and the engine's TorchSharp, which generated code compiles against.</summary>
        public static IReadOnlyList<MetadataReference> References { get; } =
            GeneratorHarness.FrameworkReferences
                .Concat(new[] { "TorchSharp", "ArchDsl.Runtime" }.Select(name =>
                    (MetadataReference)MetadataReference.CreateFromFile(Assembly.Load(new AssemblyName(name)).Location)))
                .ToArray();

        public static CatalogueBuild Run()
        {
            var texts = Paths().Select(p => new GeneratorHarness.ArchText(p, File.ReadAllText(p))).ToArray();
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new ArchGenerator().AsSourceGenerator() },
                texts,
                GeneratorHarness.LanguageOptions,
                GeneratorHarness.Properties(new Dictionary<string, string>
                {
                    ["ProjectDir"] = RepoPaths.Root,
                    ["ArchDslNamespace"] = "ArchDsl.Catalogue",
                }),
                new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            var input = CSharpCompilation.Create(
                "Catalogue", Array.Empty<SyntaxTree>(), References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

            driver = driver.RunGeneratorsAndUpdateCompilation(input, out var output, out var diagnostics);
            var run = driver.GetRunResult();

            var outputs = GeneratorHarness.Outputs(run, TrackingNames.Outputs).Select(o => (UnitOutput)o.Value).ToArray();
            var units = GeneratorHarness.Outputs(run, TrackingNames.Units).Select(o => (ArchUnit)o.Value).ToArray();
            var files = units
                .OrderBy(u => u.File.DisplayPath, StringComparer.Ordinal)
                .Select(unit => new CatalogueFile(
                    unit,
                    outputs.Single(o => o.FullPath == unit.File.FullPath),
                    ArchFrontEnd.Check(new SourceFile(unit.File.DisplayPath, unit.File.Text), ArchFileSet.ForUnit(unit))))
                .ToArray();
            return new CatalogueBuild(files, output, diagnostics);
        }
    }

    internal sealed record CatalogueFile(ArchUnit Unit, UnitOutput Output, FrontEndResult FrontEnd)
    {
        /// <summary>The path below architectures/ without extension, as snapshot names use it ("resnet").</summary>
        public string Name
        {
            get
            {
                var path = Unit.File.DisplayPath;
                const string prefix = "architectures/";
                if (path.StartsWith(prefix, StringComparison.Ordinal)) path = path.Substring(prefix.Length);
                return path.Substring(0, path.Length - ".arch".Length);
            }
        }

        /// <summary>Every generated source of the file, each under a header naming it.</summary>
        public string GeneratedCode()
        {
            var text = new StringBuilder();
            text.Append("// Generated from ").Append(Unit.File.DisplayPath).Append(": ")
                .Append(Output.Sources.Count).Append(" source(s)\n");
            foreach (var source in Output.Sources)
            {
                text.Append("\n// ==== ").Append(source.HintName).Append(" ====\n").Append(source.Text);
            }
            return text.ToString();
        }

        /// <summary>The file's diagnostics, then the shape/cost table of each network.</summary>
        public string Tables()
        {
            var text = new StringBuilder();
            text.Append("Diagnostics: ").Append(FrontEnd.Diagnostics.Length).Append('\n');
            foreach (var diagnostic in FrontEnd.Diagnostics) text.Append(diagnostic).Append('\n');
            foreach (var network in FrontEnd.Networks) text.Append('\n').Append(SummaryTable.Format(network));
            return text.ToString();
        }
    }
}
