using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using ArchDsl.Catalogue.Tests;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ArchDsl.Onnx.Tests;

/// <summary>
/// ONNX Runtime on the exported graph against the generated TorchSharp class, same weights, same input, within the
/// suite's tolerance (<see cref="OutputTolerance"/>).
/// </summary>
/// <remarks>
/// Which variants: the cheapest variant (fewest multiply-adds at its declared input) of every .arch file, so every
/// family is covered once, plus every other variant up to <see cref="MacBudget"/> multiply-adds; the larger variants of
/// a family differ from the cheapest in widths and depths only, and running them all takes over ten minutes on two cores. Networks whose export is refused (a located diagnostic, tested separately)
/// are <see cref="NotExportable"/>; that list is checked both ways.
/// </remarks>
public class RuntimeParityTests
{
    const long MacBudget = 60_000_000;

    readonly ITestOutputHelper _log;

    public RuntimeParityTests(ITestOutputHelper log) => _log = log;

    /// <summary>Networks the exporter refuses, and why (the elaborated graph lacks what the ONNX graph would need):
    /// none now, every catalogue network exports.</summary>
    public static readonly IReadOnlyDictionary<string, string> NotExportable = new Dictionary<string, string>();

    public static TheoryData<string> Variants()
    {
        var chosen = Networks.All.Where(n => n.Macs <= MacBudget)
            .Concat(Networks.All.GroupBy(n => n.File).Select(g => g.OrderBy(n => n.Macs).First()))
            .Select(n => n.Name).Concat(NotExportable.Keys).Distinct().OrderBy(n => n, StringComparer.Ordinal);
        return new TheoryData<string>(chosen);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Onnx_runtime_output_equals_torchsharp(string name)
    {
        var net = Networks.Get(name);
        using var model = Networks.Create(name);
        Networks.RandomiseBatchNorm(model, 7);
        var result = OnnxExport.Export(model, net.File);
        if (NotExportable.ContainsKey(name))
        {
            Assert.False(result.Succeeded, $"{name} exports now: remove it from NotExportable");
            Assert.Contains(result.Diagnostics, d => d.Id == OnnxLowering.UnsupportedId && d.Severity == ArchSeverity.Error && d.Line > 0);
            return;
        }
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        torch.manual_seed(11);
        using var input = torch.randn(new long[] { 1 }.Concat(net.Input).ToArray());
        using var expected = model.call(input);
        var outputs = Networks.RunOnnx(result.ToBytes(), input);
        using var actual = Networks.ToTensor(outputs[OnnxLowering.OutputName]);
        Report(name, "output", expected, actual);
        OutputTolerance.AssertClose(expected, actual, name);
    }

    void Report(string name, string output, Tensor expected, Tensor actual)
    {
        using var diff = (actual - expected).abs().max();
        using var magnitude = expected.abs().max();
        _log.WriteLine($"{name} {output}: max |difference| {diff.item<float>():E2}, magnitude {magnitude.item<float>():E2}");
    }
}
