using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace ArchDsl.Generator.Bench;

public static class Program
{
    /// <summary>BenchmarkDotNet over <see cref="GeneratorBenchmarks"/>; arguments pass through (e.g. --job short).
    /// Prints the catalogue's size and how many sources one edit re-emitted.</summary>
    public static void Main(string[] args)
    {
        var census = new GeneratorBenchmarks();
        census.Setup();
        var (files, sources, reemitted) = GeneratorBenchmarks.Census;
        Console.WriteLine($"catalogue: {files} .arch files -> {sources} generated sources; an edit of resnet.arch re-emitted {reemitted} of them");
        if (args.Contains("--per-file"))
        {
            // Where the time goes: each file through the front end and emitter, after one warm-up pass.
            census.Catalogue_parse_check_emit();
            foreach (var (file, stage, ms, bytes) in census.PerFile())
                Console.WriteLine($"{file,-28} {stage,-18} {ms,9:F1} ms {bytes / 1048576.0,9:F1} MB allocated");
            return;
        }
        int allocAt = Array.IndexOf(args, "--allocations");
        if (allocAt >= 0)
        {
            // Which types one stage allocates most of (sampled), over ten passes after a warm-up pass.
            string stage = allocAt + 1 < args.Length ? args[allocAt + 1] : "emit";
            var run = census.Stage(stage);
            run();
            using var sampler = new AllocationSampler();
            for (int i = 0; i < 10; i++) run();
            foreach (var (type, bytes) in sampler.Top(30))
                Console.WriteLine($"{bytes / 10 / 1048576.0,8:F2} MB per pass  {type}");
            return;
        }
        int stagesAt = Array.IndexOf(args, "--stages");
        if (stagesAt >= 0)
        {
            int passes = stagesAt + 1 < args.Length && int.TryParse(args[stagesAt + 1], out var n) ? n : 10;
            foreach (var (stage, ms, cpuMs, bytes) in census.Stages(passes))
                Console.WriteLine($"{stage,-10} {ms,9:F1} ms wall {cpuMs,9:F1} ms CPU {bytes / 1048576.0,9:F1} MB allocated per catalogue pass (cumulative, mean of {passes})");
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(Array.IndexOf(args, "--filter") >= 0 ? args : args.Concat(new[] { "--filter", "*" }).ToArray(),
            DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator));
    }
}
