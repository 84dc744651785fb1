using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Elaboration;
using TorchSharp;
using static TorchSharp.torch;

namespace ArchDsl.Onnx
{
    /// <summary>
    /// Weights for an export without a weight file: each layer of the elaborated network built as the TorchSharp layer
    /// the generated class uses (Conv2d, Linear, BatchNorm2d), in execution order after <c>torch.manual_seed(seed)</c>,
    /// so its parameters have TorchSharp's default initialisation. The values differ from a generated instance's (its
    /// construction order, and any <c>bias_init</c>, differ): these are for checking a graph, not for inference.
    /// </summary>
    public static class DefaultWeights
    {
        public static Dictionary<string, Tensor> Create(ElaboratedNetwork network, long seed = 0)
        {
            torch.manual_seed(seed);
            var state = new Dictionary<string, Tensor>(System.StringComparer.Ordinal);
            foreach (var op in network.Ops)
            {
                if (op.Kind != OpKind.Layer || op.Shared || op.Config is not { } c) continue;
                nn.Module? layer = c.Kind switch
                {
                    LayerKind.Conv => nn.Conv2d(c.InChannels, c.Out, (c.Kernel.H, c.Kernel.W), stride: (c.Stride.H, c.Stride.W),
                        padding: (c.Padding.H, c.Padding.W), dilation: (c.Dilation.H, c.Dilation.W), groups: c.Groups, bias: c.Bias),
                    LayerKind.Linear => nn.Linear(c.InChannels, c.Out, c.Bias),
                    LayerKind.BatchNorm => nn.BatchNorm2d(c.Out, c.Eps, c.Momentum),
                    LayerKind.LayerNorm or LayerKind.LayerNorm2d => nn.LayerNorm(c.Out, c.Eps),
                    _ => null,
                };
                if (c.Kind == LayerKind.Scale)
                {
                    var entry = Analysis.CostModel.StateOf(op.Path, c)[0];
                    state[entry.Key] = torch.full(entry.Shape.ToArray(), c.Alpha);
                    continue;
                }
                if (layer == null) continue;
                // Copies: the layer's own tensors go when the layer is collected.
                using (layer)
                    foreach (var (key, value) in layer.state_dict()) state[op.Path + "." + key] = value.detach().clone();
            }
            return state;
        }
    }
}
