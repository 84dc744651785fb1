using System;
using System.Collections.Generic;
using System.Collections.Immutable;
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
    /// <summary>What one case did: clean (no error diagnostic), whether its C# was compiled, and the failure, if any.
    /// <c>Sources</c> holds the generated C# of a clean case that was not compiled yet (a batch compiles it).</summary>
    public sealed record CaseResult(bool Clean, bool Compiled, string? Failure)
    {
        public ImmutableArray<GeneratedSource> Sources { get; init; } = ImmutableArray<GeneratedSource>.Empty;

        /// <summary>The CPU time the front end and emitter used on the case.</summary>
        public TimeSpan Cpu { get; init; }
    }

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

        /// <summary>The CPU time a case may use. Cancellation is requested when it is used up; a case still running
        /// 2 s of CPU time later, or blocked for <see cref="WallLimit"/> of wall time, is a hang.</summary>
        public TimeSpan Bound { get; }

        /// <summary>For a case that waits without using CPU time (a deadlock): far longer than any load stretches a case.</summary>
        public TimeSpan WallLimit => TimeSpan.FromTicks(Bound.Ticks * 30);

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

        /// <summary>Checks one input, compiling its C# at once when it is clean and <paramref name="compile"/> is set.</summary>
        public CaseResult Check(string text, bool compile)
        {
            var result = Check(text, "Fuzz.Generated");
            if (!compile || result.Failure != null || !result.Clean) return result;
            var errors = Compile(result.Sources.Concat(ImportedSources(text)));
            return new CaseResult(true, true, errors.Count == 0 ? null : NotCompiling(errors));
        }

        /// <summary>The C# of every file <paramref name="text"/> imports, directly or not: in a project each imported file
        /// is an input too and emits its own blocks, which the importing file's classes refer to.</summary>
        private IEnumerable<GeneratedSource> ImportedSources(string text)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Queue<SourceFile>();
            pending.Enqueue(new SourceFile(FileName, text));
            while (pending.Count > 0)
            {
                var from = pending.Dequeue();
                foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(from.Text, "^\\s*import\\s+\"([^\"]+)\"", System.Text.RegularExpressions.RegexOptions.Multiline))
                {
                    var file = imports.Resolve(from.Path, m.Groups[1].Value);
                    if (file == null || !seen.Add(file.Path)) continue;
                    foreach (var source in CSharpEmitter.Emit(file, imports, new EmitOptions("Fuzz.Generated"), CancellationToken.None).Sources)
                        yield return source;
                    pending.Enqueue(file);
                }
            }
        }

        /// <summary>Checks one input through the front end and the emitter; a clean case's C# (in namespace
        /// <paramref name="namespaceName"/>) is returned in <see cref="CaseResult.Sources"/>, not compiled.</summary>
        public CaseResult Check(string text, string namespaceName)
        {
            using var cancel = new CancellationTokenSource();
            // A thread of its own with a 1 MB stack, smaller than the compiler's worker threads: a stack overflow
            // would end the run, and a hang is left behind (and reported).
            EmitResult? result = null;
            Exception? thrown = null;
            Func<TimeSpan>? cpu = null;
            TimeSpan started = default, finished = default;
            using var clockReady = new ManualResetEventSlim();
            var worker = new Thread(() =>
            {
                cpu = CpuClock.ForCurrentThread();
                started = cpu();
                clockReady.Set();
                try { result = CSharpEmitter.Emit(new SourceFile(FileName, text), imports, new EmitOptions(namespaceName), cancel.Token); }
                catch (Exception e) { thrown = e; }
                finished = cpu(); // while the thread, and its clock, still exist
            }, 1024 * 1024) { IsBackground = true };
            var wall = System.Diagnostics.Stopwatch.StartNew();
            worker.Start();
            clockReady.Wait();
            while (!worker.Join(20))
            {
                var used = cpu!() - started;
                if (used > Bound) cancel.Cancel();
                if (used > Bound + TimeSpan.FromSeconds(2))
                    return new CaseResult(false, false, "hang: no result within " + (Bound.TotalSeconds + 2) + " s of CPU time");
                if (wall.Elapsed > WallLimit)
                    return new CaseResult(false, false, "hang: no result within " + WallLimit.TotalSeconds + " s of wall time (" + used.TotalSeconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " s of CPU time)");
            }
            var cpuUsed = finished - started;
            if (thrown is OperationCanceledException)
                return new CaseResult(false, false, "hang: cancelled after " + Bound.TotalSeconds + " s of CPU time");
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
            if (!clean) return new CaseResult(false, false, r.Sources.IsDefaultOrEmpty ? null : "sources emitted despite errors") { Cpu = cpuUsed };
            return new CaseResult(true, false, null) { Sources = r.Sources, Cpu = cpuUsed };
        }

        private static string NotCompiling(IReadOnlyList<string> errors) => "generated C# does not compile:\n  " + string.Join("\n  ", errors.Take(5));

        /// <summary>Compiles the C# of many clean cases in one compilation (each case in a namespace of its own), which
        /// costs little more than one case alone. A case with an error there is compiled again alone, in the namespace
        /// a single case gets, so that only its own errors count. Returns the failure of each case that has one.</summary>
        public IReadOnlyDictionary<int, string> CompileBatch(IReadOnlyList<(int Case, string Text, ImmutableArray<GeneratedSource> Sources)> cases)
        {
            var failures = new Dictionary<int, string>();
            if (cases.Count == 0) return failures;
            var owner = new Dictionary<string, int>(StringComparer.Ordinal);
            var sources = new List<GeneratedSource>();
            foreach (var c in cases)
                foreach (var s in c.Sources)
                {
                    var path = "case" + c.Case.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + s.HintName;
                    owner[path] = c.Case;
                    sources.Add(new GeneratedSource(path, s.Text));
                }
            var suspects = new HashSet<int>();
            foreach (var d in CompileDiagnostics(sources))
            {
                var path = d.Location.SourceTree?.FilePath;
                if (path != null && owner.TryGetValue(path, out var c)) suspects.Add(c);
                else suspects.UnionWith(cases.Select(x => x.Case)); // no location: any case may have caused it
            }
            foreach (var c in cases.Where(c => suspects.Contains(c.Case)))
            {
                var alone = Check(c.Text, compile: true);
                if (alone.Failure != null) failures[c.Case] = alone.Failure;
            }
            return failures;
        }

        /// <summary>The error diagnostics of compiling the sources (with the parse options the generator tests use).</summary>
        public static IReadOnlyList<string> Compile(IEnumerable<GeneratedSource> sources) =>
            CompileDiagnostics(sources).Select(d => d.ToString()).ToArray();

        private static IEnumerable<Diagnostic> CompileDiagnostics(IEnumerable<GeneratedSource> sources)
        {
            // Nullable analysis yields warnings only (never an error) and is a large share of the time: skipped.
            var options = new CSharpParseOptions(LanguageVersion.Latest)
                .WithFeatures(new[] { new KeyValuePair<string, string>("run-nullable-analysis", "never") });
            var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, path: s.HintName)).ToArray();
            // One thread: the fuzzer keeps to one core of a shared machine.
            var compilation = CSharpCompilation.Create("FuzzCase", trees, References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, concurrentBuild: false));
            return compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
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

    /// <summary>Runs many cases and collects the failures. Every <c>hostileEvery</c>-th case is a program on a limit
    /// (<see cref="HostileShapes"/>; 0: none); the others alternate between generated programs and mutated seed files.
    /// Every <c>compileEvery</c>-th clean case is compiled (1: all of them), <c>batch</c> cases per compilation.</summary>
    public sealed class FuzzRun
    {
        public sealed record Failure(int Case, string Origin, string Reason, string Input);

        public int Cases { get; private set; }
        public int Generated { get; private set; }
        public int Mutated { get; private set; }
        public int Hostile { get; private set; }
        public int Clean { get; private set; }
        public int Compiled { get; private set; }
        public List<Failure> Failures { get; } = new List<Failure>();
        public TimeSpan Elapsed { get; private set; }
        public TimeSpan Slowest { get; private set; }
        public TimeSpan SlowestCpu { get; private set; }

        /// <summary>The case that used the most CPU time, and where it came from.</summary>
        public int SlowestCase { get; private set; } = -1;
        public string SlowestOrigin { get; private set; } = "";
        public TimeSpan HostileTime { get; private set; }
        public TimeSpan GeneratedTime { get; private set; }
        public TimeSpan MutatedTime { get; private set; }
        public TimeSpan CompileTime { get; private set; }

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

        /// <param name="starting">Told each case before it runs (case, origin, input): a failure that ends the process
        /// (a stack overflow) leaves its input behind.</param>
        /// <param name="from">Cases before it are drawn but not checked, so case i is the same input with or without an offset.</param>
        public static FuzzRun Execute(int cases, int seed, int compileEvery, TimeSpan bound, IReadOnlyList<string> seeds,
            IImportResolver imports, Action<FuzzRun>? progress = null, int maxFailures = 50, Action<Failure>? failed = null,
            int from = 0, int batch = 64, int hostileEvery = 3, Action<int, string, string>? starting = null)
        {
            var run = new FuzzRun();
            var oracle = new FuzzOracle(imports, bound);
            var random = new Random(seed);
            var generator = new ProgramGenerator(random);
            var mutator = new Mutator(random);
            var hostile = new HostileShapes(random);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var pending = new List<(int Case, string Origin, string Text, ImmutableArray<GeneratedSource> Sources)>();

            void Fail(Failure f)
            {
                run.Failures.Add(f);
                failed?.Invoke(f);
            }

            void CompilePending()
            {
                var started = watch.Elapsed;
                var failures = oracle.CompileBatch(pending.Select(p => (p.Case, p.Text, p.Sources)).ToArray());
                foreach (var p in pending)
                    if (failures.TryGetValue(p.Case, out var reason)) Fail(new Failure(p.Case, p.Origin, reason, p.Text));
                run.Compiled += pending.Count;
                pending.Clear();
                run.CompileTime += watch.Elapsed - started;
            }

            for (int i = 0; i < cases && run.Failures.Count < maxFailures; i++)
            {
                bool shaped = hostileEvery > 0 && i % hostileEvery == hostileEvery - 1;
                bool generate = !shaped && (seeds.Count == 0 || i % 2 == 0);
                string origin;
                string input;
                if (shaped)
                {
                    var (kind, program) = hostile.Program();
                    input = program;
                    origin = "hostile " + kind;
                }
                else if (generate)
                {
                    input = generator.Program();
                    // A quarter of the generated programs are mutated too: near-valid input reaches the binder.
                    if (random.Next(4) == 0) { input = mutator.Mutate(input); origin = "generated+mutated"; }
                    else origin = "generated";
                }
                else
                {
                    int s = random.Next(seeds.Count);
                    input = mutator.Mutate(KeepSomeVariants(seeds[s], random));
                    origin = "mutated seed " + s;
                }
                if (i < from) continue;
                if (shaped) run.Hostile++; else if (generate) run.Generated++; else run.Mutated++;
                starting?.Invoke(i, origin, input);
                var started = watch.Elapsed;
                var result = oracle.Check(input, "Fuzz.Generated.Case" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var took = watch.Elapsed - started;
                if (took > run.Slowest) run.Slowest = took;
                if (result.Cpu > run.SlowestCpu) (run.SlowestCpu, run.SlowestCase, run.SlowestOrigin) = (result.Cpu, i, origin);
                if (shaped) run.HostileTime += took; else if (generate) run.GeneratedTime += took; else run.MutatedTime += took;
                run.Cases++;
                if (result.Failure != null) Fail(new Failure(i, origin, result.Failure, input));
                else if (result.Clean)
                {
                    if (compileEvery > 0 && run.Clean % compileEvery == 0) pending.Add((i, origin, input, result.Sources));
                    run.Clean++;
                }
                if (pending.Count >= Math.Max(1, batch)) CompilePending();
                if (progress != null && run.Cases % 1000 == 0) progress(run);
            }
            CompilePending();
            run.Elapsed = watch.Elapsed;
            return run;
        }
    }
}
