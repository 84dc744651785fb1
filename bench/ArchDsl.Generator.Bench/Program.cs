using System;
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
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Length == 0 ? new[] { "--filter", "*" } : args,
            DefaultConfig.Instance.WithOptions(ConfigOptions.DisableOptimizationsValidator));
    }
}
