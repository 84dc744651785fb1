using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Engine.Tests;

/// <summary>Tensor creation, shape operations, indexing and dispose scopes.</summary>
public class TensorApiTests
{
    private static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void Factories_give_requested_shapes_types_and_values()
    {
        using var z = zeros(2, 3);
        using var o = ones(new long[] { 4 }, ScalarType.Float64);
        using var f = full(new long[] { 2, 2 }, 7);
        using var r = arange(0, 6, 2);
        Assert.Equal(new long[] { 2, 3 }, z.shape);
        Assert.Equal(ScalarType.Float32, z.dtype);
        Assert.Equal(ScalarType.Float64, o.dtype);
        Assert.Equal(ScalarType.Int64, f.dtype);
        Assert.Equal(new long[] { 0, 2, 4 }, r.data<long>().ToArray());
        using var e = empty(3, 4);
        Assert.Equal(12, e.numel());
        using var m = from_array(new float[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(new long[] { 2, 2 }, m.shape);
        Assert.Equal(3f, m[1, 0].item<float>());
    }

    [Fact]
    public void Cat_stack_chunk_and_split_match_pytorch_semantics()
    {
        using var a = arange(6, dtype: ScalarType.Float32).view(2, 3);
        using var b = a.mul(10);
        using var c = cat(new[] { a, b }, 1);
        Assert.Equal(new long[] { 2, 6 }, c.shape);
        using var s = stack(new[] { a, b }, 0);
        Assert.Equal(new long[] { 2, 2, 3 }, s.shape);
        var chunks = c.chunk(3, 1);
        Assert.Equal(3, chunks.Length);
        Assert.All(chunks, t => Assert.Equal(new long[] { 2, 2 }, t.shape));
        var parts = c.split(new long[] { 1, 5 }, 1);
        Assert.Equal(new long[] { 2, 5 }, parts[1].shape);
        var even = c.split(4, 1);
        Assert.Equal(new long[] { 4, 2 }, even.Select(t => t.shape[1]).ToArray());
        foreach (var t in chunks.Concat(parts).Concat(even)) t.Dispose();
    }

    [Fact]
    public void Indexing_with_integers_slices_ellipsis_and_masks()
    {
        using var x = arange(24, dtype: ScalarType.Float32).view(2, 3, 4);
        using var row = x[1];
        Assert.Equal(new long[] { 3, 4 }, row.shape);
        using var slice = x[TensorIndex.Ellipsis, TensorIndex.Slice(1, 3)];
        Assert.Equal(new long[] { 2, 3, 2 }, slice.shape);
        Assert.Equal(1f, slice[0, 0, 0].item<float>());
        using var ranged = x[.., 1..];
        Assert.Equal(new long[] { 2, 2, 4 }, ranged.shape);
        using var mask = x.gt(20);
        using var picked = x[mask];
        Assert.Equal(new float[] { 21, 22, 23 }, Values(picked));
        x[0, 0] = zeros(4);
        Assert.Equal(0f, x[0, 0, 3].item<float>());
        using var last = x[TensorIndex.Single(-1), TensorIndex.Single(-1), TensorIndex.Single(-1)];
        Assert.Equal(23f, last.item<float>());
    }

    [Fact]
    public void Where_equal_allclose_and_bernoulli()
    {
        using var a = tensor(new float[] { 1, -2, 3 });
        using var zero = zeros_like(a);
        using var cond = a.gt(0);
        using var w = where(cond, a, zero);
        Assert.Equal(new float[] { 1, 0, 3 }, Values(w));
        using var b = a.clone();
        Assert.True(equal(a, b));
        using var c = a.add(1e-7);
        Assert.True(allclose(a, c));
        using var p = full(new long[] { 1000 }, 0.5, ScalarType.Float32);
        using var draws = bernoulli(p);
        var mean = draws.mean().ToDouble();
        Assert.InRange(mean, 0.4, 0.6);
    }

    [Fact]
    public void Backward_accumulates_gradients_and_zero_grad_clears_them()
    {
        using var w = tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        for (int i = 0; i < 2; i++) {
            using var loss = w.mul(w).sum();
            loss.backward();
        }
        using (var g = w.grad!) Assert.Equal(new float[] { 4, 8, 12 }, Values(g));
        using var module = nn.Linear(3, 1);
        using var x = ones(2, 3);
        using (var y = module.call(x).sum()) y.backward();
        Assert.All(module.parameters(), p => { using var g = p.grad; Assert.NotNull(g); });
        module.zero_grad();
        Assert.All(module.parameters(), p => Assert.Null(p.grad));
    }

    [Fact]
    public void Dispose_scope_frees_what_it_created_except_what_moves_out()
    {
        Tensor kept, dropped;
        using (var scope = NewDisposeScope()) {
            dropped = randn(3);
            kept = randn(3).MoveToOuterDisposeScope();
            Assert.Equal(1, scope.DisposablesCount);
        }
        Assert.True(dropped.IsInvalid);
        Assert.False(kept.IsInvalid);
        kept.Dispose();
        kept.Dispose();   // a second dispose is a no-op, never a double free
        Assert.True(kept.IsInvalid);
    }

    [Fact]
    public void Nested_scopes_hand_results_outwards()
    {
        using var outer = NewDisposeScope();
        Tensor inner;
        using (NewDisposeScope()) {
            inner = ones(2).MoveToOuterDisposeScope();
        }
        Assert.True(outer.Contains(inner));
        Assert.False(inner.IsInvalid);
    }

    [Fact]
    public void Disposed_tensor_use_throws_instead_of_crashing()
    {
        var t = ones(2);
        t.Dispose();
        Assert.Throws<InvalidOperationException>(() => t.sum());
    }

    [Fact]
    public void Parameters_created_inside_a_scope_survive_it()
    {
        nn.Module model;
        using (NewDisposeScope()) {
            model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2));
        }
        using (model) Assert.All(model.state_dict().Values, t => Assert.False(t.IsInvalid));
    }

    [Fact]
    public void Dtype_conversion_of_a_module_keeps_its_fields_valid()
    {
        using var linear = nn.Linear(3, 2);
        linear.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, linear.weight.dtype);
        Assert.True(linear.weight.requires_grad);
        using var x = ones(new long[] { 1, 3 }, ScalarType.Float64);
        using var y = linear.call(x);
        Assert.Equal(ScalarType.Float64, y.dtype);
    }
}
