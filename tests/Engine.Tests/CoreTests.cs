using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Engine.Tests;

/// <summary>A conv/bn/pool/linear network used across tests.</summary>
internal sealed class SmallNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 8, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(8);
    private readonly Sequential head;

    public SmallNet() : base(nameof(SmallNet))
    {
        head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4));
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("head", head);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.call(conv1.call(x)));
        y = nn.functional.max_pool2d(y, 2);
        return head.call(y).MoveToOuterDisposeScope();
    }
}

/// <summary>Tensors, modules, state dicts, persistence, error surfacing and handle lifetime.</summary>
public class CoreTests
{
    [Fact]
    public void Arithmetic_broadcasts_and_reads_back()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        using var b = tensor(new float[] { 10, 20, 30 });
        using var c = a + b;
        Assert.Equal(new long[] { 2, 3 }, c.shape);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, c.data<float>().ToArray());
        using var s = c.sum();
        Assert.Equal(141f, s.item<float>());
        a.add_(1);
        Assert.Equal(2f, a[0, 0].item<float>());
    }

    [Fact]
    public void State_dict_keys_follow_registration_order_with_buffers()
    {
        using var net = new SmallNet();
        var keys = net.state_dict().Keys.ToArray();
        Assert.Equal(new[] {
            "conv1.weight",
            "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
            "head.2.weight", "head.2.bias",
        }, keys);
        Assert.Equal(5, net.parameters().Count());
        Assert.Equal(3, net.buffers().Count());
    }

    [Fact]
    public void Train_and_eval_propagate_to_every_submodule()
    {
        using var net = new SmallNet();
        net.eval();
        Assert.All(net.modules(), m => Assert.False(m.training));
        net.train();
        Assert.All(net.modules(), m => Assert.True(m.training));
    }

    [Fact]
    public void Forward_runs_and_batchnorm_tracks_batches_in_training_only()
    {
        using var net = new SmallNet();
        using var x = randn(2, 3, 8, 8);
        using (var y = net.call(x)) Assert.Equal(new long[] { 2, 4 }, y.shape);
        var tracked = net.get_buffer("bn1.num_batches_tracked")!;
        Assert.Equal(1L, tracked.item<long>());
        net.eval();
        using (no_grad())
        using (var y = net.call(x)) Assert.Equal(new long[] { 2, 4 }, y.shape);
        Assert.Equal(1L, tracked.item<long>());
    }

    [Fact]
    public void Save_then_load_is_bit_exact()
    {
        using var a = new SmallNet();
        using var x = randn(2, 3, 8, 8);
        using (var _ = a.call(x)) { } // moves running statistics away from their initial values
        var path = Path.GetTempFileName();
        try {
            a.save(path);
            using var b = new SmallNet();
            b.load(path);
            var sa = a.state_dict();
            var sb = b.state_dict();
            foreach (var key in sa.Keys) {
                Assert.Equal(sa[key].dtype, sb[key].dtype);
                Assert.True(sa[key].bytes.SequenceEqual(sb[key].bytes), key);
            }
        } finally {
            File.Delete(path);
        }
    }

    [Fact]
    public void Libtorch_error_becomes_a_dotnet_exception_and_the_process_continues()
    {
        using var conv = nn.Conv2d(3, 4, 3);
        using var wrong = randn(1, 5, 8, 8);
        var ex = Assert.Throws<ExternalException>(() => conv.call(wrong));
        Assert.Contains("expected input[1, 5, 8, 8] to have 3 channels", ex.Message);
        using var right = randn(1, 3, 8, 8);
        using var y = conv.call(right);
        Assert.Equal(new long[] { 1, 4, 6, 6 }, y.shape);
    }

    [Fact]
    public void No_grad_stops_graph_recording()
    {
        using var w = randn(3, requires_grad: true);
        using (no_grad()) {
            using var y = w * 2;
            Assert.False(y.requires_grad);
        }
        using var z = w * 2;
        Assert.True(z.requires_grad);
    }

}

/// <summary>Counts process-wide native handles, so nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(HandleCounting), DisableParallelization = true)]
public sealed class HandleCounting { }

[Collection(nameof(HandleCounting))]
public class HandleLifetimeTests
{
    private static long SettledHandleCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return Tensor.NativeHandleCount;
    }

    [Fact]
    public void Forward_loop_in_dispose_scopes_leaves_no_live_handles()
    {
        using var net = new SmallNet();
        using var x = randn(2, 3, 8, 8);
        net.eval();
        // Warm up once so lazily created state exists before counting.
        using (NewDisposeScope()) net.call(x);
        var before = SettledHandleCount();
        for (int i = 0; i < 20; i++) {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var y = net.call(x);
            var p = y.softmax(1);
            Assert.Equal(2, p.shape[0]);
        }
        Assert.Equal(before, SettledHandleCount());
    }
}
