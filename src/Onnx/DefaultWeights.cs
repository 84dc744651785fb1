using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using ArchDsl.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Onnx
{
    /// <summary>
    /// Weights for an export without a weight file: each layer's state entries (the layer table's) initialised as the
    /// table says the frameworks' layers initialise them (a convolution's weight kaiming-uniform, a batch norm's scale
    /// ones, …), in execution order after <c>torch.manual_seed(seed)</c>. The values differ from a generated instance's
    /// (its construction order, and any <c>bias_init</c>, differ): these are for checking a graph, not for inference.
    /// </summary>
    public static class DefaultWeights
    {
        public static Dictionary<string, Tensor> Create(ElaboratedNetwork network, long seed = 0)
        {
            torch.manual_seed(seed);
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            foreach (var op in network.Ops)
            {
                if (op.Kind != OpKind.Layer || op.Shared || op.Config is not { } c) continue;
                foreach (var entry in CostModel.StateOf(op.Path, c)) state[entry.Key] = Initial(entry);
            }
            return state;
        }

        private static Tensor Initial(StateEntry entry)
        {
            var shape = entry.Shape.ToArray();
            var init = entry.Init;
            switch (init.Kind)
            {
                case InitKind.Zeros: return torch.zeros(shape);
                case InitKind.Ones: return torch.ones(shape);
                case InitKind.Constant: return torch.full(shape, init.Value);
                case InitKind.Counter: return torch.zeros(shape, ScalarType.Int64);
                case InitKind.KaimingUniform:
                    return torch.nn.init.kaiming_uniform_(torch.empty(shape), init.Value);
                case InitKind.FanInUniform:
                {
                    if (init.Value == 0) return torch.zeros(shape);
                    var bound = 1 / Math.Sqrt(init.Value);
                    return torch.nn.init.uniform_(torch.empty(shape), -bound, bound);
                }
                default:
                    throw new InvalidOperationException("the layer table states no initialisation for " + entry.Key);
            }
        }
    }
}
