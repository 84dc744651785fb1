using ArchDsl.Generator.Emit;
using Xunit;

namespace ArchDsl.Generator.Tests;

/// <summary>A forward's layer calls, written as calls, print as sequences that free intermediates early, joining only
/// what nothing else reads.</summary>
public class ForwardCallRunTests
{
    [Fact]
    public void Consecutive_calls_of_one_tensor_become_one_sequence()
    {
        var w = new IndentedWriter().Call("x", "this.conv1").Call("x", "this.bn1").Call("x", "this.relu");
        Assert.Equal("x = ArchOps.Sequence(x, this.conv1, this.bn1, this.relu);\n", w.ToString());
    }

    [Fact]
    public void A_loop_over_a_layer_list_becomes_a_sequence_over_the_list()
    {
        var w = new IndentedWriter().Call("x", "this.stem").CallEach("x", "this._stage");
        Assert.Equal("x = this.stem.call(x);\nx = ArchOps.Sequence(x, this._stage);\n", w.ToString());
    }

    [Fact]
    public void A_read_of_the_tensor_between_calls_splits_the_run()
    {
        // The aux head reads the tensor after conv2; that tensor must survive, so it ends the first run.
        var w = new IndentedWriter().Call("x", "this.conv1").Call("x", "this.conv2").Line("aux1 = this.aux1.call(x);")
            .Call("x", "this.conv3").Call("x", "this.conv4");
        Assert.Equal("x = ArchOps.Sequence(x, this.conv1, this.conv2);\naux1 = this.aux1.call(x);\nx = ArchOps.Sequence(x, this.conv3, this.conv4);\n",
            w.ToString());
    }

    [Fact]
    public void Calls_of_different_tensors_or_blocks_stay_apart()
    {
        Assert.Equal("x = this.a.call(x);\ny = this.b.call(y);\n", new IndentedWriter().Call("x", "this.a").Call("y", "this.b").ToString());
        Assert.Equal("x = this.a.call(x);\n    x = this.b.call(x);\n", new IndentedWriter().Call("x", "this.a").Indent().Call("x", "this.b").ToString());
        Assert.Equal("x = this.a.call(x);\n", new IndentedWriter().Call("x", "this.a").ToString());
    }

    [Fact]
    public void Calls_of_an_appended_writer_join_the_run_they_meet()
    {
        var inner = new IndentedWriter().Call("x", "this.b").Line("y = x;");
        var outer = new IndentedWriter(1).Call("x", "this.a").Append(inner).Call("x", "this.c");
        Assert.Equal("    x = ArchOps.Sequence(x, this.a, this.b);\n    y = x;\n    x = this.c.call(x);\n", outer.ToString());
    }

    [Fact]
    public void Long_runs_list_one_layer_per_line()
    {
        var w = new IndentedWriter(1);
        foreach (var m in new[] { "this.a", "this.b", "this.c", "this.d", "this.e" }) w.Call("x", m);
        Assert.Equal("    x = ArchOps.Sequence(x,\n        this.a,\n        this.b,\n        this.c,\n        this.d,\n        this.e);\n", w.ToString());
    }
}
