using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Elaboration;

namespace ArchDsl.Analysis
{
    /// <summary>Which activation layers may overwrite their input, as torchvision's <c>ReLU(inplace=True)</c> does:
    /// one activation map fewer per layer at inference, and less memory traffic. Decided on the elaborated data flow of
    /// every network of a file, so the generated class is the same for all of them.</summary>
    /// <remarks>An activation may run in place when, in every instance of the layer (and every re-use of its module):
    /// <list type="bullet">
    /// <item>the layer table says it may (<see cref="Layers.LayerRule.MayRunInPlace"/>: a ReLU or ReLU6, whose backward
    /// needs only their result, which is what overwriting leaves);</item>
    /// <item>its input was just made by a layer whose result is new memory its backward does not read
    /// (<see cref="Layers.LayerRule.WritesFreshResult"/>: a convolution, linear layer or batch norm), or by a tensor sum,
    /// product or concatenation of more than one input;</item>
    /// <item>nothing else reads that input: it is the input of no other op, not an output or auxiliary output of the
    /// network, and not cut by a channel split.</item>
    /// </list></remarks>
    public static class InPlaceActivations
    {
        /// <summary>The activation calls, as (source path, start of the call's span), whose module may be built in
        /// place: each one's every elaborated instance passes the rules above (a call never elaborated is left out).</summary>
        public static ImmutableHashSet<(string Path, int Start)> Sites(IEnumerable<ElaboratedNetwork> networks)
        {
            var verdicts = new Dictionary<(string, int), bool>();
            foreach (var network in networks)
            {
                var producer = new Dictionary<Feature, ElaboratedOp>(NodeComparer<Feature>.Instance);
                var readers = new Dictionary<Feature, int>(NodeComparer<Feature>.Instance);
                foreach (var op in network.Ops)
                {
                    producer[op.Output] = op;
                    foreach (var input in op.Inputs) readers[input] = readers.TryGetValue(input, out var n) ? n + 1 : 1;
                }
                var heldElsewhere = new HashSet<Feature>(NodeComparer<Feature>.Instance) { network.Output, network.Input };
                foreach (var (_, aux) in network.AuxOutputs) heldElsewhere.Add(aux);
                foreach (var (_, named) in network.NamedOutputs) heldElsewhere.Add(named);
                foreach (var (part, whole) in network.Splits) { heldElsewhere.Add(part); heldElsewhere.Add(whole); }

                bool Safe(ElaboratedOp op)
                {
                    var input = op.Inputs.Length == 1 ? op.Inputs[0] : null;
                    return input != null && !heldElsewhere.Contains(input) && readers[input] == 1
                        && producer.TryGetValue(input, out var made) && MakesFreshResult(made);
                }

                // A module re-used (Shared) runs in place only if every use may; its construction is the first use.
                foreach (var module in network.Ops.Where(o => o.Kind == OpKind.Layer && Layers.LayerTable.Of(o.Config!.Kind).MayRunInPlace).GroupBy(o => o.Path))
                {
                    var construction = module.FirstOrDefault(o => !o.Shared);
                    if (construction == null) continue;
                    var site = (construction.SourcePath, construction.Span.Start);
                    bool safe = module.All(Safe);
                    verdicts[site] = verdicts.TryGetValue(site, out var before) ? before && safe : safe;
                }
            }
            return verdicts.Where(v => v.Value).Select(v => v.Key).ToImmutableHashSet();
        }

        private static bool MakesFreshResult(ElaboratedOp op) => op.Kind switch
        {
            OpKind.Layer => Layers.LayerTable.Of(op.Config!.Kind).WritesFreshResult,
            OpKind.Add or OpKind.Mul or OpKind.Concat => op.Inputs.Length > 1,   // one input may be passed through as it is
            _ => false,
        };
    }
}
