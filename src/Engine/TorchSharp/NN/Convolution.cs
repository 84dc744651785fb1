using System;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace TorchSharp.Modules
{
    /// <summary>Shared state of convolution layers: weight, optional bias and the geometry.</summary>
    public abstract class Convolution : torch.nn.Module<Tensor, Tensor>
    {
        protected Convolution(string name, long in_channels, long out_channels, long[] kernel_size, long[] stride, long[]? padding,
            Padding? padding_type, long[] dilation, bool transposed, long[] output_padding, long groups, bool bias, PaddingModes padding_mode,
            Device? device, ScalarType? dtype) : base(name)
        {
            RequireCpu(device);
            if (groups <= 0) throw new ArgumentException("groups must be a positive integer");
            if (in_channels % groups != 0) throw new ArgumentException("in_channels must be divisible by groups");
            if (out_channels % groups != 0) throw new ArgumentException("out_channels must be divisible by groups");
            if (padding_type == Padding.Same && Array.Exists(stride, s => s != 1))
                throw new ArgumentException("padding='same' is not supported for strided convolutions");

            this.in_channels = in_channels;
            this.out_channels = out_channels;
            this.kernel_size = kernel_size;
            this.stride = stride;
            this.padding = padding;
            this.padding_type = padding_type;
            this.dilation = dilation;
            this.transposed = transposed;
            this.output_padding = output_padding;
            this.groups = groups;
            this.padding_mode = padding_mode;

            var shape = new long[2 + kernel_size.Length];
            if (transposed) {
                shape[0] = in_channels;
                shape[1] = out_channels / groups;
            } else {
                shape[0] = out_channels;
                shape[1] = in_channels / groups;
            }
            Array.Copy(kernel_size, 0, shape, 2, kernel_size.Length);
            var type = dtype ?? get_default_dtype();
            register_parameter("weight", new Parameter(empty(shape, type)));
            if (bias) register_parameter("bias", new Parameter(empty(new[] { out_channels }, type)));
            reset_parameters();
        }

        /// <summary>PyTorch's default: kaiming_uniform(a=√5) weights, bias uniform in ±1/√fan_in.</summary>
        public void reset_parameters()
        {
            torch.nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            var b = bias;
            if (b is not null) {
                var (fanIn, _) = torch.nn.init.CalculateFanInAndFanOut(weight);
                if (fanIn != 0) {
                    var bound = 1 / Math.Sqrt(fanIn);
                    torch.nn.init.uniform_(b, -bound, bound);
                }
            }
        }

        public long in_channels { get; }
        public long out_channels { get; }
        public long[] kernel_size { get; }
        public long[] stride { get; }
        public long[]? padding { get; }
        public Padding? padding_type { get; }
        public long[] dilation { get; }
        public bool transposed { get; }
        public long[] output_padding { get; }
        public long groups { get; }
        public PaddingModes padding_mode { get; }

        public Parameter weight {
            get => _internal_params["weight"];
            set => Replace("weight", value);
        }

        public Parameter? bias {
            get => _internal_params.TryGetValue("bias", out var b) ? b : null;
            set => Replace("bias", value);
        }

        private void Replace(string key, Parameter? value)
        {
            if (_internal_params.TryGetValue(key, out var old) && !ReferenceEquals(old, value)) old.Dispose();
            register_parameter(key, value!);
        }
    }

    public sealed class Conv2d : Convolution
    {
        internal Conv2d(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[]? padding, Padding? padding_type,
            long[] dilation, PaddingModes padding_mode, long groups, bool bias, Device? device, ScalarType? dtype)
            : base(nameof(Conv2d), in_channels, out_channels, kernel_size, stride, padding, padding_type, dilation, false, new long[] { 0, 0 },
                groups, bias, padding_mode, device, dtype)
        {
        }

        public override Tensor forward(Tensor input)
        {
            if (padding_type.HasValue)
                return F.conv2d_padding(input, weight, bias, stride, padding_type.Value, dilation, groups);
            var p = padding!;
            if (padding_mode is PaddingModes.Zeros or PaddingModes.Constant)
                return F.conv2d(input, weight, bias, stride, p, dilation, groups);
            // Non-zero padding modes pad explicitly first, as PyTorch does.
            using var padded = F.pad(input, new[] { p[1], p[1], p[0], p[0] }, padding_mode);
            return F.conv2d(padded, weight, bias, stride, new long[] { 0, 0 }, dilation, groups);
        }
    }
}

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            private static long[] Two(long v) => new[] { v, v };
            private static long[] Two((long, long) v) => new[] { v.Item1, v.Item2 };

            public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1,
                PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Modules.Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride), Two(padding), null, Two(dilation), padding_mode, groups, bias, device, dtype);

            public static Modules.Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null,
                (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Modules.Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride ?? (1, 1)), Two(padding ?? (0, 0)), null, Two(dilation ?? (1, 1)),
                    padding_mode, groups, bias, device, dtype);

            public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1,
                PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Modules.Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride), null, padding, Two(dilation), padding_mode, groups, bias, device, dtype);

            public static Modules.Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, Padding padding, (long, long)? stride = null,
                (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) =>
                new Modules.Conv2d(in_channels, out_channels, Two(kernel_size), Two(stride ?? (1, 1)), null, padding, Two(dilation ?? (1, 1)), padding_mode, groups, bias, device, dtype);
        }
    }
}
