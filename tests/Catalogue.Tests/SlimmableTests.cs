using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Catalogue;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>S-MobileNet V2 (slimmable.arch): each width against MobileNet V2 of that width (mobilenet_v2.arch, whose
/// figures equal torchvision's), and the run-time switch over shared weights and private batch norms.</summary>
public class SlimmableTests
{
    public static IEnumerable<object[]> Widths() => new[]
    {
        new object[] { 0.35, "MobileNetV2_035" }, new object[] { 0.5, "MobileNetV2_050" },
        new object[] { 0.75, "MobileNetV2_075" }, new object[] { 1.0, "MobileNetV2_100" },
    };

    static SlimmableNetwork<SlimMobileNetV2> Build() => SlimmableLayers.Build(new[] { 0.35, 0.5, 0.75, 1.0 }, w => new SlimMobileNetV2(width: w));

    [Theory]
    [MemberData(nameof(Widths))]
    public void Front_end_costs_at_each_width_equal_MobileNetV2_of_that_width(double width, string plain)
    {
        var path = Path.Combine(RepoPaths.Architectures, "slimmable.arch");
        var (report, diagnostics) = ArchFrontEnd.AnalyzeNetwork(new SourceFile(path, File.ReadAllText(path)), new CatalogueVariants.FolderImports(),
            "SlimMobileNetV2", new Dictionary<string, object> { ["width"] = width });
        Assert.DoesNotContain(diagnostics, d => d.Severity == ArchSeverity.Error);
        var reference = CatalogueVariants.Get(plain);
        Assert.Equal(reference.Params, report!.Summary.Params);
        Assert.Equal(reference.Macs, report.Summary.Macs);
        Assert.Equal(reference.Output.ToArray(), report.Summary.Output.ToArray());
    }

    [Fact]
    public void Variants_per_width_have_the_plain_networks_constants()
    {
        Assert.Equal(MobileNetV2_035.ParameterCount, SlimMobileNetV2_035.ParameterCount);
        Assert.Equal(MobileNetV2_050.MultiplyAccumulates, SlimMobileNetV2_050.MultiplyAccumulates);
        Assert.Equal(MobileNetV2_075.ParameterCount, SlimMobileNetV2_075.ParameterCount);
        Assert.Equal(MobileNetV2_100.MultiplyAccumulates, SlimMobileNetV2_100.MultiplyAccumulates);
        // torchvision.csv: mobilenet_v2(width_mult=0.35) has 1,677,128 parameters.
        Assert.Equal(1_677_128L, SlimMobileNetV2_035.ParameterCount);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void Each_width_runs_as_MobileNetV2_of_that_width(double width, string plain)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        using var slim = Build();
        slim.Network.eval();
        slim.Width = width;
        int index = slim.Widths.ToList().IndexOf(width);
        var x = torch.randn(2, 3, 224, 224);
        var y = slim.call(x);

        var reference = CatalogueVariants.Get(plain);
        Assert.Equal(new long[] { 2 }.Concat(reference.Output), y.shape);
        Assert.Equal(reference.Params, slim.ActiveParameters);
        Assert.Equal(reference.Macs, slim.LastMultiplyAccumulates);

        // The same numbers through a plain MobileNet V2 of that width holding the active slices and that width's
        // batch norms: the slimmable forward is that network's forward.
        using var net = CatalogueVariants.Create(plain);
        net.eval();
        var shared = slim.Network.state_dict();
        var copy = new Dictionary<string, Tensor>();
        foreach (var (key, target) in net.state_dict())
        {
            var source = shared.TryGetValue(key, out var s) ? s : shared[SwitchableKey(key, index)];
            for (int d = 0; d < target.dim(); d++) source = source.narrow(d, 0, target.shape[d]);
            copy[key] = source;
        }
        net.load_state_dict(copy);
        var expected = net.call(x);
        Assert.True(expected.allclose(y, rtol: 1e-4, atol: 1e-5), $"width {width}: max difference {(expected - y).abs().max().item<float>()}");
    }

    /// <summary>features.0.1.weight (a plain batch norm) is features.0.1.{i}.weight in the slimmable network.</summary>
    static string SwitchableKey(string key, int index)
    {
        int dot = key.LastIndexOf('.');
        return key.Substring(0, dot) + "." + index + key.Substring(dot);
    }

    [Fact]
    public void Switching_the_width_changes_the_output_but_not_the_weights()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        using var slim = Build();
        // Batch norms on the batch's statistics, dropout off: at initialisation the running statistics (mean 0,
        // variance 1) let the activations grow until every ReLU6 saturates, and the eval output then hardly depends
        // on the width at all (2e-8 of 0.03: whether allclose says so was a matter of the initial weights).
        slim.Network.train();
        foreach (var (_, module) in slim.Network.named_modules())
            if (module is TorchSharp.Modules.Dropout) module.eval();
        var before = slim.Network.named_parameters().ToList();
        var x = torch.randn(2, 3, 224, 224);
        slim.Width = 1.0;
        var wide = slim.call(x);
        slim.Width = 0.35;
        var narrow = slim.call(x);
        var after = slim.Network.named_parameters().ToList();

        // Different widths are different networks: their outputs differ by far more than the suite's tolerance.
        float difference = (wide - narrow).abs().max().item<float>(), magnitude = wide.abs().max().item<float>();
        System.Console.WriteLine($"slimmable: max |wide - narrow| {difference}, max |wide| {magnitude}");
        Assert.True(difference > 1e-2 * Math.Max(1e-3, magnitude), $"max |wide - narrow| {difference}, max |wide| {magnitude}");
        Assert.Equal(before.Select(p => p.name), after.Select(p => p.name));
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Same(before[i].parameter, after[i].parameter);
            Assert.Equal(before[i].parameter.Handle, after[i].parameter.Handle);
        }
        // One weight tensor per convolution, sized for width 1.0 (torchvision's 3,504,872 parameters) plus the
        // private batch norms of the three narrower widths.
        var conv = before.Single(p => p.name == "features.0.0.weight").parameter;
        Assert.Equal(new long[] { 32, 3, 3, 3 }, conv.shape);
        Assert.Contains(before, p => p.name == "features.0.1.0.weight" && p.parameter.shape[0] == 16);
        Assert.Contains(before, p => p.name == "features.0.1.3.weight" && p.parameter.shape[0] == 32);
    }

    [Fact]
    public void A_training_step_at_one_width_reaches_the_shared_weights_and_only_that_widths_batch_norm()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var slim = Build();
        slim.Network.train();
        slim.Width = 0.5;   // index 1; the stem has make_divisible(16, 8) = 16 of the 32 shared output channels
        var norms = slim.Network.modules().OfType<SwitchableBatchNorm2d>().First();
        var means = Enumerable.Range(0, 4).Select(i => norms[i].named_buffers().First(b => b.name == "running_mean").buffer.clone()).ToArray();
        var optimizer = torch.optim.SGD(slim.Network.parameters(), 0.1);
        optimizer.zero_grad();
        slim.call(torch.randn(2, 3, 224, 224)).square().mean().backward();

        var conv = slim.Network.named_parameters().Single(p => p.name == "features.0.0.weight").parameter;
        Assert.NotNull(conv.grad);
        Assert.True(conv.grad!.narrow(0, 0, 16).abs().sum().item<float>() > 0);
        Assert.Equal(0f, conv.grad.narrow(0, 16, 16).abs().sum().item<float>());
        for (int i = 0; i < 4; i++)
        {
            var weight = norms[i].named_parameters().First(p => p.name == "weight").parameter;
            var mean = norms[i].named_buffers().First(b => b.name == "running_mean").buffer;
            if (i == 1)
            {
                Assert.True(weight.grad is not null && weight.grad.abs().sum().item<float>() > 0);
                Assert.False(mean.Equals(means[i]));
            }
            else
            {
                Assert.True(weight.grad is null || weight.grad.abs().sum().item<float>() == 0, $"batch norm {i} received a gradient");
                Assert.True(mean.Equals(means[i]), $"batch norm {i} updated its statistics");
            }
        }
        var old = conv.clone();
        optimizer.step();
        Assert.False(conv.narrow(0, 0, 16).Equals(old.narrow(0, 0, 16)));
        Assert.True(conv.narrow(0, 16, 16).Equals(old.narrow(0, 16, 16)));
    }
}
