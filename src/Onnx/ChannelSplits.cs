using System.Collections.Generic;
using System.Linq;
using ArchDsl.Elaboration;

namespace ArchDsl.Onnx
{
    /// <summary>
    /// Which part of a channel split each op reads. The elaborated graph gives every branch of a split the same part
    /// object (<see cref="ElaboratedNetwork.Splits"/>: part and whole); branch i is the one whose result is the
    /// concatenation's input i. So an op reading a part reads chunk i when it lies on the path from the part to that
    /// concatenation input; a branch that is the identity hands the part itself to the concatenation, as input i.
    /// </summary>
    internal sealed class ChannelSplits
    {
        public readonly record struct Part(Feature Whole, int Index, int Count);

        private readonly Dictionary<(ElaboratedOp Op, int Input), Part> _parts = new Dictionary<(ElaboratedOp, int), Part>();

        public ChannelSplits(ElaboratedNetwork network)
        {
            if (network.Splits.IsDefaultOrEmpty) return;
            var producer = new Dictionary<Feature, ElaboratedOp>(ReferenceEqualityComparer.Instance);
            var position = new Dictionary<ElaboratedOp, int>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < network.Ops.Length; i++)
            {
                producer[network.Ops[i].Output] = network.Ops[i];
                position[network.Ops[i]] = i;
            }
            foreach (var (part, whole) in network.Splits)
            {
                int count = (int)(whole.Channels / part.Channels);
                // The split's concatenation: the first concat after the part's first reader with as many inputs as parts,
                // each of which is the part or reaches back to it.
                var readers = network.Ops.Where(o => o.Inputs.Any(f => ReferenceEquals(f, part))).ToList();
                if (readers.Count == 0) continue;
                int first = position[readers[0]];
                ElaboratedOp? concat = null;
                List<HashSet<ElaboratedOp>>? branches = null;
                for (int i = first; i < network.Ops.Length && concat == null; i++)
                {
                    var candidate = network.Ops[i];
                    if (candidate.Kind != OpKind.Concat || candidate.Inputs.Length != count) continue;
                    var sets = candidate.Inputs.Select(f => Ancestors(f, part, first, producer, position)).ToList();
                    if (sets.All(s => s != null)) { concat = candidate; branches = sets!; }
                }
                if (concat == null || branches == null) continue;
                for (int b = 0; b < count; b++)
                {
                    if (ReferenceEquals(concat.Inputs[b], part)) _parts[(concat, b)] = new Part(whole, b, count);
                    foreach (var op in branches[b])
                        for (int k = 0; k < op.Inputs.Length; k++)
                            if (ReferenceEquals(op.Inputs[k], part)) _parts[(op, k)] = new Part(whole, b, count);
                }
            }
        }

        public Part? PartOf(ElaboratedOp op, int input) => _parts.TryGetValue((op, input), out var p) ? p : null;

        /// <summary>The ops between <paramref name="part"/> and <paramref name="f"/> that read the part directly; null when
        /// <paramref name="f"/> does not come from the part. The walk stops at ops before the part's first reader.</summary>
        private static HashSet<ElaboratedOp>? Ancestors(Feature f, Feature part, int first,
            Dictionary<Feature, ElaboratedOp> producer, Dictionary<ElaboratedOp, int> position)
        {
            var readers = new HashSet<ElaboratedOp>(ReferenceEqualityComparer.Instance);
            if (ReferenceEquals(f, part)) return readers;
            bool reaches = false;
            var seen = new HashSet<Feature>(ReferenceEqualityComparer.Instance);
            var stack = new Stack<Feature>();
            stack.Push(f);
            while (stack.Count > 0)
            {
                var v = stack.Pop();
                if (!seen.Add(v) || !producer.TryGetValue(v, out var op) || position[op] < first) continue;
                foreach (var input in op.Inputs)
                {
                    if (ReferenceEquals(input, part)) { readers.Add(op); reaches = true; }
                    else stack.Push(input);
                }
            }
            return reaches ? readers : null;
        }
    }
}
