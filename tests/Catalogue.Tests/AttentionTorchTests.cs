using System;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The Residual Attention Network's generated classes on TorchSharp: the attention module computes
/// (1 + M(x)) * T(x) from its own trunk and mask (equation 3), the up-sampling layer's values, and a training step.</summary>
public class AttentionTorchTests
{
    static nn.Module<Tensor, Tensor> Child(nn.Module model, string path) =>
        (nn.Module<Tensor, Tensor>)model.named_modules().Single(m => m.name == path).module;

    [Theory]
    [InlineData("nearest", false, new[] { 0f, 0f, 1f, 1f, 2f, 2f })]
    [InlineData("bilinear", false, new[] { 0f, 0.25f, 0.75f, 1.25f, 1.75f, 2f })]
    [InlineData("bilinear", true, new[] { 0f, 0.4f, 0.8f, 1.2f, 1.6f, 2f })]
    public void Up_sampling_interpolates_as_PyTorchs_Upsample(string mode, bool alignCorners, float[] expected)
    {
        // A row 0, 1, 2 doubled in width. Half-pixel centres (align_corners false) sample at (i + 0.5) / 2 - 0.5,
        // clamped at the edges; align_corners maps the end pixels onto each other, i * (3 - 1) / (6 - 1).
        using var up = new Upsample2d(mode, 1, 2, align_corners: alignCorners);
        using var x = torch.tensor(new float[] { 0, 1, 2 }).reshape(1, 1, 1, 3);
        using var y = up.call(x);
        Assert.Equal(new long[] { 1, 1, 1, 6 }, y.shape);
        var values = y.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 5);
    }

    [Fact]
    public void Up_sampling_refuses_a_factor_below_1_an_unknown_mode_and_align_corners_with_nearest()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Upsample2d("nearest", 0, 2));
        Assert.Throws<ArgumentException>(() => new Upsample2d("bicubic", 2, 2));
        Assert.Throws<ArgumentException>(() => new Upsample2d("nearest", 2, 2, align_corners: true));
    }

    [Theory]
    [InlineData("Attention56", "stage1.1.", 256, 56)]
    [InlineData("Attention56", "stage3.1.", 1024, 14)]
    [InlineData("Attention92", "stage2.2.", 512, 28)]
    public void An_attention_module_outputs_one_plus_its_mask_times_its_trunk(string name, string module, long channels, long size)
    {
        torch.manual_seed(0);
        using var model = CatalogueVariants.Create(name);
        model.eval();
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, channels, size, size);
        var first = Child(model, module + "first").call(x);
        var trunk = Child(model, module + "trunk").call(first);
        var mask = Child(model, module + "mask").call(Child(model, module + "soft_mask").call(first));
        Assert.Equal(new long[] { 2, channels, size, size }, mask.shape);
        Assert.True(mask.min().item<float>() >= 0f && mask.max().item<float>() <= 1f, "the mask ends in a sigmoid");
        var expected = Child(model, module + "last").call((1 + mask) * trunk);
        Assert.True(torch.allclose(Child(model, module.TrimEnd('.')).call(x), expected, 1e-5, 1e-5));
        // With the mask at 0 the module would pass the trunk on unchanged: the identity mapping the paper argues for.
        Assert.True(torch.allclose((1 + torch.zeros_like(mask)) * trunk, trunk));
    }

    [Fact]
    public void Attention56_trains_on_TorchSharp_every_convolution_gets_a_gradient_and_the_loss_falls()
    {
        torch.manual_seed(0);
        using var model = CatalogueVariants.Create("Attention56");
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 3, 224, 224);
        var labels = torch.tensor(new long[] { 3, 7 });
        var optimizer = torch.optim.SGD(model.parameters(), 0.01, momentum: 0.9);
        model.train();
        var losses = new double[4];
        for (int step = 0; step < losses.Length; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), labels);
            losses[step] = loss.item<float>();
            loss.backward();
            if (step == 0)
            {
                var convs = model.named_parameters().Where(p => p.name.EndsWith(".weight", StringComparison.Ordinal) && p.parameter.dim() == 4).ToList();
                Assert.Equal(model.named_parameters().Count(p => p.parameter.dim() == 4), convs.Count);
                // 33 units of three (stage 1: 1 + 12, stage 2: 1 + 9, stage 3: 1 + 6, stage 4: 3), four projections,
                // two 1x1 convolutions per mask and the stem.
                Assert.Equal(33 * 3 + 4 + 3 * 2 + 1, convs.Count);
                Assert.All(convs, w => Assert.True(w.parameter.grad is { } g && g.abs().sum().item<float>() > 0, w.name));
            }
            optimizer.step();
        }
        Assert.True(losses[^1] < losses[0], string.Join(" -> ", losses));
    }
}
