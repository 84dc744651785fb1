using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Elaboration;

namespace ArchDsl.Analysis
{
    /// <summary>Where a generated class writes into a tensor it was given instead of allocating a new one: one
    /// activation map fewer per site, at inference and in training. Decided on the elaborated data flow of every network
    /// of a file, so the generated class is the same for all of them: a site is in place only when every elaborated
    /// instance of it (every network, every use of its block, every re-use of its module) may overwrite
    /// (<see cref="Overwritable"/>); a site never elaborated is left out.</summary>
    /// <param name="Activations">Activation calls, as (source path, start of the call's span), whose module is built
    /// with the framework's <c>inplace</c> flag: the layer table says the activation may run in place
    /// (<see cref="Layers.LayerRule.MayRunInPlace"/>: a ReLU or ReLU6, whose backward needs only their result, which
    /// is what overwriting leaves), and its input may be overwritten.</param>
    /// <param name="ResidualSums">Residual statements, as (source path, start of the statement's span), whose sum adds
    /// the shortcut into the body's result (<c>out += identity</c>): the body's result may be overwritten. The sum's own
    /// backward keeps nothing, so a following in-place activation stays correct.</param>
    public sealed record InPlaceSites(ImmutableHashSet<(string Path, int Start)> Activations, ImmutableHashSet<(string Path, int Start)> ResidualSums)
    {
        public static InPlaceSites None { get; } = new InPlaceSites(ImmutableHashSet<(string, int)>.Empty, ImmutableHashSet<(string, int)>.Empty);

        public static InPlaceSites Of(IEnumerable<ElaboratedNetwork> networks)
        {
            var activations = new Verdicts();
            var sums = new Verdicts();
            foreach (var network in networks)
            {
                var overwritable = new Overwritable(network);
                bool ActivationSafe(ElaboratedOp op) => op.Inputs.Length == 1 && overwritable.Contains(op.Inputs[0]);

                // A module re-used (Shared) runs in place only if every use may; its construction is the first use.
                foreach (var module in network.Ops.Where(o => o.Kind == OpKind.Layer && Layers.LayerTable.Of(o.Config!.Kind).MayRunInPlace).GroupBy(o => o.Path))
                {
                    var construction = module.FirstOrDefault(o => !o.Shared);
                    if (construction != null) activations.Add((construction.SourcePath, construction.Span.Start), module.All(ActivationSafe));
                }
                // A residual's sum is an Add of (body's result, shortcut) at the residual statement's span; a merge's
                // or an expression's Add sits at its own statement, which no residual lookup meets.
                foreach (var sum in network.Ops.Where(o => o.Kind == OpKind.Add && o.Inputs.Length == 2))
                    sums.Add((sum.SourcePath, sum.Span.Start), overwritable.Contains(sum.Inputs[0]));
            }
            return new InPlaceSites(activations.Safe(), sums.Safe());
        }

        /// <summary>Each site's verdict over all its instances: safe only if every one is.</summary>
        private sealed class Verdicts
        {
            private readonly Dictionary<(string, int), bool> _verdicts = new Dictionary<(string, int), bool>();

            public void Add((string, int) site, bool safe) =>
                _verdicts[site] = _verdicts.TryGetValue(site, out var before) ? before && safe : safe;

            public ImmutableHashSet<(string Path, int Start)> Safe() => _verdicts.Where(v => v.Value).Select(v => v.Key).ToImmutableHashSet();
        }
    }
}
