using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ArchDsl.Fuzzing;

// archdsl-fuzz [--cases N] [--seed S] [--from I] [--compile-every K] [--batch B] [--bound-ms T] [--hostile-every H] [--out DIR] [--root REPO]
// Seeds are architectures/*.arch; failing inputs are written to DIR (default fuzz-failures/) for the corpus.
int cases = 100_000, seed = 1, compileEvery = 1, batch = 64, boundMs = 10_000, from = 0, hostileEvery = 3;
string? outDir = "fuzz-failures";
string? rootOption = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--time-seeds") { i--; continue; }
    int Value() => int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--cases": cases = Value(); break;
        case "--seed": seed = Value(); break;
        case "--from": from = Value(); break;
        case "--compile-every": compileEvery = Value(); break;
        case "--batch": batch = Value(); break;
        case "--bound-ms": boundMs = Value(); break;
        case "--hostile-every": hostileEvery = Value(); break;
        case "--out": outDir = args[i + 1]; break;
        case "--root": rootOption = args[i + 1]; break;
        default: Console.Error.WriteLine("unknown option " + args[i]); return 2;
    }
}

var root = rootOption ?? AppContext.BaseDirectory;
while (root != null && !File.Exists(Path.Combine(root, "ArchDsl.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/'));
if (root == null) { Console.Error.WriteLine("ArchDsl.sln not found"); return 2; }
var architectures = Path.Combine(root, "architectures");
var seeds = Directory.EnumerateFiles(architectures, "*.arch").OrderBy(p => p, StringComparer.Ordinal).Select(File.ReadAllText).ToArray();

if (args.Contains("--time-seeds"))
{
    var timer = new FuzzOracle(new FuzzOracle.FolderImports(architectures), TimeSpan.FromMinutes(1));
    foreach (var path in Directory.EnumerateFiles(architectures, "*.arch").OrderBy(p => p, StringComparer.Ordinal))
    {
        var w = System.Diagnostics.Stopwatch.StartNew();
        var r = timer.Check(File.ReadAllText(path), compile: false);
        Console.WriteLine($"{Path.GetFileName(path)}: {w.ElapsedMilliseconds} ms, clean {r.Clean}, {r.Failure}");
    }
    return 0;
}
Console.WriteLine($"fuzzing: cases {from} to {cases - 1}, seed {seed}, {seeds.Length} seed files, " +
    (compileEvery == 1 ? "every clean case compiled" : $"every {compileEvery}th clean case compiled") + $" ({batch} per compilation), bound {boundMs} ms of CPU time per case");
// Each failing input is written as soon as it is found, so a long run that is stopped loses none.
void Save(FuzzRun.Failure f)
{
    if (outDir == null) return;
    Directory.CreateDirectory(outDir);
    var name = Path.Combine(outDir, "case-" + seed + "-" + f.Case.ToString(CultureInfo.InvariantCulture));
    File.WriteAllText(name + ".arch", f.Input);
    File.WriteAllText(name + ".txt", f.Origin + "\n" + f.Reason + "\n");
    Console.WriteLine($"FAIL case {f.Case} ({f.Origin}): {f.Reason.Split('\n')[0]}");
}
// The case running now, written before it runs: a stack overflow ends the process without a report, and this is its input.
void Starting(int i, string origin, string input)
{
    if (outDir == null) return;
    Directory.CreateDirectory(outDir);
    File.WriteAllText(Path.Combine(outDir, "running.arch"), "// case " + i.ToString(CultureInfo.InvariantCulture) + ", seed " + seed.ToString(CultureInfo.InvariantCulture) + ", " + origin + "\n" + input);
}
var run = FuzzRun.Execute(cases, seed, compileEvery, TimeSpan.FromMilliseconds(boundMs), seeds, new FuzzOracle.FolderImports(architectures),
    r => Console.WriteLine($"  {r.Cases} cases, {r.Clean} clean, {r.Compiled} compiled, {r.Failures.Count} failures, slowest {r.SlowestCpu.TotalMilliseconds:F0} ms CPU ({r.SlowestOrigin})"), failed: Save, from: from, batch: batch, hostileEvery: hostileEvery, starting: Starting);
Console.WriteLine($"cases: {run.Cases} (generated {run.Generated}, mutated {run.Mutated}, hostile shapes {run.Hostile}); clean: {run.Clean}; compiled: {run.Compiled}; failures: {run.Failures.Count}");
Console.WriteLine($"time: {run.Elapsed.TotalSeconds:F0} s (generated {run.GeneratedTime.TotalSeconds:F0} s, mutated {run.MutatedTime.TotalSeconds:F0} s, hostile shapes {run.HostileTime.TotalSeconds:F0} s, compiling {run.CompileTime.TotalSeconds:F0} s); " +
    $"slowest case: {run.SlowestCpu.TotalMilliseconds:F0} ms of CPU time (case {run.SlowestCase}, {run.SlowestOrigin}), {run.Slowest.TotalMilliseconds:F0} ms of wall time");
using (var self = System.Diagnostics.Process.GetCurrentProcess())
    Console.WriteLine($"peak memory: {self.PeakWorkingSet64 >> 20} MB resident (working set), {GC.GetGCMemoryInfo().HeapSizeBytes >> 20} MB managed heap at the end");
if (outDir != null) File.Delete(Path.Combine(outDir, "running.arch"));
return run.Failures.Count == 0 ? 0 : 1;
