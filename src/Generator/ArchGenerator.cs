using System;
using System.Linq;
using System.Text;
using System.Threading;
using ArchDsl.Generator.Emit;
using ArchDsl.Generator.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ArchDsl.Generator
{
    /// <summary>Turns every <c>.arch</c> additional file into C# at compile time.
    /// <para>Pipeline: MSBuild options → .arch files → the set of all files → one unit per file (its text
    /// plus the texts it imports) → emitter output → sources and diagnostics, each reported from its own
    /// step. Editing a file changes only the units that contain it; a C# edit changes nothing here.</para></summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ArchGenerator : IIncrementalGenerator
    {
        /// <summary>Namespace used when neither ArchDslNamespace nor RootNamespace is set.</summary>
        public const string DefaultNamespace = "ArchDsl.Generated";

        private readonly EmitFunction emit;

        public ArchGenerator() : this(CSharpEmitter.Emit) { }

        /// <summary>A generator over another emitter (a test seam).</summary>
        public ArchGenerator(EmitFunction emit) => this.emit = emit;

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var options = context.AnalyzerConfigOptionsProvider
                .Select((provider, _) => ReadOptions(provider.GlobalOptions))
                .WithTrackingName(TrackingNames.Options);

            var files = context.AdditionalTextsProvider
                .Where(text => text.Path.EndsWith(".arch", StringComparison.OrdinalIgnoreCase))
                .Combine(options)
                .Select((pair, cancellationToken) => ReadFile(pair.Left, pair.Right, cancellationToken))
                .WithTrackingName(TrackingNames.ArchFiles);

            var allFiles = files.Collect()
                .Select((all, _) => all.ToEquatableArray())
                .WithTrackingName(TrackingNames.AllArchFiles);

            var units = files.Combine(allFiles)
                .Select((pair, _) => BuildUnit(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.Units);

            // Names that collide between files (the same network in two files, two files mapping to one blocks name):
            // no unit sees them alone.
            var collisions = allFiles
                .Select((all, cancellationToken) => FindCollisions(all, cancellationToken))
                .WithTrackingName(TrackingNames.Collisions);

            var outputs = units.Combine(options)
                .Select((pair, cancellationToken) => UnitCompiler.Compile(pair.Left, pair.Right, emit, cancellationToken))
                .Combine(collisions)
                .Select((pair, _) => pair.Right.Apply(pair.Left))
                .WithTrackingName(TrackingNames.Outputs);

            var sources = outputs.Select((output, _) => output.Sources).WithTrackingName(TrackingNames.Sources);
            var diagnostics = outputs.Select((output, _) => output.Diagnostics).WithTrackingName(TrackingNames.Diagnostics);

            // The project's ArchModels: every unit's entries, written once they are all known (a unit whose entries did
            // not change leaves this step cached).
            var registry = outputs.Select((output, _) => output.Models).Collect()
                .Select((all, _) => all.SelectMany(m => m).ToEquatableArray())
                .Combine(options)
                .Select((pair, _) => RegistryEmitter.Emit(pair.Left, CSharpEmitter.NamespaceName(pair.Right.Namespace)) is { } source
                    ? new[] { source }.ToEquatableArray() : EquatableArray<GeneratedSource>.Empty)
                .WithTrackingName(TrackingNames.Registry);

            context.RegisterSourceOutput(sources, AddSources);
            context.RegisterSourceOutput(registry, AddSources);
            context.RegisterSourceOutput(diagnostics, ReportDiagnostics);
        }

        private static GeneratorOptions ReadOptions(AnalyzerConfigOptions options)
        {
            var ns = Property(options, "ArchDslNamespace") ?? Property(options, "RootNamespace") ?? DefaultNamespace;
            var directory = Property(options, "ProjectDir") ?? Property(options, "MSBuildProjectDirectory") ?? string.Empty;
            var sourceRoot = Property(options, "ArchDslSourceRoot") ?? string.Empty;
            return new GeneratorOptions(SanitizeNamespace(ns), ArchPaths.Normalize(directory), ArchPaths.Normalize(sourceRoot));
        }

        private static string? Property(AnalyzerConfigOptions options, string name) =>
            options.TryGetValue("build_property." + name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        /// <summary>Each dotted part becomes a valid identifier; an empty result falls back to the default.</summary>
        private static string SanitizeNamespace(string ns)
        {
            var parts = ns.Split('.');
            var builder = new StringBuilder();
            foreach (var part in parts)
            {
                if (part.Length == 0) continue;
                if (builder.Length > 0) builder.Append('.');
                if (!char.IsLetter(part[0]) && part[0] != '_') builder.Append('_');
                foreach (var c in part) builder.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
            }
            return builder.Length == 0 ? DefaultNamespace : builder.ToString();
        }

        private static ArchFile ReadFile(AdditionalText text, GeneratorOptions options, CancellationToken cancellationToken)
        {
            var fullPath = ArchPaths.Normalize(text.Path);
            var content = text.GetText(cancellationToken)?.ToString() ?? string.Empty;
            return new ArchFile(text.Path, ArchPaths.Display(fullPath, options.ProjectDirectory, options.SourceRoot), content);
        }

        private static ArchUnit BuildUnit(ArchFile file, EquatableArray<ArchFile> allFiles)
        {
            try
            {
                return new ArchFileSet(allFiles).UnitFor(file);
            }
            catch (Exception exception)
            {
                return new ArchUnit(file, EquatableArray<ArchFile>.Empty, exception.GetType().Name + ": " + exception.Message);
            }
        }

        private static ProjectCollisions FindCollisions(EquatableArray<ArchFile> all, CancellationToken cancellationToken)
        {
            try
            {
                return ProjectCollisions.Find(all.ToList(), cancellationToken);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return new ProjectCollisions(new[] { Pipeline.Diagnostics.Fault(string.Empty, exception) }.ToEquatableArray(), EquatableArray<string>.Empty);
            }
        }

        private static void AddSources(SourceProductionContext context, EquatableArray<GeneratedSource> sources)
        {
            foreach (var source in sources)
            {
                try
                {
                    context.AddSource(source.HintName, SourceText.From(source.Text, Encoding.UTF8));
                }
                catch (Exception exception) when (!(exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested))
                {
                    context.ReportDiagnostic(Pipeline.Diagnostics.ToDiagnostic(Pipeline.Diagnostics.Fault(string.Empty, exception)));
                }
            }
        }

        private static void ReportDiagnostics(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics)
        {
            foreach (var diagnostic in diagnostics)
            {
                context.ReportDiagnostic(Pipeline.Diagnostics.ToDiagnostic(diagnostic));
            }
        }
    }
}
