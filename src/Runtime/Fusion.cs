using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>
    /// Inference fusion: folds every batch norm into the convolution or linear layer that feeds it, so an
    /// eval-mode forward runs one kernel where it ran two. Opt-in, and only for inference: the folded model
    /// has no batch norm statistics left to train (its state dict loses the folded BN keys and gains conv biases).
    /// </summary>
    /// <remarks>
    /// Works on the module tree, not per network: within each module, a <see cref="BatchNorm"/> child registered
    /// directly after a convolution (or linear layer) with as many output channels as it normalises is folded into
    /// it, and replaced by <see cref="nn.Identity"/> everywhere the parent refers to it — in the child registry, in
    /// fields (generated classes hold layers as named fields) and in lists (a Sequential's steps). Generated code
    /// registers children in the order of the .arch body, so registration order is data-flow order within a block;
    /// a convolution whose output also flows elsewhere would not be followed by its batch norm in that order.
    ///
    /// Activation fusion: libtorch's eager CPU kernels have no convolution-with-activation entry point that TorchSharp
    /// exposes (only the JIT's graph fuser has one), so activations stay separate calls.
    /// </remarks>
    public static class Fusion
    {
        /// <summary>Folds every foldable batch norm in <paramref name="model"/>, puts it in eval mode, and returns
        /// how many were folded.</summary>
        public static int FoldBatchNorms(nn.Module model)
        {
            model.eval();
            int folded = 0;
            using (torch.no_grad())
                folded += FoldWithin(model);
            return folded;
        }

        /// <summary>The same as <see cref="FoldBatchNorms"/>, returning the model for chaining.</summary>
        public static T FuseForInference<T>(this T model) where T : nn.Module
        {
            FoldBatchNorms(model);
            return model;
        }

        static int FoldWithin(nn.Module parent)
        {
            int folded = 0;
            var children = parent.named_children().ToList();
            // A dataflow module's registration order is not its data flow (IDataflowModule): nothing there is folded.
            for (int i = 1; parent is not IDataflowModule && i < children.Count; i++)
            {
                var (name, child) = children[i];
                if (child is not BatchNorm bn || !Foldable(bn) || !Replaceable(parent, bn)) continue;
                var previous = children[i - 1].module;
                bool done = previous switch
                {
                    Convolution conv when !conv.transposed && conv.out_channels == bn.num_features => Fold(conv, bn),
                    Linear linear when linear.out_features == bn.num_features => Fold(linear, bn),
                    _ => false,
                };
                if (!done) continue;
                var identity = nn.Identity();
                Replace(parent, name, bn, identity);
                children[i] = (name, identity);
                bn.Dispose();
                folded++;
            }
            // A module shared by several parents (e.g. one ReLU) is visited once per parent: harmless, it has no BN.
            foreach (var (_, child) in children) folded += FoldWithin(child);
            return folded;
        }

        static bool Foldable(BatchNorm bn) => bn.track_running_stats && bn.running_mean is not null && bn.running_var is not null;

        /// <summary>y = γ(x − μ)/√(σ² + ε) + β after W·x + b: scale the output channels of W by γ/√(σ² + ε) and
        /// shift the bias. Computed in double so the fold adds no rounding beyond float32's own.</summary>
        static (Tensor scale, Tensor shift) ScaleShift(BatchNorm bn, Tensor? bias)
        {
            var mean = bn.running_mean!.to(ScalarType.Float64);
            var inv = (bn.running_var!.to(ScalarType.Float64) + bn.eps).rsqrt();
            var gamma = bn.weight?.to(ScalarType.Float64);
            var beta = bn.bias?.to(ScalarType.Float64);
            var scale = gamma is null ? inv : gamma * inv;
            var b = bias is null ? torch.zeros_like(mean) : bias.to(ScalarType.Float64);
            var shift = (b - mean) * scale;
            if (beta is not null) shift = shift + beta;
            return (scale, shift);
        }

        static bool Fold(Convolution conv, BatchNorm bn)
        {
            using var scope = torch.NewDisposeScope();
            var w = conv.weight;
            var (scale, shift) = ScaleShift(bn, conv.bias);
            var shape = new long[w.dim()];
            Array.Fill(shape, 1L);
            shape[0] = -1;
            var weight = (w.to(ScalarType.Float64) * scale.reshape(shape)).to(w.dtype);
            var bias = shift.to(w.dtype);
            conv.weight = new Parameter(weight.MoveToOuterDisposeScope(), requires_grad: false);
            conv.bias = new Parameter(bias.MoveToOuterDisposeScope(), requires_grad: false);
            return true;
        }

        static bool Fold(Linear linear, BatchNorm bn)
        {
            using var scope = torch.NewDisposeScope();
            var w = linear.weight;
            var (scale, shift) = ScaleShift(bn, linear.bias);
            var weight = (w.to(ScalarType.Float64) * scale.reshape(-1, 1)).to(w.dtype);
            var bias = shift.to(w.dtype);
            linear.weight = new Parameter(weight.MoveToOuterDisposeScope(), requires_grad: false);
            linear.bias = new Parameter(bias.MoveToOuterDisposeScope(), requires_grad: false);
            return true;
        }

        /// <summary>Whether every field of the parent that holds the batch norm could hold an Identity instead.</summary>
        static bool Replaceable(nn.Module parent, nn.Module bn) =>
            FieldsOf(parent).All(f => !ReferenceEquals(f.GetValue(parent), bn) || f.FieldType.IsAssignableFrom(typeof(Identity)));

        static IEnumerable<FieldInfo> FieldsOf(nn.Module parent)
        {
            for (var type = parent.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
                foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    yield return field;
        }

        /// <summary>Points every reference the parent holds to <paramref name="old"/> at <paramref name="replacement"/>:
        /// the registered child, instance fields and list elements of the parent's own classes.</summary>
        static void Replace(nn.Module parent, string name, nn.Module old, nn.Module replacement)
        {
            // TorchSharp refuses a second registration under a name; registering null is its way to remove one.
            // Modules registered this way (generated classes) are renamed in place; a Sequential keeps its children
            // in a list, which the loop below updates.
            if (parent is not Sequential)
            {
                parent.register_module(name, null!);
                parent.register_module(name, replacement);
            }
            foreach (var field in FieldsOf(parent))
            {
                var value = field.GetValue(parent);
                if (ReferenceEquals(value, old))
                    field.SetValue(parent, replacement);
                else if (value is IList list)
                    for (int i = 0; i < list.Count; i++)
                        if (ReferenceEquals(list[i], old)) list[i] = replacement;
            }
        }
    }
}
