using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Runtime
{
    /// <summary>One module of a summarised network: its path in the state dict's naming, its type, its depth below
    /// the root (children of the root are depth 1), the output of its first call (null when it was not called with
    /// one tensor or returned something else), and the parameters and MACs of it and everything below it.</summary>
    public sealed record ModuleRow(string Path, string Type, int Depth, long[]? OutputShape,
        long Params, long TrainableParams, long Macs, int Calls);

    /// <summary>What a forward pass shows about any TorchSharp module, hand-written or generated, in torchinfo's
    /// manner: per module its output shape, parameters (trainable and frozen) and multiply-accumulates, with rows
    /// folded to a depth. <c>Buffers</c> counts buffer elements. Generated classes also know all of this statically (<see cref="NetworkMetadata"/>); this
    /// is for modules that do not, and a check that the two agree.</summary>
    /// <remarks>MACs count convolutions (output elements × input channels per group × kernel area) and linear layers
    /// (output elements × input features), as the static counts do, per call. Only modules invoked through
    /// <c>call</c> are seen (TorchSharp runs hooks there, not in <c>forward</c>).</remarks>
    public sealed record ModuleSummary(string Name, long[] InputShape, long[] OutputShape, IReadOnlyList<ModuleRow> Rows,
        long Params, long TrainableParams, long Buffers, long Macs)
    {
        public long FrozenParams => Params - TrainableParams;

        /// <summary>Runs <paramref name="module"/> once on zeros of <paramref name="inputShape"/> (batch included), in
        /// eval mode and without autograd, and records every submodule. The module's mode is restored afterwards.</summary>
        public static ModuleSummary Of(nn.Module<Tensor, Tensor> module, params long[] inputShape)
        {
            ArgumentNullException.ThrowIfNull(module);
            if (inputShape.Length == 0 || inputShape.Any(d => d < 1))
                throw new ArgumentException($"input shape [{string.Join(", ", inputShape)}] must have positive sizes", nameof(inputShape));

            var named = module.named_modules().Where(m => m.name.Length > 0).ToList();
            var order = new List<nn.Module>();                      // first-call order, as torchinfo lists them
            var shapes = new Dictionary<nn.Module, long[]>(ReferenceEqualityComparer.Instance);
            var macs = new Dictionary<nn.Module, long>(ReferenceEqualityComparer.Instance);
            var calls = new Dictionary<nn.Module, int>(ReferenceEqualityComparer.Instance);
            var removers = new List<Action>();
            foreach (var (_, child) in named) {
                if (child is not nn.Module<Tensor, Tensor> hookable) continue;
                var remover = hookable.register_forward_hook((m, input, output) => {
                    if (!calls.TryGetValue(m, out var n)) { order.Add(m); shapes[m] = output.shape; }
                    calls[m] = n + 1;
                    macs[m] = macs.GetValueOrDefault(m) + MacsOf(m, input, output);
                    return output;
                });
                removers.Add(remover.remove);
            }

            bool training = module.training;
            long[] outputShape;
            try {
                module.eval();
                using var _ = no_grad();
                using var scope = NewDisposeScope();
                outputShape = module.call(zeros(inputShape)).shape;
            } finally {
                foreach (var remove in removers) remove();
                module.train(training);
            }

            // A row's figures include everything below it: the depth folding adds nothing up again.
            var rank = new Dictionary<nn.Module, int>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < order.Count; i++) rank[order[i]] = i;
            var rows = named
                .Select(e => (e.name, e.module, first: rank.TryGetValue(e.module, out var r) ? r : int.MaxValue))
                .OrderBy(e => e.first).ThenBy(e => e.name, StringComparer.Ordinal)
                .Select(e => {
                    var (all, trainable) = Count(e.module.parameters());
                    long below = named.Where(d => d.name == e.name || d.name.StartsWith(e.name + ".", StringComparison.Ordinal))
                        .Sum(d => macs.GetValueOrDefault(d.module));
                    return new ModuleRow(e.name, e.module.GetType().Name, e.name.Count(c => c == '.') + 1,
                        shapes.GetValueOrDefault(e.module), all, trainable, below, calls.GetValueOrDefault(e.module));
                }).ToList();
            var (total, totalTrainable) = Count(module.parameters());
            return new ModuleSummary(module.GetName(), inputShape, outputShape, rows, total, totalTrainable,
                module.buffers().Sum(b => b.numel()), macs.Values.Sum());
        }

        private static (long All, long Trainable) Count(IEnumerable<Parameter> parameters)
        {
            long all = 0, trainable = 0;
            foreach (var p in parameters) {
                all += p.numel();
                if (p.requires_grad) trainable += p.numel();
            }
            return (all, trainable);
        }

        private static long MacsOf(nn.Module module, Tensor input, Tensor output) => module switch {
            // weight: [out, in / groups, kernel...]; every output element takes one per weight of its group.
            Conv1d or Conv2d or Conv3d => output.numel() * WeightPerOutput(module),
            Linear => output.numel() * input.shape[^1],
            _ => 0,
        };

        private static long WeightPerOutput(nn.Module conv)
        {
            var weight = conv.named_parameters(recurse: false).First(p => p.name == "weight").parameter;
            return weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        }

        /// <summary>One line per module down to <paramref name="depth"/> (deeper modules are counted in their
        /// ancestor's row), then the totals. A module called more than once shows its call count.</summary>
        public string ToTable(int depth = int.MaxValue)
        {
            var rows = new List<string[]> { new[] { "module", "type", "output", "params", "trainable", "MACs" } };
            foreach (var r in Rows.Where(r => r.Depth <= depth))
                rows.Add(new[] {
                    new string(' ', 2 * (r.Depth - 1)) + r.Path[(r.Path.LastIndexOf('.') + 1)..] + (r.Calls > 1 ? $" (×{r.Calls})" : ""),
                    r.Type, r.OutputShape is null ? "—" : Shape(r.OutputShape), N(r.Params), N(r.TrainableParams), N(r.Macs),
                });
            var sb = new StringBuilder().Append(Name).Append(", input ").Append(Shape(InputShape)).Append('\n');
            NetworkMetadata.AppendColumns(sb, rows, firstNumeric: 3);
            return sb.Append("output ").Append(Shape(OutputShape))
                .Append("\nparams ").Append(N(Params)).Append(" (trainable ").Append(N(TrainableParams))
                .Append(", frozen ").Append(N(FrozenParams)).Append("), buffers ").Append(N(Buffers))
                .Append("\nMACs ").Append(N(Macs)).Append(" (FLOPs ").Append(N(2 * Macs)).Append(")\n").ToString();
        }

        private static string N(long v) => NetworkMetadata.N(v);

        private static string Shape(long[] s) => NetworkMetadata.Shape(s);
    }
}
