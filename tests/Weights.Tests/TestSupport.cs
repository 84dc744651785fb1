using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Weights.Tests;

/// <summary>Reading TorchSharp-format files and comparing tensors.</summary>
internal static class TestSupport
{
    /// <summary>The repository root: the nearest folder above the test binaries holding ArchDsl.sln.</summary>
    public static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("ArchDsl.sln not found above " + AppContext.BaseDirectory);
    }

    public static string PythonDir => Path.Combine(RepoRoot, "tests", "Weights.Tests", "python");

    public static string WeightsTool(string script) => Path.Combine(RepoRoot, "tools", "weights", script);

    /// <summary>Every entry of a weight file, in file order (the runtime's validating reader).</summary>
    public static Dictionary<string, Tensor> ReadWeightFile(string path) => WeightFile.Read(path);

    public static void WriteWeightFile(string path, Dictionary<string, Tensor> entries)
    {
        using var writer = new BinaryWriter(File.Create(path));
        nn.Module.save_state_dict(writer, entries);
    }

    public static double MaxAbsDiff(Tensor expected, Tensor actual)
    {
        using var e = expected.to(ScalarType.Float64);
        using var a = actual.to(ScalarType.Float64);
        using var d = (e - a).abs();
        return d.numel() == 0 ? 0 : d.max().ToDouble();
    }

    public static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}], expected [{string.Join(", ", expected.shape)}]");
        Assert.Equal(expected.dtype, actual.dtype);
        var diff = MaxAbsDiff(expected, actual);
        Assert.True(diff <= tolerance, $"{what}: max abs difference {diff:G3} exceeds {tolerance:G3}");
    }

    public static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"archdsl-{Guid.NewGuid():N}-{name}");

    /// <summary>Snapshot of every state-dict entry's bytes, to prove a failed load changed nothing.</summary>
    public static Dictionary<string, byte[]> Snapshot(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.bytes.ToArray());
}
