using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using ArchDsl.Generator.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ArchDsl.Fuzzing
{
    /// <summary>What one case did: clean (no error diagnostic), whether its C# was compiled, and the failure, if any.</summary>
    public sealed record CaseResult(bool Clean, bool Compiled, string? Failure);

    /// <summary>The properties every input must keep: the front end and emitter return within the time bound without
    /// an exception or an internal-error diagnostic (ARCH9998); every diagnostic's span lies inside the file it names;
    /// a program without errors yields C# that compiles, against TorchSharp and ArchDsl.Runtime, without errors.</summary>
    public sealed class FuzzOracle
    {
        public const string FileName = "fuzz.arch";

        private readonly IImportResolver imports;

        public FuzzOracle(IImportResolver imports, TimeSpan bound)
        {
            this.imports = imports;
            Bound = bound;
        }

        public TimeSpan Bound { get; }

        /// <summary>The framework's assemblies, TorchSharp and ArchDsl.Runtime: what generated code compiles against.</summary>
        public static IReadOnlyList<MetadataReference> References { get; } =
            ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
                .Split(Path.PathSeparator)
                .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) ||
                               Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
                .Concat(new[] { "TorchSharp", "ArchDsl.Runtime" }.Select(name => Assembly.Load(new AssemblyName(name)).Location))
                .OrderBy(path => path, StringComparer.Ordinal)
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
                .ToArray();

        public CaseResult Check(string text, bool compile)
        {
            using var cancel = new CancellationTokenSource(Bound);
            // A thread of its own with a 1 MB stack, smaller than the compiler's worker threads: a stack overflow
            // would end the run, and a hang is left behind (and reported) when the bound passes.
            EmitResult? result = null;
            Exception? thrown = null;
            var worker = new Thread(() =>
            {
                try { result = CSharpEmitter.Emit(new SourceFile(FileName, text), imports, new EmitOptions("Fuzz.Generated"), cancel.Token); }
                catch (Exception e) { thrown = e; }
            }, 1024 * 1024) { IsBackground = true };
            worker.Start();
            if (!worker.Join(Bound + TimeSpan.FromSeconds(2)))
                return new CaseResult(false, false, "hang: no result within " + Bound.TotalSeconds + " s");
            if (thrown is OperationCanceledException)
                return new CaseResult(false, false, "hang: cancelled after " + Bound.TotalSeconds + " s");
            if (thrown != null)
                return new CaseResult(false, false, "exception: " + thrown.GetType().Name + ": " + thrown.Message + "\n" + thrown.StackTrace);

            var r = result!;
            foreach (var d in r.Diagnostics)
            {
                if (d.Id == "ARCH9998" || d.Id == "ARCH9999") return new CaseResult(false, false, "internal error: " + d);
                var source = d.Path == FileName ? text : imports.Resolve(FileName, d.Path)?.Text;
                if (source == null) return new CaseResult(false, false, "diagnostic in an unknown file: " + d);
                if (d.Start < 0 || d.Length < 0 || d.Start + d.Length > source.Length || d.Line < 1 || d.Column < 1)
                    return new CaseResult(false, false, "span outside the file (" + source.Length + " chars): [" + d.Start + ", +" + d.Length + ") " + d);
            }
            bool clean = !r.Diagnostics.Any(d => d.Severity == ArchSeverity.Error);
            if (!clean) return new CaseResult(false, false, r.Sources.IsDefaultOrEmpty ? null : "sources emitted despite errors");
            if (!compile) return new CaseResult(true, false, null);
            var errors = Compile(r.Sources);
            return new CaseResult(true, true, errors.Count == 0 ? null : "generated C# does not compile:\n  " + string.Join("\n  ", errors.Take(5)));
        }

        /// <summary>The error diagnostics of compiling the sources (with the parse options the generator tests use).</summary>
        public static IReadOnlyList<string> Compile(IEnumerable<GeneratedSource> sources)
        {
            var options = new CSharpParseOptions(LanguageVersion.Latest);
            var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, path: s.HintName)).ToArray();
            var compilation = CSharpCompilation.Create("FuzzCase", trees, References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray();
        }

        /// <summary>Resolves imports against a folder of .arch files (the catalogue); anything else is absent.</summary>
        public sealed class FolderImports : IImportResolver
        {
            private readonly Dictionary<string, string> files;

            public FolderImports(string folder) =>
                files = Directory.Exists(folder)
                    ? Directory.EnumerateFiles(folder, "*.arch").ToDictionary(p => Path.GetFileName(p), File.ReadAllText, StringComparer.Ordinal)
                    : new Dictionary<string, string>();

            public SourceFile? Resolve(string fromPath, string importPath)
            {
                var name = Path.GetFileName(importPath ?? string.Empty);
                return name.Length > 0 && files.TryGetValue(name, out var text) ? new SourceFile(name, text) : null;
            }
        }
    }

    /// <summary>Runs many cases and collects the failures. Cases alternate between generated programs and mutated
    /// seed files; every <c>compileEvery</c>-th clean case is compiled (compiling every one is the slow part).</summary>
    public sealed class FuzzRun
    {
        public sealed record Failure(int Case, string Origin, string Reason, string Input);

        public int Cases { get; private set; }
        public int Generated { get; private set; }
        public int Mutated { get; private set; }
        public int Clean { get; private set; }
        public int Compiled { get; private set; }
        public List<Failure> Failures { get; } = new List<Failure>();
        public TimeSpan Elapsed { get; private set; }
        public TimeSpan Slowest { get; private set; }
        public TimeSpan GeneratedTime { get; private set; }
        public TimeSpan MutatedTime { get; private set; }

        /// <summary>The seed with at most two of its variant lines: each clean variant is elaborated a dozen times by
        /// the emitter (its input guard searches the smallest size), and a file's variants differ only in arguments.</summary>
        public static string KeepSomeVariants(string seed, Random random)
        {
            var lines = seed.Split('\n');
            var variants = Enumerable.Range(0, lines.Length).Where(i => lines[i].StartsWith("variant ", StringComparison.Ordinal)).ToList();
            if (variants.Count <= 2) return seed;
            var keep = new HashSet<int>(variants.OrderBy(_ => random.Next()).Take(random.Next(1, 3)));
            return string.Join("\n", lines.Where((_, i) => !variants.Contains(i) || keep.Contains(i)));
        }

        public static FuzzRun Execute(int cases, int seed, int compileEvery, TimeSpan bound, IReadOnlyList<string> seeds,
            IImportResolver imports, Action<FuzzRun>? progress = null, int maxFailures = 50, Action<Failure>? failed = null)
        {
            var run = new FuzzRun();
            var oracle = new FuzzOracle(imports, bound);
            var random = new Random(seed);
            var generator = new ProgramGenerator(random);
            var mutator = new Mutator(random);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < cases && run.Failures.Count < maxFailures; i++)
            {
                bool generate = seeds.Count == 0 || i % 2 == 0;
                string origin;
                string input;
                if (generate)
                {
                    input = generator.Program();
                    // A quarter of the generated programs are mutated too: near-valid input reaches the binder.
                    if (random.Next(4) == 0) { input = mutator.Mutate(input); origin = "generated+mutated"; }
                    else origin = "generated";
                    run.Generated++;
                }
                else
                {
                    int s = random.Next(seeds.Count);
                    input = mutator.Mutate(KeepSomeVariants(seeds[s], random));
                    origin = "mutated seed " + s;
                    run.Mutated++;
                }
                var started = watch.Elapsed;
                bool compile = compileEvery > 0 && run.Clean % compileEvery == 0;
                var result = oracle.Check(input, compile);
                var took = watch.Elapsed - started;
                if (took > run.Slowest) run.Slowest = took;
                if (generate) run.GeneratedTime += took; else run.MutatedTime += took;
                run.Cases++;
                if (result.Clean) run.Clean++;
                if (result.Compiled) run.Compiled++;
                if (result.Failure != null)
                {
                    run.Failures.Add(new Failure(i, origin, result.Failure, input));
                    failed?.Invoke(run.Failures[run.Failures.Count - 1]);
                }
                if (progress != null && run.Cases % 1000 == 0) progress(run);
            }
            run.Elapsed = watch.Elapsed;
            return run;
        }
    }
}
