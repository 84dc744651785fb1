using ArchDsl.Generator.Emit;
using Xunit;

namespace ArchDsl.Generator.Tests;

/// <summary>The rewrite that lets a generated forward free intermediates early joins only what nothing else reads.</summary>
public class ForwardChainTests
{
    [Fact]
    public void Consecutive_calls_of_one_tensor_become_one_sequence()
    {
        var body = "x = this.conv1.call(x);\nx = this.bn1.call(x);\nx = this.relu.call(x);\n";
        Assert.Equal("x = ArchOps.Sequence(x, this.conv1, this.bn1, this.relu);\n", ForwardChains.Collapse(body));
    }

    [Fact]
    public void A_loop_over_a_layer_list_becomes_a_sequence_over_the_list()
    {
        var body = "x = this.stem.call(x);\nforeach (var _module in this._stage) x = _module.call(x);\n";
        Assert.Equal("x = this.stem.call(x);\nx = ArchOps.Sequence(x, this._stage);\n", ForwardChains.Collapse(body));
    }

    [Fact]
    public void A_read_of_the_tensor_between_calls_splits_the_run()
    {
        // The aux head reads the tensor after conv2; that tensor must survive, so it ends the first run.
        var body = "x = this.conv1.call(x);\nx = this.conv2.call(x);\naux1 = this.aux1.call(x);\nx = this.conv3.call(x);\nx = this.conv4.call(x);\n";
        Assert.Equal("x = ArchOps.Sequence(x, this.conv1, this.conv2);\naux1 = this.aux1.call(x);\nx = ArchOps.Sequence(x, this.conv3, this.conv4);\n",
            ForwardChains.Collapse(body));
    }

    [Theory]
    [InlineData("x = this.a.call(x);\ny = this.b.call(y);\n")]                 // different tensors
    [InlineData("x = this.a.call(x);\n    x = this.b.call(x);\n")]             // different blocks
    [InlineData("x = this.a!.call(x);\nx = this.b!.call(x);\n")]               // conditional layers
    [InlineData("x = this.a.call(x);\nx = this.b.call(_identity);\n")]         // another input
    [InlineData("x = this.a.call(x);\n")]                                      // nothing to free
    public void Anything_else_is_left_as_written(string body) => Assert.Equal(body, ForwardChains.Collapse(body));

    [Fact]
    public void Long_runs_list_one_layer_per_line()
    {
        var body = "    x = this.a.call(x);\n    x = this.b.call(x);\n    x = this.c.call(x);\n    x = this.d.call(x);\n    x = this.e.call(x);\n";
        Assert.Equal("    x = ArchOps.Sequence(x,\n        this.a,\n        this.b,\n        this.c,\n        this.d,\n        this.e);\n", ForwardChains.Collapse(body));
    }
}
