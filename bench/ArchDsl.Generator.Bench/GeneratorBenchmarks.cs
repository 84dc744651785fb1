using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using ArchDsl.Generator.Emit;
using ArchDsl.Syntax;
using ArchDsl.Generator.Pipeline;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace ArchDsl.Generator.Bench;

/// <summary>The generator's own cost: the whole catalogue parsed, checked and emitted (directly, and as the
/// compiler's first generator run), and an edit of one file through the incremental driver.</summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    const string ProjectDir = "/bench/";
    static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    ArchText[] files = Array.Empty<ArchText>();
    CSharpCompilation compilation = null!;
    GeneratorDriver warm = null!;
    ArchText edited = null!, original = null!, variant = null!;
    bool flip;

    /// <summary>Emitted sources of the first run and, after an edit of one file, how many were re-emitted.</summary>
    public static (int Files, int Sources, int Reemitted) Census { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        files = Directory.GetFiles(Catalogue(), "*.arch").OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new ArchText(ProjectDir + Path.GetFileName(f), File.ReadAllText(f))).ToArray();
        compilation = CSharpCompilation.Create("Bench", Array.Empty<SyntaxTree>(), Array.Empty<MetadataReference>(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        warm = Driver(trackSteps: true).RunGenerators(compilation);
        int sources = warm.GetRunResult().GeneratedTrees.Length;

        // The edit: one more variant in resnet.arch (a line a user would add), toggled back and forth.
        original = files.Single(f => f.Path.EndsWith("/resnet.arch", StringComparison.Ordinal));
        variant = new ArchText(original.Path, original.Text.ToString() +
            "\nvariant ResNet26 = ResNet(layers: [2, 2, 2, 2])\n");
        edited = original;
        var run = Edit().GetRunResult();
        int reemitted = run.Results.Single().TrackedSteps[TrackingNames.Sources].SelectMany(s => s.Outputs)
            .Count(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
        Census = (files.Length, sources, reemitted);
    }

    /// <summary>Front end and emitter called directly on every catalogue file (imports resolved in memory).</summary>
    [Benchmark]
    public int Catalogue_parse_check_emit()
    {
        var resolver = new InMemory(files);
        int n = 0;
        foreach (var f in files)
            n += CSharpEmitter.Emit(new SourceFile(f.Path, f.Text.ToString()), resolver, new EmitOptions("ArchDsl.Catalogue"), CancellationToken.None).Sources.Length;
        return n;
    }

    /// <summary>Each file through the front end and emitter: wall milliseconds and managed bytes allocated.</summary>
    public IEnumerable<(string File, string Stage, double Ms, long Bytes)> PerFile()
    {
        var resolver = new InMemory(files);
        foreach (var f in files)
        {
            var source = new SourceFile(f.Path, f.Text.ToString());
            yield return Measure(f, "parse", () => ArchParser.ParseUnit(source.Text));
            yield return Measure(f, "parse+check", () => ArchFrontEnd.Check(source, resolver));
            yield return Measure(f, "parse+check+emit", () => CSharpEmitter.Emit(source, resolver, new EmitOptions("ArchDsl.Catalogue"), CancellationToken.None));
        }
    }

    /// <summary>Where a catalogue pass goes, stage by stage, summed over the files and averaged over
    /// <paramref name="passes"/> passes: parse (the file alone), bind (the file and its imports parsed and bound),
    /// analyse (bind, then every network and variant elaborated and costed), emit (analyse, then C# generated).
    /// Each stage includes the ones before it.</summary>
    public IEnumerable<(string Stage, double Ms, double CpuMs, long Bytes)> Stages(int passes)
    {
        var sources = files.Select(f => new SourceFile(f.Path, f.Text.ToString())).ToArray();
        var stages = StageActions();
        // Warm-up: every stage a few times first, so that no stage is measured while the JIT is still tiering.
        for (int round = 0; round < 5; round++)
            foreach (var (_, action) in stages)
                foreach (var s in sources) action(s);
        foreach (var (stage, action) in stages)
        {
            GC.Collect();
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            // Process CPU time beside wall time: on a shared machine the wall clock also counts the waits for a core.
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < passes; i++)
                foreach (var s in sources) action(s);
            double wall = clock.Elapsed.TotalMilliseconds / passes;
            double used = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / passes;
            yield return (stage, wall, used, (GC.GetAllocatedBytesForCurrentThread() - bytes) / passes);
        }
    }

    /// <summary>One pass of the named stage (parse, bind, analyse or emit) over the catalogue.</summary>
    public Action Stage(string name)
    {
        var sources = files.Select(f => new SourceFile(f.Path, f.Text.ToString())).ToArray();
        var action = StageActions().Single(s => s.Item1 == name).Item2;
        return () => { foreach (var s in sources) action(s); };
    }

    (string, Action<SourceFile>)[] StageActions()
    {
        var resolver = new InMemory(files);
        return new (string, Action<SourceFile>)[]
        {
            ("parse", s => ArchParser.ParseUnit(s.Text)),
            ("bind", s => ArchDsl.Binding.Binder.Bind(s, resolver, new ArchDsl.Diagnostics.DiagnosticBag(), CancellationToken.None)),
            ("analyse", s => ArchFrontEnd.Analyze(s, resolver)),
            ("emit", s => CSharpEmitter.Emit(s, resolver, new EmitOptions("ArchDsl.Catalogue"), CancellationToken.None)),
        };
    }

    static (string, string, double, long) Measure(ArchText f, string stage, Action action)
    {
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        action();
        return (Path.GetFileName(f.Path), stage, clock.Elapsed.TotalMilliseconds, GC.GetAllocatedBytesForCurrentThread() - bytes);
    }

    /// <summary>The same through a fresh CSharpGeneratorDriver, as a clean build runs it.</summary>
    [Benchmark]
    public int Catalogue_first_driver_run() => Driver(trackSteps: false).RunGenerators(compilation).GetRunResult().GeneratedTrees.Length;

    /// <summary>One file edited after a first run: the driver re-runs only that file's unit.</summary>
    [Benchmark]
    public int Edit_one_file_incremental() => Edit().GetRunResult().GeneratedTrees.Length;

    GeneratorDriver Edit()
    {
        var next = flip ? original : variant;
        flip = !flip;
        warm = warm.ReplaceAdditionalText(edited, next).RunGenerators(compilation);
        edited = next;
        return warm;
    }

    GeneratorDriver Driver(bool trackSteps) =>
        CSharpGeneratorDriver.Create(new[] { new ArchGenerator().AsSourceGenerator() }, files, Parse, new Options(),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    static string Catalogue()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) return Path.Combine(dir.FullName, "architectures");
        throw new DirectoryNotFoundException("ArchDsl.sln not found above " + AppContext.BaseDirectory);
    }

    sealed class ArchText : AdditionalText
    {
        readonly SourceText text;
        public ArchText(string path, string text) { Path = path; this.text = SourceText.From(text); }
        public override string Path { get; }
        public SourceText Text => text;
        public override SourceText GetText(CancellationToken cancellationToken = default) => text;
    }

    sealed class InMemory : IImportResolver
    {
        readonly Dictionary<string, ArchText> byPath;
        public InMemory(IEnumerable<ArchText> files) => byPath = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        public SourceFile? Resolve(string fromPath, string importPath)
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fromPath) ?? "/", importPath));
            return byPath.TryGetValue(path, out var f) ? new SourceFile(f.Path, f.Text.ToString()) : null;
        }
    }

    sealed class Options : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(new Dictionary<string, string>
        {
            ["build_property.ArchDslNamespace"] = "ArchDsl.Catalogue",
            ["build_property.ProjectDir"] = ProjectDir,
        });
        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Values.Empty;
        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Values.Empty;
    }

    sealed class Values : AnalyzerConfigOptions
    {
        public static readonly Values Empty = new(new Dictionary<string, string>());
        readonly Dictionary<string, string> values;
        public Values(Dictionary<string, string> values) => this.values = values;
        public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
    }
}
