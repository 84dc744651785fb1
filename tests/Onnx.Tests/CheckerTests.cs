using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace ArchDsl.Onnx.Tests;

/// <summary>ONNX's structural rules on exported files, read back from their bytes; and a second reader, the onnx
/// package's own checker with full shape inference (Debian's python3-onnx, which scripts/install-deps.sh installs).</summary>
public class CheckerTests
{
    static byte[] Exported(string name, bool dynamicBatch)
    {
        var net = Networks.Get(name);
        using var model = Networks.Create(name);
        var result = OnnxExport.Export(model, net.File, new OnnxExportOptions { DynamicBatch = dynamicBatch });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.ToBytes();
    }

    // Splits, shuffles, aux heads, a zero-padded shortcut, squeeze-and-excitation, adaptive pooling to 6x6.
    public static TheoryData<string> Checked() => new() { "ShuffleNetV2_x0_5", "GoogLeNetAux", "PyramidNetCifar", "MobileNetV3Small", "AlexNetOneTower" };

    [Theory]
    [MemberData(nameof(Checked))]
    public void Exported_models_keep_the_checker_rules(string name)
    {
        var model = OnnxSerializer.Read(Exported(name, dynamicBatch: true));
        Assert.Empty(OnnxChecker.Check(model));
        Assert.Contains(model.OpsetImports, o => o.Domain == "" && o.Version == OnnxLowering.Opset);
        Assert.Equal(model.Graph.Initializers.Length, model.Graph.Initializers.Select(t => t.Name).Distinct().Count());
    }

    [Fact]
    public void The_checker_finds_broken_models()
    {
        var good = OnnxSerializer.Read(Exported("ShuffleNetV2_x0_5", dynamicBatch: false));
        var g = good.Graph;
        var reordered = good with { Graph = g with { Nodes = g.Nodes.Reverse().ToImmutableArray() } };
        Assert.Contains(OnnxChecker.Check(reordered), p => p.Contains("before it is defined"));
        var twice = good with { Graph = g with { Nodes = g.Nodes.Add(g.Nodes[0] with { Name = "again" }) } };
        Assert.Contains(OnnxChecker.Check(twice), p => p.Contains("already defined"));
        var noOpset = good with { OpsetImports = ImmutableArray<(string, long)>.Empty };
        Assert.Contains(OnnxChecker.Check(noOpset), p => p.Contains("opset"));
        var first = g.Initializers[0];
        var misdeclared = good with { Graph = g with { ValueInfos = g.ValueInfos.Add(new OnnxValueInfo(first.Name, OnnxDataType.Float, ImmutableArray.Create(new OnnxDim(1)))) } };
        Assert.Contains(OnnxChecker.Check(misdeclared), p => p.Contains("declared"));
        var truncated = good with { Graph = g with { Initializers = g.Initializers.SetItem(0, first with { RawData = first.RawData[..4] }) } };
        Assert.Contains(OnnxChecker.Check(truncated), p => p.Contains("bytes for dimensions"));
    }

    [Theory]
    [MemberData(nameof(Checked))]
    public async System.Threading.Tasks.Task The_onnx_package_accepts_the_files(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "archdsl-onnx-" + name + "-" + System.Environment.ProcessId + ".onnx");
        File.WriteAllBytes(path, Exported(name, dynamicBatch: true));
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import onnx, sys\nm = onnx.load(sys.argv[1])\nonnx.checker.check_model(m, full_check=True)\nprint('ok', m.opset_import[0].version)");
            start.ArgumentList.Add(path);
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, "python3-onnx rejected " + name + ": " + await error);
            Assert.Equal("ok " + OnnxLowering.Opset, output.Trim());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
