using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using ArchDsl.Generator;
using ArchDsl.Generator.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Runs <see cref="ArchGenerator"/> in a <see cref="GeneratorDriver"/> the way the compiler does,
    /// with step tracking on, over in-memory .arch files and MSBuild properties.</summary>
    internal static class GeneratorHarness
    {
        public const string ProjectDir = "/src/App/";

        public static readonly CSharpParseOptions LanguageOptions = new CSharpParseOptions(LanguageVersion.Latest);

        /// <summary>The framework's assemblies, as the running test host sees them.</summary>
        public static IReadOnlyList<MetadataReference> FrameworkReferences { get; } =
            ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
                .Split(Path.PathSeparator)
                .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) ||
                               Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
                .OrderBy(path => path, StringComparer.Ordinal)
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
                .ToArray();

        public static CSharpCompilation Compilation(IEnumerable<MetadataReference>? references = null, params string[] sources) =>
            CSharpCompilation.Create(
                "App",
                sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, LanguageOptions, path: "Source" + i + ".cs")),
                references ?? FrameworkReferences,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        public static GeneratorDriver Driver(ArchGenerator generator, IEnumerable<AdditionalText> files, IDictionary<string, string>? properties = null) =>
            CSharpGeneratorDriver.Create(
                new[] { generator.AsSourceGenerator() },
                files,
                LanguageOptions,
                Properties(properties),
                new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>MSBuild properties as the compiler passes them (build_property.X), over the defaults
        /// RootNamespace=App and ProjectDir=<see cref="ProjectDir"/>.</summary>
        public static AnalyzerConfigOptionsProvider Properties(IDictionary<string, string>? properties = null)
        {
            var globals = new Dictionary<string, string>
            {
                ["build_property.RootNamespace"] = "App",
                ["build_property.ProjectDir"] = ProjectDir,
            };
            foreach (var pair in properties ?? new Dictionary<string, string>()) globals["build_property." + pair.Key] = pair.Value;
            return new OptionsProvider(globals);
        }

        /// <summary>Runs the generator over <paramref name="files"/> and compiles its output against TorchSharp and
        /// ArchDsl.Runtime, warnings as errors: the generator's diagnostics, the C# errors, and how many files it generated.</summary>
        public static (IReadOnlyList<Diagnostic> Generator, IReadOnlyList<Diagnostic> CSharp, int Generated) BuildStrict(
            IDictionary<string, string>? properties, params (string Path, string Text)[] files) => BuildStrict(properties, new string[0], files);

        /// <summary>As above, in a project whose own C# is <paramref name="userSources"/>.</summary>
        public static (IReadOnlyList<Diagnostic> Generator, IReadOnlyList<Diagnostic> CSharp, int Generated) BuildStrict(
            IDictionary<string, string>? properties, string[] userSources, params (string Path, string Text)[] files)
        {
            var driver = Driver(new ArchGenerator(), files.Select(f => (AdditionalText)Arch(f.Path, f.Text)), properties);
            var compilation = Compilation(CatalogueBuild.References, userSources);
            compilation = compilation.WithOptions(compilation.Options.WithGeneralDiagnosticOption(ReportDiagnostic.Error));
            driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
            return (diagnostics, output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList(),
                output.SyntaxTrees.Count() - compilation.SyntaxTrees.Count());
        }

        public static ArchText Arch(string relativePath, string text) => new ArchText(ProjectDir + relativePath, text);

        /// <summary>Every output value of a tracked step with the reason the driver gave for it.</summary>
        public static IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorDriverRunResult run, string step) =>
            Steps(run, step).SelectMany(s => s.Outputs).ToArray();

        public static IReadOnlyList<IncrementalGeneratorRunStep> Steps(GeneratorDriverRunResult run, string step) =>
            run.Results.Single().TrackedSteps.TryGetValue(step, out var steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty;

        /// <summary>The full path of the .arch file an output of a per-file step stems from, found by following
        /// the step's inputs back to a value that names it.</summary>
        public static string FileOf(IncrementalGeneratorRunStep step, int outputIndex)
        {
            switch (step.Outputs[outputIndex].Value)
            {
                case ArchFile file: return file.FullPath;
                case ArchUnit unit: return unit.File.FullPath;
                case UnitOutput output: return output.FullPath;
            }
            var (source, index) = step.Inputs[0];
            return FileOf(source, index);
        }

        /// <summary>An emitter stand-in: one source per file holding the file's path, its text and the text of each
        /// file it imports (found through the resolver the generator supplies).</summary>
        public static EmitFunction EchoEmitter(Func<SourceFile, ImmutableArray<ArchDiagnostic>>? diagnostics = null) =>
            (file, imports, options, cancellationToken) =>
            {
                var text = "// " + file.Path + "\nnamespace " + options.Namespace + " { }\n/*\n" + file.Text + "\n*/\n";
                foreach (var import in ImportScanner.FindImports(file.Text))
                {
                    var imported = imports.Resolve(file.Path, import);
                    text += "// import " + import + " -> " + (imported is null ? "missing" : imported.Path + "\n/*\n" + imported.Text + "\n*/") + "\n";
                }
                var source = new Emit.GeneratedSource(ArchPaths.StemOf(file.Path) + ".g.cs", text);
                return new Emit.EmitResult(ImmutableArray.Create(source), diagnostics?.Invoke(file) ?? ImmutableArray<ArchDiagnostic>.Empty);
            };

        internal sealed class ArchText : AdditionalText
        {
            private readonly SourceText text;

            public ArchText(string path, string text)
            {
                Path = path;
                this.text = SourceText.From(text);
            }

            public override string Path { get; }

            public override SourceText GetText(CancellationToken cancellationToken = default) => text;
        }

        private sealed class OptionsProvider : AnalyzerConfigOptionsProvider
        {
            private static readonly Options Empty = new Options(new Dictionary<string, string>());

            public OptionsProvider(IDictionary<string, string> globals) => GlobalOptions = new Options(globals);

            public override AnalyzerConfigOptions GlobalOptions { get; }

            public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

            public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;
        }

        private sealed class Options : AnalyzerConfigOptions
        {
            private readonly IDictionary<string, string> values;

            public Options(IDictionary<string, string> values) => this.values = values;

            public override bool TryGetValue(string key, out string value)
            {
                if (values.TryGetValue(key, out var found)) { value = found; return true; }
                value = string.Empty;
                return false;
            }
        }
    }
}
