using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Elaboration;

namespace ArchDsl.Analysis
{
    /// <summary>One state-dict entry: key, shape and whether it is a buffer (not a parameter), and how the frameworks'
    /// layer initialises it (what an export without a weight file starts from).</summary>
    public sealed record StateEntry(string Key, ImmutableArray<long> Shape, bool IsBuffer)
    {
        public Layers.StateInit Init { get; init; }

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
        public static ImmutableArray<StateEntry> StateOf(string path, LayerConfig c) => Layers.LayerTable.Of(c.Kind).State(path, c);

        public static OpCost Cost(ElaboratedOp op)
        {
            checked
            {
                long inputs = 0;
                foreach (var i in op.Inputs) inputs += i.Elements;
                long output = op.Output.Elements;
                // Resizing reads the tensor it resizes; of the other tensor only the size.
                if (op.Kind == OpKind.Resize) return new OpCost(0, 0, op.Inputs[0].Elements + output, 0, ImmutableArray<StateEntry>.Empty);
                if (op.Kind != OpKind.Layer || op.Config == null)
                    return new OpCost(0, 0, inputs + output, op.Kind == OpKind.Concat || op.Kind == OpKind.Split ? 0 : output, ImmutableArray<StateEntry>.Empty);
                var c = op.Config;
                var state = StateOf(op.Path, c);
                long weights = 0;
                foreach (var s in state) if (!s.IsBuffer) weights += s.Elements;
                long macs = Layers.LayerTable.Of(c.Kind).Macs(c, output);
                return new OpCost(op.Shared ? 0 : weights, macs, inputs + output + weights, 0, op.Shared ? ImmutableArray<StateEntry>.Empty : state);
            }
        }

        // Every layer row is described: the names that do not depend on arguments are made once.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<OpKind, string> Names = new();

        /// <summary>A short human description: <c>conv 3x3/2 64→128</c>, <c>maxpool 3x3/2</c>, <c>linear 2048→1000</c>.</summary>
        public static string Describe(ElaboratedOp op)
        {
            if (op.Kind == OpKind.Resize && op.Config != null)
                return Layers.LayerTable.Of(op.Config.Kind).Name + " to " + op.Config.Kernel.H + "x" + op.Config.Kernel.W + (op.Config.AlignCorners ? " (align_corners)" : "");
            if (op.Config == null) return Names.GetOrAdd(op.Kind, k => k.ToString().ToLowerInvariant());
            var rule = Layers.LayerTable.Of(op.Config.Kind);
            string text = rule.Describe?.Invoke(op.Config) ?? rule.Name;
            return op.Shared ? text + " (shared)" : text;
        }
    }
}
