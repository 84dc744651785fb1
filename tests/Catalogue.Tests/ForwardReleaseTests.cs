using System.Linq;
using System.Collections.Generic;
using ArchDsl.Runtime;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>ArchOps.Sequence, which generated forwards use for straight runs of layers, frees exactly the
/// intermediates it made and nothing a caller may still hold.</summary>
public class ForwardReleaseTests
{
    /// <summary>Remembers every tensor it returns, so the test can see which were freed.</summary>
    private sealed class Recorder : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> _inner;
        public readonly List<Tensor> Outputs = new();
        public Recorder(nn.Module<Tensor, Tensor> inner) : base("Recorder") { _inner = inner; }
        public override Tensor forward(Tensor input)
        {
            var y = _inner.call(input);
            Outputs.Add(y);
            return y;
        }
    }

    [Fact]
    public void Intermediates_are_freed_input_and_result_are_not()
    {
        using var scope = NewDisposeScope();
        var conv = new Recorder(nn.Conv2d(3, 4, 3, padding: 1));
        var relu = new Recorder(nn.ReLU(inplace: true));   // hands its input back
        var bn = new Recorder(nn.BatchNorm2d(4));
        var input = randn(2, 3, 8, 8);

        var output = ArchOps.Sequence(input, conv, relu, bn);

        Assert.False(input.IsInvalid);
        // TorchSharp's in-place ReLU hands back an alias: a second handle on the conv's result, which stays alive
        // through it. Each handle is freed once the next layer has read it.
        Assert.NotSame(conv.Outputs[0], relu.Outputs[0]);
        Assert.True(conv.Outputs[0].IsInvalid);
        Assert.True(relu.Outputs[0].IsInvalid);
        Assert.Same(bn.Outputs[0], output);
        Assert.False(output.IsInvalid);
        Assert.Equal(new long[] { 2, 4, 8, 8 }, output.shape);
    }

    [Fact]
    public void A_layer_that_returns_the_input_unchanged_never_frees_it()
    {
        using var scope = NewDisposeScope();
        var inPlace = new Recorder(nn.ReLU(inplace: true));
        var input = randn(1, 2, 4, 4);
        var output = ArchOps.Sequence(input, inPlace, nn.Identity());
        Assert.False(input.IsInvalid);                     // the in-place result is the input itself
        Assert.False(output.IsInvalid);
    }

    [Fact]
    public void An_owned_input_is_freed_once_read_but_never_when_it_is_the_result()
    {
        using var scope = NewDisposeScope();
        var concatenated = randn(1, 4, 4, 4);
        var output = ArchOps.Sequence(concatenated, new nn.Module<Tensor, Tensor>[] { nn.BatchNorm2d(4), nn.ReLU() }, freeInput: true);
        Assert.True(concatenated.IsInvalid);
        Assert.False(output.IsInvalid);

        var kept = randn(1, 4, 4, 4);
        Assert.Same(kept, ArchOps.Sequence(kept, new nn.Module<Tensor, Tensor>[0], freeInput: true));
        Assert.False(kept.IsInvalid);
    }

    [Fact]
    public void Results_equal_calling_the_layers_one_by_one_and_gradients_flow()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var layers = new nn.Module<Tensor, Tensor>[] { nn.Conv2d(3, 8, 3, padding: 1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 2, 1) };
        var input = randn(2, 3, 6, 6);
        var expected = input;
        foreach (var l in layers) expected = l.call(expected);
        var actual = ArchOps.Sequence(input, layers);
        Assert.True(actual.allclose(expected));

        // Freeing the intermediates' handles leaves autograd's own references intact.
        actual.sum().backward();
        var grad = ((TorchSharp.Modules.Conv2d)layers[0]).weight.grad;
        Assert.NotNull(grad);
        Assert.True(grad!.abs().sum().item<float>() > 0);
    }

    /// <summary>The residual sum goes into the branch's own result outside autograd (one activation fewer, as
    /// torchvision's <c>out += identity</c>) and into a new tensor when the branch's result takes part in a graph.</summary>
    [Fact]
    public void Shortcut_is_added_in_place_only_outside_autograd()
    {
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(3, 3, 3, padding: 1);
        var input = randn(2, 3, 8, 8);
        Tensor expected, branch, sum;
        using (no_grad()) {
            branch = conv.call(input);
            expected = branch + input;
            sum = ArchOps.AddShortcut(branch, input);
        }
        Assert.Same(branch, sum);
        Assert.True(sum.allclose(expected));
        Assert.False(input.IsInvalid);

        branch = conv.call(input);
        expected = (branch + input).detach();
        sum = ArchOps.AddShortcut(branch, input);
        Assert.NotSame(branch, sum);
        Assert.True(sum.allclose(expected));
        sum.sum().backward();                       // the graph through the branch is intact
        Assert.NotNull(conv.parameters().First().grad);
    }
}
