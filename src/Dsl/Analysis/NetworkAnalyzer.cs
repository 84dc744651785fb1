using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Elaboration;

namespace ArchDsl.Analysis
{
    /// <summary>Everything the front end knows about one elaborated network: the summary table, the state
    /// dict, the totals and the receptive field.</summary>
    public sealed record NetworkReport(
        NetworkSummary Summary,
        ImmutableArray<StateEntry> StateDict,
        long BufferElements,
        long ElementwiseOps,
        long ReceptiveField,
        ImmutableArray<(string Name, ImmutableArray<long> Shape)> AuxOutputs,
        ElaboratedNetwork Network);

    public static class NetworkAnalyzer
    {
        private static bool InAuxHead(List<string> auxNames, string path)
        {
            foreach (var n in auxNames)
                if (path == n || (path.Length > n.Length && path[n.Length] == '.' && path.StartsWith(n, System.StringComparison.Ordinal))) return true;
            return false;
        }

        /// <summary>As <see cref="Analyze"/>; a count that does not fit in 64 bits is ARCH0018 at the layer whose count
        /// (or whose addition to the network's totals) overflowed, and the result null.</summary>
        public static NetworkReport? Analyze(ElaboratedNetwork network, Diagnostics.DiagnosticBag diagnostics)
        {
            try
            {
                return Analyze(network);
            }
            catch (CountOverflowException e)
            {
                diagnostics.Report(Diagnostics.DiagnosticCatalogue.InvalidValue, e.Op.SourcePath, e.Op.Span,
                    "Integer overflow: the parameters, multiply-adds or memory access of '" + e.Op.Path + "' (or the network's total with them) do not fit in 64 bits");
                return null;
            }
        }

        /// <summary>The op whose counts overflowed.</summary>
        private sealed class CountOverflowException : System.Exception
        {
            public CountOverflowException(ElaboratedOp op) { Op = op; }
            public ElaboratedOp Op { get; }
        }

        /// <summary>A module's own parameters (a learnable tensor registered under its name) come before its children's
        /// entries in PyTorch's state dict, wherever the forward uses them: torchvision's <c>features.1.0.layer_scale</c>
        /// precedes <c>features.1.0.block.0.weight</c>.</summary>
        private static void InsertOwnParameters(ImmutableArray<StateEntry>.Builder state, string path, ImmutableArray<StateEntry> entries)
        {
            int dot = path.LastIndexOf('.');
            var owner = dot < 0 ? "" : path.Substring(0, dot + 1);
            int at = state.Count;
            for (int i = 0; i < state.Count; i++)
                if (state[i].Key.StartsWith(owner, System.StringComparison.Ordinal) && state[i].Key.IndexOf('.', owner.Length) >= 0) { at = i; break; }
            foreach (var e in entries) state.Insert(at++, e);
        }

        /// <summary>Throws <see cref="CountOverflowException"/> where a count overflows; see <see cref="Analyze(ElaboratedNetwork, Diagnostics.DiagnosticBag)"/>.</summary>
        private static NetworkReport Analyze(ElaboratedNetwork network)
        {
            var rows = ImmutableArray.CreateBuilder<LayerRow>(network.Ops.Length);
            var state = ImmutableArray.CreateBuilder<StateEntry>();
            long parameters = 0, macs = 0, memory = 0, activations = 0, elementwise = 0, buffers = 0;
            // Auxiliary heads run only in training: their parameters count, their work does not (inference totals).
            var auxNames = network.AuxOutputs.Select(a => a.Name).ToList();
            foreach (var op in network.Ops)
            {
                try
                {
                    checked
                    {
                        var cost = CostModel.Cost(op);
                        parameters += cost.Params;
                        if (op.Config != null && Layers.LayerTable.Of(op.Config.Kind).IsParameter) InsertOwnParameters(state, op.Path, cost.State);
                        else state.AddRange(cost.State);
                        foreach (var s in cost.State) if (s.IsBuffer) buffers += s.Elements;
                        rows.Add(new LayerRow(op.Path, CostModel.Describe(op), op.Output.Shape, cost.Params, cost.Macs, cost.MemoryAccess));
                        if (InAuxHead(auxNames, op.Path)) continue;
                        macs += cost.Macs;
                        memory += cost.MemoryAccess;
                        elementwise += cost.ElementwiseOps;
                        activations += op.Output.Elements;
                    }
                }
                catch (System.OverflowException)
                {
                    throw new CountOverflowException(op);
                }
            }
            var stateDict = state.ToImmutable();
            var def = network.Network;
            var (line, _) = new Text.LineMap(def.File.Text).Locate(def.Syntax.Span.Start);
            var summary = new NetworkSummary(
                network.Name, def.File.Path, line, network.Input.Shape, network.Output.Shape,
                parameters, stateDict.Count(s => s.IsBuffer), macs, memory, activations, network.Reference, rows.ToImmutable())
            {
                BufferElements = buffers,
                StateDictKeys = stateDict.Length,
                NamedOutputs = network.NamedOutputs.Select(o => new OutputShape(o.Name, o.Output.Shape)).ToImmutableArray(),
            };
            return new NetworkReport(summary, stateDict, buffers, elementwise,
                network.Output.Field, network.AuxOutputs.Select(a => (a.Name, a.Output.Shape)).ToImmutableArray(), network);
        }
    }
}
