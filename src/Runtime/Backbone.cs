using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>One intermediate feature a network can return as a backbone (timm's <c>feature_info</c> entry): its
    /// position among the network's taps, the module whose output it is (a path in the state dict's naming), its
    /// channels, its reduction (the input's size over the feature's: the product of the strides before it) and its
    /// [C, H, W] at the declared input. All of it is known from the .arch description, before any tensor exists.</summary>
    public sealed record FeatureTap(int Index, string Module, long Channels, long Reduction, long[] Shape)
    {
        public override string ToString() =>
            Index.ToString(CultureInfo.InvariantCulture) + ": " + Module + " " + NetworkMetadata.Shape(Shape) + ", reduction " + Reduction.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A feature returned by <see cref="Backbone.Features"/>: the tap it came from and the tensor, [N, C, H, W].
    /// The caller owns the tensor (it joins the caller's dispose scope, if one is open).</summary>
    public sealed record FeatureMap(FeatureTap Tap, Tensor Tensor);

    /// <summary>What every generated network offers as a backbone: its body and head as separate passes, its taps, and
    /// a classifier that can be reset to another class count without rebuilding the body.</summary>
    public interface IBackbone
    {
        /// <summary>The taps of this instance's class, one per stage (the last module at each reduction before the head).</summary>
        IReadOnlyList<FeatureTap> FeatureTaps { get; }

        /// <summary>The path of the layer <see cref="ResetClassifier"/> replaces, or null when the network has no head.</summary>
        string? ClassifierPath { get; }

        /// <summary>The body: the input's last feature map, before the head.</summary>
        Tensor forward_features(Tensor input);

        /// <summary>The head (global pooling, flatten, classifier) applied to what <see cref="forward_features"/> returns.</summary>
        Tensor forward_head(Tensor features);

        /// <summary>A fresh classifier for <paramref name="numClasses"/> classes; the body's parameters are untouched.</summary>
        void ResetClassifier(long numClasses);
    }

    /// <summary>Backbone operations over any generated network.</summary>
    public static class Backbone
    {
        /// <summary>The taps chosen by <paramref name="outIndices"/> (positions in <see cref="IBackbone.FeatureTaps"/>;
        /// negative ones count from the end, -1 the last); all taps when none is given. Each index may appear once.</summary>
        public static IReadOnlyList<FeatureTap> Select(IReadOnlyList<FeatureTap> taps, IReadOnlyList<int>? outIndices)
        {
            ArgumentNullException.ThrowIfNull(taps);
            if (taps.Count == 0) throw new InvalidOperationException("This network has no feature taps (its .arch defaults were not analysed; use a variant).");
            if (outIndices == null || outIndices.Count == 0) return taps;
            var chosen = new List<FeatureTap>();
            foreach (var index in outIndices)
            {
                int resolved = index < 0 ? taps.Count + index : index;
                if (resolved < 0 || resolved >= taps.Count)
                    throw new ArgumentOutOfRangeException(nameof(outIndices), index,
                        "out index " + index.ToString(CultureInfo.InvariantCulture) + " is outside the " + taps.Count.ToString(CultureInfo.InvariantCulture)
                        + " taps (0.." + (taps.Count - 1).ToString(CultureInfo.InvariantCulture) + ", or -" + taps.Count.ToString(CultureInfo.InvariantCulture) + "..-1): "
                        + string.Join("; ", taps));
                if (chosen.Contains(taps[resolved]))
                    throw new ArgumentException("out index " + index.ToString(CultureInfo.InvariantCulture) + " names tap " + resolved.ToString(CultureInfo.InvariantCulture) + " twice", nameof(outIndices));
                chosen.Add(taps[resolved]);
            }
            return chosen;
        }

        /// <summary>Runs the body of <paramref name="network"/> once and returns the features at the chosen taps, in the
        /// order asked for. Only the body runs (not the head). Each tap's module must run once per forward, through
        /// <c>call</c>; the taps a network declares do.</summary>
        public static IReadOnlyList<FeatureMap> Features(this IBackbone network, Tensor input, params int[] outIndices)
        {
            ArgumentNullException.ThrowIfNull(network);
            ArgumentNullException.ThrowIfNull(input);
            if (network is not nn.Module root) throw new ArgumentException("a backbone must be a TorchSharp module", nameof(network));
            var taps = Select(network.FeatureTaps, outIndices);
            var modules = root.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
            var captured = new Tensor?[taps.Count];
            var removers = new List<Action>();
            using var scope = NewDisposeScope();
            try
            {
                for (int i = 0; i < taps.Count; i++)
                {
                    if (!modules.TryGetValue(taps[i].Module, out var module) || module is not nn.Module<Tensor, Tensor> hookable)
                        throw new InvalidOperationException("tap " + taps[i] + ": the network has no module '" + taps[i].Module + "' taking and returning one tensor");
                    int slot = i;
                    // An alias keeps the storage alive after the layer that reads the feature next frees its own handle.
                    var remover = hookable.register_forward_hook((m, _, output) =>
                    {
                        if (captured[slot] is null) captured[slot] = output.alias().DetachFromDisposeScope();
                        return output;
                    });
                    removers.Add(remover.remove);
                }
                network.forward_features(input);
            }
            finally
            {
                foreach (var remove in removers) remove();
            }
            var result = new List<FeatureMap>(taps.Count);
            for (int i = 0; i < taps.Count; i++)
            {
                var tensor = captured[i] ?? throw new InvalidOperationException("tap " + taps[i] + " did not run in the forward pass");
                scope.Attach(tensor);
                result.Add(new FeatureMap(taps[i], scope.MoveToOuter(tensor)));
            }
            return result;
        }

        /// <summary>Replaces the weight and bias of the classifier at <paramref name="path"/> (a linear layer, or a 1x1
        /// convolution) by freshly initialised ones for <paramref name="numClasses"/> outputs, initialised as PyTorch
        /// initialises a new layer. Keys stay as they were; the rest of the network is untouched. Used by the generated
        /// <c>ResetClassifier</c>.</summary>
        public static void ResetClassifier(nn.Module network, string? path, long numClasses)
        {
            ArgumentNullException.ThrowIfNull(network);
            if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "a classifier needs at least one class");
            if (path == null) throw new NotSupportedException("network " + network.GetName() + " has no classifier head to reset (its forward does not end in pooling and a linear layer)");
            var module = network.named_modules().FirstOrDefault(m => m.name == path).module
                ?? throw new InvalidOperationException("network " + network.GetName() + " has no module '" + path + "'");
            using var _ = no_grad();
            switch (module)
            {
                case Linear linear:
                {
                    var inFeatures = linear.weight.shape[1];
                    var (weight, bias) = FreshLayer(linear.weight, new[] { numClasses, inFeatures }, linear.bias is not null);
                    linear.weight = weight;
                    if (bias is not null) linear.bias = bias;
                    return;
                }
                case Conv2d conv when conv.weight.shape[1] == conv.in_channels:
                {
                    var shape = conv.weight.shape.ToArray();
                    shape[0] = numClasses;
                    var (weight, bias) = FreshLayer(conv.weight, shape, conv.bias is not null);
                    conv.weight = weight;
                    if (bias is not null) conv.bias = bias;
                    return;
                }
                default:
                    throw new NotSupportedException("the classifier '" + path + "' is a " + module.GetType().Name + "; only a linear layer or an ungrouped convolution can be reset");
            }
        }

        /// <summary>A weight of <paramref name="shape"/> (Kaiming-uniform with a = sqrt 5, as torch.nn.Linear and Conv2d
        /// initialise) and its bias (uniform in ±1/sqrt(fan in)), on the old weight's device and dtype; both trainable,
        /// whatever the old layer was (a new head is there to be trained).</summary>
        private static (Parameter Weight, Parameter? Bias) FreshLayer(Tensor old, long[] shape, bool hasBias)
        {
            var weight = empty(shape, dtype: old.dtype, device: old.device);
            nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            Parameter? bias = null;
            if (hasBias)
            {
                long fanIn = shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                double bound = 1 / Math.Sqrt(fanIn);
                var b = empty(shape[0], dtype: old.dtype, device: old.device);
                nn.init.uniform_(b, -bound, bound);
                bias = nn.Parameter(b);
            }
            return (nn.Parameter(weight), bias);
        }
    }
}
