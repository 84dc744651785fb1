using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Elaboration;

namespace ArchDsl.Analysis
{
    /// <summary>One state-dict entry: key, shape and whether it is a buffer (not a parameter).</summary>
    public sealed record StateEntry(string Key, ImmutableArray<long> Shape, bool IsBuffer)
    {
        public long Elements
        {
            get
            {
                long n = 1;
                foreach (var d in Shape) n = checked(n * d);
                return n;
            }
        }
    }

    /// <summary>Costs of one op. MACs count conv and linear multiply-adds only (torchvision oracle convention);
    /// memory access is ShuffleNet V2's: elements read and written, inputs + outputs + weights.</summary>
    public sealed record OpCost(long Params, long Macs, long MemoryAccess, long ElementwiseOps, ImmutableArray<StateEntry> State);

    /// <summary>Every count is checked: one that does not fit in 64 bits throws <see cref="System.OverflowException"/>,
    /// which <see cref="NetworkAnalyzer"/> reports as ARCH0018 at the layer (never a wrapped number).</summary>
    public static class CostModel
    {
        /// <summary>State-dict entries a layer registers (in PyTorch's order: parameters, then buffers).</summary>
        public static ImmutableArray<StateEntry> StateOf(string path, LayerConfig c)
        {
            string P(string leaf) => path + "." + leaf;
            switch (c.Kind)
            {
                case LayerKind.Conv:
                {
                    var list = new List<StateEntry> { new StateEntry(P("weight"), ImmutableArray.Create(c.Out, c.InChannels / c.Groups, c.Kernel.H, c.Kernel.W), false) };
                    if (c.Bias) list.Add(new StateEntry(P("bias"), ImmutableArray.Create(c.Out), false));
                    return list.ToImmutableArray();
                }
                case LayerKind.Linear:
                {
                    var list = new List<StateEntry> { new StateEntry(P("weight"), ImmutableArray.Create(c.Out, c.InChannels), false) };
                    if (c.Bias) list.Add(new StateEntry(P("bias"), ImmutableArray.Create(c.Out), false));
                    return list.ToImmutableArray();
                }
                case LayerKind.BatchNorm:
                    return ImmutableArray.Create(
                        new StateEntry(P("weight"), ImmutableArray.Create(c.Out), false),
                        new StateEntry(P("bias"), ImmutableArray.Create(c.Out), false),
                        new StateEntry(P("running_mean"), ImmutableArray.Create(c.Out), true),
                        new StateEntry(P("running_var"), ImmutableArray.Create(c.Out), true),
                        new StateEntry(P("num_batches_tracked"), ImmutableArray<long>.Empty, true));
                default:
                    return ImmutableArray<StateEntry>.Empty;
            }
        }

        public static OpCost Cost(ElaboratedOp op)
        {
            checked
            {
                long inputs = 0;
                foreach (var i in op.Inputs) inputs += i.Elements;
                long output = op.Output.Elements;
                if (op.Kind != OpKind.Layer || op.Config == null)
                    return new OpCost(0, 0, inputs + output, op.Kind == OpKind.Concat || op.Kind == OpKind.Split ? 0 : output, ImmutableArray<StateEntry>.Empty);
                var c = op.Config;
                var state = StateOf(op.Path, c);
                long weights = 0;
                foreach (var s in state) if (!s.IsBuffer) weights += s.Elements;
                long macs = c.Kind switch
                {
                    LayerKind.Conv => output * (c.InChannels / c.Groups) * c.Kernel.H * c.Kernel.W,
                    LayerKind.Linear => c.InChannels * c.Out,
                    _ => 0,
                };
                return new OpCost(op.Shared ? 0 : weights, macs, inputs + output + weights, 0, op.Shared ? ImmutableArray<StateEntry>.Empty : state);
            }
        }

        // Every layer row is described: the names that do not depend on arguments are made once.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<OpKind, string> Names = new();
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<LayerKind, string> LayerNames = new();

        /// <summary>A short human description: <c>conv 3x3/2 64→128</c>, <c>maxpool 3x3/2</c>, <c>linear 2048→1000</c>.</summary>
        public static string Describe(ElaboratedOp op)
        {
            if (op.Config == null) return Names.GetOrAdd(op.Kind, k => k.ToString().ToLowerInvariant());
            var c = op.Config;
            string K((long H, long W) p) => p.H == p.W ? p.H + "x" + p.H : p.H + "x" + p.W;
            string S((long H, long W) p) => p.H == 1 && p.W == 1 ? "" : "/" + (p.H == p.W ? p.H.ToString(CultureInfo.InvariantCulture) : p.H + "x" + p.W);
            string text = c.Kind switch
            {
                LayerKind.Conv => "conv " + K(c.Kernel) + S(c.Stride) + " " + c.InChannels + "->" + c.Out + (c.Groups != 1 ? " g" + c.Groups : "") + (c.Dilation != (1, 1) ? " d" + K(c.Dilation) : ""),
                LayerKind.Linear => "linear " + c.InChannels + "->" + c.Out,
                LayerKind.BatchNorm => "batchnorm " + c.Out,
                LayerKind.MaxPool => "maxpool " + K(c.Kernel) + S(c.Stride),
                LayerKind.AvgPool => "avgpool " + K(c.Kernel) + S(c.Stride),
                LayerKind.AdaptiveAvgPool => "adaptive_avgpool " + K(c.Kernel),
                LayerKind.AdaptiveMaxPool => "adaptive_maxpool " + K(c.Kernel),
                LayerKind.Dropout => "dropout " + c.P.ToString("0.###", CultureInfo.InvariantCulture),
                LayerKind.StochasticDepth => "stochastic_depth " + c.P.ToString("0.###", CultureInfo.InvariantCulture),
                LayerKind.ChannelShuffle => "shuffle " + c.Groups,
                _ => LayerNames.GetOrAdd(c.Kind, k => Primitives.All.FirstOrDefault(p => p.Kind == k)?.Name ?? k.ToString().ToLowerInvariant()),
            };
            return op.Shared ? text + " (shared)" : text;
        }
    }
}
