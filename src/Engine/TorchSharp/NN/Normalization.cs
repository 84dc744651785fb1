using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    /// <summary>
    /// Batch normalisation with PyTorch's state: weight and bias (when affine), then the
    /// running_mean, running_var and num_batches_tracked buffers (when tracking statistics).
    /// </summary>
    public abstract class BatchNorm : torch.nn.Module<Tensor, Tensor>
    {
        protected BatchNorm(string name, long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
            : base(name)
        {
            RequireCpu(device);
            this.num_features = num_features;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
            this.track_running_stats = track_running_stats;
            var type = dtype ?? get_default_dtype();
            if (affine) {
                register_parameter("weight", new Parameter(ones(num_features, type)));
                register_parameter("bias", new Parameter(zeros(num_features, type)));
            }
            if (track_running_stats) {
                register_buffer("running_mean", zeros(num_features, type));
                register_buffer("running_var", ones(num_features, type));
                register_buffer("num_batches_tracked", tensor(0L));
            }
        }

        public long num_features { get; }
        public double eps { get; set; }
        public double? momentum { get; set; }
        public bool affine { get; }
        public bool track_running_stats { get; }

        public Parameter? weight => _internal_params.TryGetValue("weight", out var w) ? w : null;
        public Parameter? bias => _internal_params.TryGetValue("bias", out var b) ? b : null;
        public Tensor? running_mean => _internal_buffers.TryGetValue("running_mean", out var b) ? b.Item1 : null;
        public Tensor? running_var => _internal_buffers.TryGetValue("running_var", out var b) ? b.Item1 : null;
        public Tensor? num_batches_tracked => _internal_buffers.TryGetValue("num_batches_tracked", out var b) ? b.Item1 : null;

        public void reset_running_stats()
        {
            if (!track_running_stats) return;
            using (no_grad()) {
                running_mean!.zero_();
                running_var!.fill_(1);
                num_batches_tracked!.zero_();
            }
        }

        protected abstract void ValidateInputDim(Tensor input);

        public override Tensor forward(Tensor input)
        {
            ValidateInputDim(input);
            double factor = momentum ?? 0.0;
            if (training && track_running_stats) {
                var tracked = num_batches_tracked!;
                using (no_grad()) tracked.add_(1);
                // momentum null means a cumulative moving average.
                if (momentum is null) factor = 1.0 / tracked.ToInt64();
            }
            bool useBatchStats = training || !track_running_stats;
            return F.batch_norm(input,
                !training || track_running_stats ? running_mean : null,
                !training || track_running_stats ? running_var : null,
                weight, bias, useBatchStats, factor, eps);
        }
    }

    public sealed class BatchNorm1d : BatchNorm
    {
        internal BatchNorm1d(long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
            : base(nameof(BatchNorm1d), num_features, eps, momentum, affine, track_running_stats, device, dtype) { }

        protected override void ValidateInputDim(Tensor input)
        {
            var d = input.dim();
            if (d != 2 && d != 3) throw new ArgumentException($"expected 2D or 3D input (got {d}D input)");
        }
    }

    public sealed class BatchNorm2d : BatchNorm
    {
        internal BatchNorm2d(long num_features, double eps, double? momentum, bool affine, bool track_running_stats, Device? device, ScalarType? dtype)
            : base(nameof(BatchNorm2d), num_features, eps, momentum, affine, track_running_stats, device, dtype) { }

        protected override void ValidateInputDim(Tensor input)
        {
            var d = input.dim();
            if (d != 4) throw new ArgumentException($"expected 4D input (got {d}D input)");
        }
    }

    public sealed class LocalResponseNorm : ParameterLessModule<Tensor, Tensor>
    {
        internal LocalResponseNorm(long size, double alpha, double beta, double k) : base(nameof(LocalResponseNorm))
        {
            this.size = size;
            this.alpha = alpha;
            this.beta = beta;
            this.k = k;
        }

        public long size { get; set; }
        public double alpha { get; set; }
        public double beta { get; set; }
        public double k { get; set; }

        public override Tensor forward(Tensor input) => F.local_response_norm(input, size, alpha, beta, k);
    }

    public sealed class ChannelShuffle : ParameterLessModule<Tensor, Tensor>
    {
        internal ChannelShuffle(long groups) : base(nameof(ChannelShuffle)) => this.groups = groups;

        public long groups { get; set; }

        public override Tensor forward(Tensor tensor) => F.channel_shuffle(tensor, groups);

        public override string GetName() => nameof(ChannelShuffle);
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            public static Modules.BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) =>
                new Modules.BatchNorm1d(num_features, eps, momentum, affine, track_running_stats, device, dtype);

            public static Modules.BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) =>
                new Modules.BatchNorm2d(num_features, eps, momentum, affine, track_running_stats, device, dtype);

            public static Modules.LocalResponseNorm LocalResponseNorm(long size, double alpha = 0.0001, double beta = 0.75, double k = 1.0) =>
                new Modules.LocalResponseNorm(size, alpha, beta, k);

            public static Modules.ChannelShuffle ChannelShuffle(long groups) => new Modules.ChannelShuffle(groups);
        }
    }
}
