using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ArchDsl.Catalogue;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>nas.arch: a path through the search space has the costs of the same network written out layer by
/// layer; choices outside the space are errors with their location.</summary>
public class NasTests
{
    static string NasPath => Path.Combine(RepoPaths.Architectures, "nas.arch");

    static SourceFile Nas => new(NasPath, File.ReadAllText(NasPath));

    // MobileNet V2's searchable rows after the first: channels, layers, first stride.
    static readonly (int C, int N, int S)[] Stages = { (24, 2, 2), (32, 3, 2), (64, 4, 2), (96, 3, 1), (160, 3, 2), (320, 1, 1) };

    /// <summary>The path as a plain network: one InvertedResidual line per layer with its numbers written in.</summary>
    static NetworkSummary WrittenOut(long[] kernels, long[] expansions)
    {
        var text = new StringBuilder("import \"mobilenet_v2.arch\"\nnetwork Path() {\n  input 3x224x224\n  features: {\n    ConvBNReLU(32, stride: 2)\n    InvertedResidual(16, stride: 1, expand: 1, kernel: 3)\n");
        int layer = 0;
        foreach (var (c, n, s) in Stages)
            for (int i = 0; i < n; i++, layer++)
                text.Append($"    InvertedResidual({c}, stride: {(i == 0 ? s : 1)}, expand: {expansions[layer]}, kernel: {kernels[layer]})\n");
        text.Append("    ConvBNReLU(1280, 1)\n  }\n  adaptive_avgpool(1)\n  flatten\n  classifier: { dropout(0.2); linear(1000) }\n}\n");
        Assert.Equal(16, layer);
        var path = Path.Combine(RepoPaths.Architectures, "written_out_path.arch");
        var result = ArchFrontEnd.Check(new SourceFile(path, text.ToString()), new CatalogueVariants.FolderImports());
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
        return result.Networks.Single(n => n.Name == "Path");
    }

    static long[] Repeat(long v) => Enumerable.Repeat(v, 16).ToArray();

    public static IEnumerable<object[]> Variants() => new[]
    {
        new object[] { "NasMobileSmallest", Repeat(3), Repeat(3) },
        new object[] { "NasMobileLargest", Repeat(7), Repeat(6) },
        new object[] { "NasMobileMixed", new long[] { 5, 3, 7, 3, 3, 3, 7, 5, 5, 5, 5, 5, 7, 7, 7, 7 }, new long[] { 3, 3, 3, 3, 3, 3, 6, 3, 3, 3, 6, 3, 6, 6, 3, 6 } },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void A_variants_path_costs_what_the_written_out_network_costs(string variant, long[] kernels, long[] expansions)
    {
        var chosen = CatalogueVariants.Get(variant);
        var plain = WrittenOut(kernels, expansions);
        Assert.Equal(plain.Params, chosen.Params);
        Assert.Equal(plain.Macs, chosen.Macs);
        Assert.Equal(plain.Layers.Select(l => (l.Path, l.Operation)), chosen.Layers.Select(l => (l.Path, l.Operation)));
    }

    [Fact]
    public void A_path_given_as_arguments_costs_what_the_written_out_network_costs()
    {
        var kernels = new long[] { 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3, 5, 7, 3 };
        var expansions = new long[] { 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3, 6, 3 };
        var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(Nas, new CatalogueVariants.FolderImports(), "NasMobile",
            new Dictionary<string, object> { ["kernels"] = kernels, ["expansions"] = expansions });
        Assert.DoesNotContain(diagnostics, d => d.Severity == ArchSeverity.Error);
        var plain = WrittenOut(kernels, expansions);
        Assert.Equal(plain.Params, report!.Summary.Params);
        Assert.Equal(plain.Macs, report.Summary.Macs);

        // The generated class takes the same path at run time.
        using var scope = torch.NewDisposeScope();
        using var net = new NasMobile(kernels: kernels, expansions: expansions);
        Assert.Equal(plain.Params, net.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void The_default_path_is_MobileNetV2()
    {
        // 3x3 kernels and expansion 6 everywhere is MobileNet V2 1.0: torchvision.csv's 3,504,872 / 300,774,272.
        Assert.Equal(3_504_872L, NasMobile.ParameterCount);
        Assert.Equal(300_774_272L, NasMobile.MultiplyAccumulates);
    }

    [Fact]
    public void A_choice_outside_the_space_is_reported_at_the_argument()
    {
        var text = File.ReadAllText(NasPath) + "variant Bad = NasMobile(kernels: [3, 3, 3, 3, 3, 3, 3, 4, 3, 3, 3, 3, 3, 3, 3, 3])\n";
        var result = ArchFrontEnd.Check(new SourceFile(NasPath, text), new CatalogueVariants.FolderImports());
        var error = Assert.Single(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
        Assert.Equal("ARCH0018", error.Id);
        Assert.Equal(text.Split('\n').Length - 1, error.Line);
        Assert.Equal("variant Bad = NasMobile(kernels: ".Length + 1, error.Column);
        Assert.Contains("'kernels[7]' is 4, not one of the choices [3, 5, 7]", error.Message);
    }

    [Fact]
    public void The_generated_class_rejects_a_choice_outside_the_space()
    {
        var kernels = Repeat(3);
        kernels[15] = 9;
        var e = Assert.Throws<ArgumentException>(() => new NasMobile(kernels: kernels));
        Assert.Contains("'kernels[15]' is 9", e.Message);
    }

    [Fact]
    public void A_chosen_path_runs_forward_and_backward() => PaperCosts.RunsForwardAndBackward("NasMobileMixed");
}
