using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Analysis;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Elaboration;
using ArchDsl.Text;

namespace ArchDsl
{
    /// <summary>One file's analysis elaborates each distinct (network, argument values) once: a variant whose parameters,
    /// defaults filled in, take the values of a network or variant already analysed without a diagnostic is that report
    /// under the variant's own name and reference. (A 200,000-layer network with its defaults and a variant giving the
    /// same value were elaborated and analysed twice.) A run that reported anything is not reused, so every diagnostic
    /// keeps the place and context its own elaboration gives it.</summary>
    internal sealed class ReportReuse
    {
        private readonly BoundProgram _program;
        private readonly WorkBudget _budget;
        private readonly List<NetworkReport> _clean = new List<NetworkReport>();

        public ReportReuse(BoundProgram program, WorkBudget budget)
        {
            _program = program;
            _budget = budget;
        }

        /// <summary>Runs <paramref name="analyse"/> (elaboration and analysis), keeping its report for reuse when it
        /// reported nothing into <paramref name="bag"/>.</summary>
        public NetworkReport? Remember(DiagnosticBag bag, Func<NetworkReport?> analyse)
        {
            int before = bag.Items.Count;
            var report = analyse();
            if (report != null && bag.Items.Count == before) _clean.Add(report);
            return report;
        }

        /// <summary>The report of an earlier clean run of <paramref name="network"/> whose parameter values equal those
        /// <paramref name="arguments"/> give, renamed; null when there is none.</summary>
        public NetworkReport? Find(DefinitionSymbol network, IReadOnlyDictionary<string, (Value Value, TextSpan Span, string Path)> arguments,
            string name, string? reference)
        {
            if (!_clean.Any(r => ReferenceEquals(r.Network.Network, network))) return null;
            var values = Elaborator.Arguments(_program, network, arguments, _budget);
            if (values == null) return null;
            var same = _clean.FirstOrDefault(r => ReferenceEquals(r.Network.Network, network) && SameValues(r.Network.Arguments, values));
            if (same == null) return null;
            return same with
            {
                Summary = same.Summary with { Name = name, Reference = reference },
                Network = same.Network with { Name = name, Reference = reference },
            };
        }

        private static bool SameValues(ImmutableDictionary<string, Value> a, ImmutableDictionary<string, Value> b) =>
            a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && Same(p.Value, v));

        /// <summary>Equal values of the same kind; floats bit for bit (0.0 and -0.0 print differently).</summary>
        private static bool Same(Value a, Value b) => (a, b) switch
        {
            (FloatValue x, FloatValue y) => BitConverter.DoubleToInt64Bits(x.Value) == BitConverter.DoubleToInt64Bits(y.Value),
            (ListValue x, ListValue y) => x.Items.Length == y.Items.Length && x.Items.Zip(y.Items, Same).All(s => s),
            _ => a.Equals(b),
        };
    }
}
