using System;
using System.Collections.Generic;
using ArchDsl.Elaboration;

namespace ArchDsl.Analysis
{
    /// <summary>Re-runs an elaborated network's spatial arithmetic at another square input size, without
    /// elaborating it again: each op's recorded configuration applied to the replayed sizes of its inputs
    /// (<see cref="Shapes.Apply"/>), merges checked as the elaborator checks them. Cheap enough to search over
    /// every size, but only an estimate: a network whose structure reads its input size (<c>in_height</c>) may
    /// elaborate differently, so callers confirm its answer by elaborating.</summary>
    public static class InputReplay
    {
        /// <summary>Whether every op of <paramref name="network"/> still applies at <paramref name="size"/> x
        /// <paramref name="size"/> (layer arguments as elaborated at the declared size).</summary>
        public static bool Fits(ElaboratedNetwork network, long size)
        {
            var sizes = new Dictionary<Feature, Feature>(Binding.NodeComparer<Feature>.Instance);
            sizes[network.Input] = network.Input with { Height = size, Width = size };
            var wholeOf = new Dictionary<Feature, Feature>(Binding.NodeComparer<Feature>.Instance);
            foreach (var (part, whole) in network.Splits) wholeOf[part] = whole;

            Feature? Replayed(Feature f)
            {
                if (sizes.TryGetValue(f, out var r)) return r;
                // A channel split's part has the spatial size of what it was cut from.
                if (wholeOf.TryGetValue(f, out var whole) && Replayed(whole) is { } w) return sizes[f] = f with { Height = w.Height, Width = w.Width, Flat = w.Flat };
                return null;
            }

            foreach (var op in network.Ops)
            {
                var inputs = new Feature[op.Inputs.Length];
                for (int i = 0; i < inputs.Length; i++)
                    if ((inputs[i] = Replayed(op.Inputs[i])!) == null) return false;
                Feature? output;
                switch (op.Kind)
                {
                    case OpKind.Layer:
                        if (op.Config == null || inputs.Length != 1) return false;
                        output = Shapes.Apply(op.Config, inputs[0], out _, out _);
                        if (output == null) return false;
                        break;
                    case OpKind.Concat:
                    case OpKind.Add:
                    case OpKind.Mul:
                    {
                        var first = inputs[0];
                        long h = first.Height, w = first.Width;
                        foreach (var x in inputs)
                        {
                            if (x.Flat != first.Flat) return false;
                            if (x.Flat) continue;
                            bool broadcast = op.Kind != OpKind.Concat;
                            if (x.Height != h && !(broadcast && (x.Height == 1 || h == 1))) return false;
                            if (x.Width != w && !(broadcast && (x.Width == 1 || w == 1))) return false;
                            h = Math.Max(h, x.Height);
                            w = Math.Max(w, x.Width);
                        }
                        output = op.Output with { Height = h, Width = w, Flat = first.Flat };
                        break;
                    }
                    case OpKind.Resize:
                        if (inputs.Length != 2 || inputs[0].Flat || inputs[1].Flat) return false;
                        output = op.Output with { Height = inputs[1].Height, Width = inputs[1].Width };
                        break;
                    default:
                        if (inputs.Length == 0) return false;
                        output = op.Output with { Height = inputs[0].Height, Width = inputs[0].Width, Flat = inputs[0].Flat };
                        break;
                }
                sizes[op.Output] = output;
            }
            return Replayed(network.Output) != null;
        }

        /// <summary>The smallest square size in [1, <paramref name="upper"/>] at which <see cref="Fits"/> holds, by
        /// bisection (fitting is monotone for the windows and merges replayed); <paramref name="upper"/> when none smaller does.</summary>
        public static long SmallestFit(ElaboratedNetwork network, long upper) => SmallestFit(upper, size => Fits(network, size));

        /// <summary>The smallest size in [1, <paramref name="upper"/>] for which the monotone test <paramref name="fits"/>
        /// holds, by bisection; <paramref name="upper"/> when none smaller does.</summary>
        public static long SmallestFit(long upper, Func<long, bool> fits)
        {
            long lo = 1, hi = Math.Max(1, upper);
            while (lo < hi)
            {
                long mid = lo + (hi - lo) / 2;
                if (fits(mid)) hi = mid; else lo = mid + 1;
            }
            return lo;
        }
    }
}
