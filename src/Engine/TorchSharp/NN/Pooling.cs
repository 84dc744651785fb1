using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    public sealed class MaxPool2d : ParameterLessModule<Tensor, Tensor>
    {
        internal MaxPool2d(long[] kernel_size, long[]? stride, long[]? padding, long[]? dilation, bool ceil_mode) : base(nameof(MaxPool2d))
        {
            this.kernel_size = kernel_size;
            this.stride = stride ?? kernel_size;
            this.padding = padding ?? new long[] { 0, 0 };
            this.dilation = dilation ?? new long[] { 1, 1 };
            this.ceil_mode = ceil_mode;
        }

        public long[] kernel_size { get; set; }
        public long[] stride { get; set; }
        public long[] padding { get; set; }
        public long[] dilation { get; set; }
        public bool ceil_mode { get; set; }

        public override Tensor forward(Tensor input) => F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);

        public (Tensor Values, Tensor Indices) forward_with_indices(Tensor input) =>
            F.max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode);
    }

    public sealed class AvgPool2d : ParameterLessModule<Tensor, Tensor>
    {
        internal AvgPool2d(long[] kernel_size, long[]? stride, long[]? padding, bool ceil_mode, bool count_include_pad, long? divisor_override) : base(nameof(AvgPool2d))
        {
            this.kernel_size = kernel_size;
            this.stride = stride ?? kernel_size;
            this.padding = padding ?? new long[] { 0, 0 };
            this.ceil_mode = ceil_mode;
            this.count_include_pad = count_include_pad;
            this.divisor_override = divisor_override;
        }

        public long[] kernel_size { get; set; }
        public long[] stride { get; set; }
        public long[] padding { get; set; }
        public bool ceil_mode { get; set; }
        public bool count_include_pad { get; set; }
        public long? divisor_override { get; set; }

        public override Tensor forward(Tensor input) => F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
    }

    public sealed class AdaptiveAvgPool2d : ParameterLessModule<Tensor, Tensor>
    {
        internal AdaptiveAvgPool2d(long[] output_size) : base(nameof(AdaptiveAvgPool2d)) => this.output_size = output_size;
        public long[] output_size { get; set; }
        public override Tensor forward(Tensor input) => F.adaptive_avg_pool2d(input, output_size);
    }

    public sealed class AdaptiveMaxPool2d : ParameterLessModule<Tensor, Tensor>
    {
        internal AdaptiveMaxPool2d(long[] output_size) : base(nameof(AdaptiveMaxPool2d)) => this.output_size = output_size;
        public long[] output_size { get; set; }
        public override Tensor forward(Tensor input) => F.adaptive_max_pool2d(input, output_size);
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            private static long[]? Two(long? v) => v.HasValue ? new[] { v.Value, v.Value } : null;
            private static long[]? Two((long, long)? v) => v.HasValue ? new[] { v.Value.Item1, v.Value.Item2 } : null;
            private static long[]? Widen(long[]? v) => v is null ? null : v.Length == 1 ? new[] { v[0], v[0] } : v;

            public static Modules.MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long? padding = null, long? dilation = null, bool ceil_mode = false) =>
                new Modules.MaxPool2d(Two(kernel_size), Two(stride), Two(padding), Two(dilation), ceil_mode);

            public static Modules.MaxPool2d MaxPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false) =>
                new Modules.MaxPool2d(Two(kernel_size), Two(stride), Two(padding), Two(dilation), ceil_mode);

            public static Modules.MaxPool2d MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) =>
                new Modules.MaxPool2d(Widen(kernel_size)!, Widen(stride), Widen(padding), Widen(dilation), ceil_mode);

            public static Modules.AvgPool2d AvgPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new Modules.AvgPool2d(Widen(kernel_size)!, Widen(stride), Widen(padding), ceil_mode, count_include_pad, divisor_override);

            public static Modules.AvgPool2d AvgPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new Modules.AvgPool2d(Two(kernel_size), Two(stride), Two(padding), ceil_mode, count_include_pad, divisor_override);

            public static Modules.AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                new Modules.AvgPool2d(Two(kernel_size), Two(stride), Two(padding), ceil_mode, count_include_pad, divisor_override);

            public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d(long[] output_size) => new Modules.AdaptiveAvgPool2d(Widen(output_size)!);
            public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d((long, long) output_size) => new Modules.AdaptiveAvgPool2d(Two(output_size));
            public static Modules.AdaptiveAvgPool2d AdaptiveAvgPool2d(long output_size) => new Modules.AdaptiveAvgPool2d(Two(output_size));
            public static Modules.AdaptiveMaxPool2d AdaptiveMaxPool2d(long[] output_size) => new Modules.AdaptiveMaxPool2d(Widen(output_size)!);
            public static Modules.AdaptiveMaxPool2d AdaptiveMaxPool2d((long, long) output_size) => new Modules.AdaptiveMaxPool2d(Two(output_size));
            public static Modules.AdaptiveMaxPool2d AdaptiveMaxPool2d(long output_size) => new Modules.AdaptiveMaxPool2d(Two(output_size));
        }
    }
}
