using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    public abstract class Loss<T1, T2, TResult> : torch.nn.Module<T1, T2, TResult>
    {
        public Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(nameof(Loss<T1, T2, TResult>)) => this.reduction = reduction;

        public torch.nn.Reduction reduction { get; }
    }

    public abstract class WeightedLoss<T1, T2, TResult> : Loss<T1, T2, TResult>
    {
        public WeightedLoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) => this.weight = weight;

        public Tensor? weight { get; }
    }

    public sealed class CrossEntropyLoss : WeightedLoss<Tensor, Tensor, Tensor>
    {
        public CrossEntropyLoss(Tensor? weight = null, long? ignore_index = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, double label_smoothing = 0.0)
            : base(weight, reduction)
        {
            this.ignore_index = ignore_index;
            this.label_smoothing = label_smoothing;
        }

        public long? ignore_index { get; }
        public double label_smoothing { get; }

        public override Tensor forward(Tensor input, Tensor target) =>
            F.cross_entropy(input, target, weight, ignore_index ?? -100, reduction, label_smoothing);
    }

    public sealed class NLLLoss : WeightedLoss<Tensor, Tensor, Tensor>
    {
        public NLLLoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(weight, reduction) { }

        public override Tensor forward(Tensor input, Tensor target) => F.nll_loss(input, target, weight, reduction);
    }

    public sealed class MSELoss : Loss<Tensor, Tensor, Tensor>
    {
        public MSELoss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        public override Tensor forward(Tensor input, Tensor target) => F.mse_loss(input, target, reduction);
    }

    public sealed class L1Loss : Loss<Tensor, Tensor, Tensor>
    {
        public L1Loss(torch.nn.Reduction reduction = torch.nn.Reduction.Mean) : base(reduction) { }

        public override Tensor forward(Tensor input, Tensor target) => F.l1_loss(input, target, reduction);
    }

    public sealed class BCEWithLogitsLoss : WeightedLoss<Tensor, Tensor, Tensor>
    {
        public BCEWithLogitsLoss(Tensor? weight = null, torch.nn.Reduction reduction = torch.nn.Reduction.Mean, Tensor? pos_weights = null) : base(weight, reduction) =>
            this.pos_weights = pos_weights;

        public Tensor? pos_weights { get; }

        public override Tensor forward(Tensor input, Tensor target) => F.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weights);
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.CrossEntropyLoss CrossEntropyLoss(Tensor? weight = null, long? ignore_index = null, Reduction reduction = Reduction.Mean) =>
                new Modules.CrossEntropyLoss(weight, ignore_index, reduction);

            public static Modules.NLLLoss NLLLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) => new Modules.NLLLoss(weight, reduction);
            public static Modules.MSELoss MSELoss(Reduction reduction = Reduction.Mean) => new Modules.MSELoss(reduction);
            public static Modules.L1Loss L1Loss(Reduction reduction = Reduction.Mean) => new Modules.L1Loss(reduction);
            public static Modules.BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) =>
                new Modules.BCEWithLogitsLoss(weight, reduction, pos_weights);
        }
    }
}
