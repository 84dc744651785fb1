using System.Collections.Generic;
using ArchDsl.Binding;
using ArchDsl.Elaboration;

namespace ArchDsl.Analysis
{
    /// <summary>The tensors of one elaborated network that the op reading them may overwrite, changing no result and no
    /// gradient: torchvision's <c>ReLU(inplace=True)</c> and <c>out += identity</c> rely on the same two facts.</summary>
    /// <remarks>A tensor may be overwritten when:
    /// <list type="bullet">
    /// <item>its producer wrote it into new memory that the producer's backward never reads: a layer the table marks
    /// <see cref="Layers.LayerRule.WritesFreshResult"/> (a convolution, linear layer or batch norm, whose backward keeps
    /// their inputs, not their result), or a tensor sum, product or concatenation of more than one input (their
    /// backward keeps the inputs or nothing; with one input the result may be that input passed through);</item>
    /// <item>exactly one op reads it, and it is not the network's input or output, an auxiliary or named output, or
    /// either side of a channel split (a part is a view of the whole).</item>
    /// </list>
    /// Anything that runs later and needs the old values would otherwise read the new ones; autograd checks the first
    /// fact at backward ("modified by an inplace operation"), nothing checks the second.</remarks>
    public sealed class Overwritable
    {
        private readonly Dictionary<Feature, ElaboratedOp> _producer = new Dictionary<Feature, ElaboratedOp>(NodeComparer<Feature>.Instance);
        private readonly Dictionary<Feature, int> _readers = new Dictionary<Feature, int>(NodeComparer<Feature>.Instance);
        private readonly HashSet<Feature> _heldElsewhere = new HashSet<Feature>(NodeComparer<Feature>.Instance);

        public Overwritable(ElaboratedNetwork network)
        {
            foreach (var op in network.Ops)
            {
                _producer[op.Output] = op;
                foreach (var input in op.Inputs) _readers[input] = _readers.TryGetValue(input, out var n) ? n + 1 : 1;
            }
            _heldElsewhere.Add(network.Output);
            _heldElsewhere.Add(network.Input);
            foreach (var (_, aux) in network.AuxOutputs) _heldElsewhere.Add(aux);
            foreach (var (_, named) in network.NamedOutputs) _heldElsewhere.Add(named);
            foreach (var (part, whole) in network.Splits) { _heldElsewhere.Add(part); _heldElsewhere.Add(whole); }
        }

        /// <summary>Whether the one op that reads <paramref name="tensor"/> may write its result into it.</summary>
        public bool Contains(Feature tensor) =>
            !_heldElsewhere.Contains(tensor) && _readers.TryGetValue(tensor, out var n) && n == 1
            && _producer.TryGetValue(tensor, out var made) && WritesFreshResult(made);

        private static bool WritesFreshResult(ElaboratedOp op) => op.Kind switch
        {
            OpKind.Layer => Layers.LayerTable.Of(op.Config!.Kind).WritesFreshResult,
            OpKind.Add or OpKind.Mul or OpKind.Concat => op.Inputs.Length > 1,
            _ => false,
        };
    }
}
