using System;
using static TorchSharp.NativeMethods;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>Stateless forms of the layers (torch.nn.functional).</summary>
            public static partial class functional
            {
                private static long[] Pair(long v) => new[] { v, v };
                private static long[] Pair((long, long) v) => new[] { v.Item1, v.Item2 };
                private static long[] Pair(long[]? v, long[] fallback) => v is null ? fallback : v.Length == 1 ? new[] { v[0], v[0] } : v;
                // Shared defaults: passed to native code as read-only pointers, so one array serves every call.
                private static readonly long[] Ones = { 1, 1 }, Zeros = { 0, 0 };

                // ---- convolution and linear

                public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null,
                    long[]? strides = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
                {
                    var s = Pair(strides, Ones);
                    var p = Pair(padding, Zeros);
                    var d = Pair(dilation, Ones);
                    fixed (long* ps = s, pp = p, pd = d)
                        return new Tensor(Check(adt_conv2d(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, ps, pp, pd, groups, 0)));
                }

                public static unsafe Tensor conv2d_padding(Tensor input, Tensor weight, Tensor? bias = null,
                    long[]? strides = null, Padding padding = Padding.Valid, long[]? dilation = null, long groups = 1)
                {
                    var s = Pair(strides, Ones);
                    var p = Zeros;
                    var d = Pair(dilation, Ones);
                    fixed (long* ps = s, pp = p, pd = d)
                        return new Tensor(Check(adt_conv2d(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, ps, pp, pd, groups,
                            padding == Padding.Same ? 2 : 1)));
                }

                public static unsafe Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null,
                    long[]? strides = null, long[]? padding = null, long[]? output_padding = null, long[]? dilation = null, long groups = 1)
                {
                    var s = Pair(strides, Ones);
                    var p = Pair(padding, Zeros);
                    var o = Pair(output_padding, Zeros);
                    var d = Pair(dilation, Ones);
                    fixed (long* ps = s, pp = p, po = o, pd = d)
                        return new Tensor(Check(adt_conv_transpose2d(input.Handle, weight.Handle, bias?.Handle ?? IntPtr.Zero, ps, pp, po, pd, groups)));
                }

                public static Tensor linear(Tensor input, Tensor weights, Tensor? bias = null) =>
                    new Tensor(Check(adt_linear(input.Handle, weights.Handle, bias?.Handle ?? IntPtr.Zero)));

                // ---- normalisation

                public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                    bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                    new Tensor(Check(adt_batch_norm(input.Handle, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero,
                        running_mean?.Handle ?? IntPtr.Zero, running_var?.Handle ?? IntPtr.Zero, training ? 1 : 0, momentum, eps)));

                public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-05) =>
                    new Tensor(Check(adt_group_norm(input.Handle, num_groups, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero, eps)));

                public static unsafe Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-05)
                {
                    fixed (long* p = normalized_shape)
                        return new Tensor(Check(adt_layer_norm(input.Handle, p, normalized_shape.Length, weight?.Handle ?? IntPtr.Zero, bias?.Handle ?? IntPtr.Zero, eps)));
                }

                public static Tensor local_response_norm(Tensor input, long size, double alpha = 0.0001, double beta = 0.75, double k = 1.0) =>
                    new Tensor(Check(adt_local_response_norm(input.Handle, size, alpha, beta, k)));

                public static Tensor channel_shuffle(Tensor input, long groups) =>
                    new Tensor(Check(adt_channel_shuffle(input.Handle, groups)));

                // ---- activations

                private static Tensor Unary(Tensor x, int op, bool inplace) => inplace ? x.UnaryInPlace(op) : x.Unary(op);

                public static Tensor relu(Tensor x, bool inplace = false) => Unary(x, Tensor.Op.Relu, inplace);
                public static Tensor relu6(Tensor x, bool inplace = false) => Unary(x, Tensor.Op.Relu6, inplace);
                public static Tensor sigmoid(Tensor x) => x.sigmoid();
                public static Tensor sigmoid(Tensor x, bool inplace) => Unary(x, Tensor.Op.Sigmoid, inplace);
                public static Tensor tanh(Tensor x, bool inplace = false) => Unary(x, Tensor.Op.Tanh, inplace);
                public static Tensor silu(Tensor x, bool inplace = false) => Unary(x, Tensor.Op.Silu, inplace);
                public static Tensor SiLU(Tensor x, bool inplace = false) => silu(x, inplace);
                public static Tensor hardswish(Tensor input, bool inplace = false) => Unary(input, Tensor.Op.Hardswish, inplace);
                public static Tensor hardsigmoid(Tensor input, bool inplace = false) => Unary(input, Tensor.Op.Hardsigmoid, inplace);
                public static Tensor mish(Tensor x, bool inplace = false) => Unary(x, Tensor.Op.Mish, inplace);
                public static Tensor gelu(Tensor x) => x.Unary(Tensor.Op.Gelu);
                public static Tensor gelu(Tensor x, bool approximate_tanh) => x.Unary(approximate_tanh ? Tensor.Op.GeluTanh : Tensor.Op.Gelu);

                private static Tensor Activation(Tensor x, int which, double a, double b, bool inplace)
                {
                    var h = Check(adt_activation(x.Handle, which, a, b, inplace ? 1 : 0));
                    if (!inplace) return new Tensor(h);
                    adt_free(h);
                    return x;
                }

                public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false) => Activation(input, 0, negative_slope, 0, inplace);
                public static Tensor elu(Tensor x, double alpha = 1.0, bool inplace = false) => Activation(x, 1, alpha, 0, inplace);
                public static Tensor hardtanh(Tensor x, double min_val = -1.0, double max_val = 1.0, bool inplace = false) => Activation(x, 2, min_val, max_val, inplace);
                public static Tensor celu(Tensor x, double alpha = 1.0, bool inplace = false) => Activation(x, 3, alpha, 0, inplace);
                public static Tensor softplus(Tensor x, double beta = 1, double threshold = 20) => Activation(x, 4, beta, threshold, false);
                public static Tensor threshold(Tensor x, double threshold, double value, bool inplace = false) => Activation(x, 5, threshold, value, inplace);

                public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
                public static Tensor log_softmax(Tensor x, long dim, ScalarType? dtype = null) => x.log_softmax(dim, dtype);

                // ---- pooling

                public static unsafe Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? strides = null,
                    long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
                {
                    var k = Pair(kernel_size, kernel_size);
                    var s = Pair(strides, k);
                    var p = Pair(padding, Zeros);
                    var d = Pair(dilation, Ones);
                    fixed (long* pk = k, ps = s, pp = p, pd = d)
                        return new Tensor(Check(adt_max_pool2d(input.Handle, pk, ps, pp, pd, ceil_mode ? 1 : 0, null)));
                }

                public static Tensor max_pool2d(Tensor input, long kernel_size, long? stride = null,
                    long? padding = null, long? dilation = null, bool ceil_mode = false) =>
                    max_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding ?? 0), Pair(dilation ?? 1), ceil_mode);

                public static Tensor max_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null,
                    (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false) =>
                    max_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding ?? (0, 0)), Pair(dilation ?? (1, 1)), ceil_mode);

                public static unsafe (Tensor output, Tensor indices) max_pool2d_with_indices(Tensor input, long[] kernel_size, long[]? strides = null,
                    long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
                {
                    var k = Pair(kernel_size, kernel_size);
                    var s = Pair(strides, k);
                    var p = Pair(padding, Zeros);
                    var d = Pair(dilation, Ones);
                    IntPtr indices;
                    IntPtr values;
                    fixed (long* pk = k, ps = s, pp = p, pd = d)
                        values = Check(adt_max_pool2d(input.Handle, pk, ps, pp, pd, ceil_mode ? 1 : 0, &indices));
                    return (new Tensor(values), new Tensor(indices));
                }

                public static unsafe Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? strides = null,
                    long[]? paddings = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
                {
                    var k = Pair(kernel_size, kernel_size);
                    var s = Pair(strides, k);
                    var p = Pair(paddings, Zeros);
                    fixed (long* pk = k, ps = s, pp = p)
                        return new Tensor(Check(adt_avg_pool2d(input.Handle, pk, ps, pp, ceil_mode ? 1 : 0, count_include_pad ? 1 : 0, divisor_override ?? 0)));
                }

                public static Tensor avg_pool2d(Tensor input, long kernel_size, long? stride = null,
                    long padding = 0, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    avg_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding), ceil_mode, count_include_pad, divisor_override);

                public static Tensor avg_pool2d(Tensor input, (long, long) kernel_size, (long, long)? stride = null,
                    (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) =>
                    avg_pool2d(input, Pair(kernel_size), Pair(stride ?? kernel_size), Pair(padding ?? (0, 0)), ceil_mode, count_include_pad, divisor_override);

                private static unsafe Tensor Adaptive(Tensor input, int which, long[] output_size)
                {
                    var o = Pair(output_size, output_size);
                    fixed (long* p = o) return new Tensor(Check(adt_adaptive_pool2d(input.Handle, which, p)));
                }

                public static Tensor adaptive_avg_pool2d(Tensor input, long[] output_size) => Adaptive(input, 0, output_size);
                public static Tensor adaptive_avg_pool2d(Tensor input, (long, long) output_size) => Adaptive(input, 0, Pair(output_size));
                public static Tensor adaptive_avg_pool2d(Tensor input, long output_size) => Adaptive(input, 0, Pair(output_size));
                public static Tensor adaptive_max_pool2d(Tensor input, long[] output_size) => Adaptive(input, 1, output_size);
                public static Tensor adaptive_max_pool2d(Tensor input, (long, long) output_size) => Adaptive(input, 1, Pair(output_size));
                public static Tensor adaptive_max_pool2d(Tensor input, long output_size) => Adaptive(input, 1, Pair(output_size));

                // ---- dropout

                private static Tensor Dropout(Tensor input, int which, double p, bool training, bool inplace)
                {
                    if (p < 0 || p > 1) throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {p}");
                    var h = Check(adt_dropout(input.Handle, which, p, training ? 1 : 0, inplace ? 1 : 0));
                    if (!inplace) return new Tensor(h);
                    adt_free(h);
                    return input;
                }

                public static Tensor dropout(Tensor input, double p = 0.5, bool training = true, bool inplace = false) => Dropout(input, 0, p, training, inplace);
                public static Tensor dropout2d(Tensor input, double p = 0.5, bool training = true, bool inplace = false) => Dropout(input, 1, p, training, inplace);
                public static Tensor alpha_dropout(Tensor input, double p = 0.5, bool training = false, bool inplace = false) => Dropout(input, 2, p, training, inplace);

                // ---- shape

                public static unsafe Tensor pad(Tensor input, long[] pad, PaddingModes mode = PaddingModes.Constant, double value = 0)
                {
                    int m = mode switch {
                        PaddingModes.Constant or PaddingModes.Zeros => 0,
                        PaddingModes.Reflect => 1,
                        PaddingModes.Replicate => 2,
                        PaddingModes.Circular => 3,
                        _ => throw new ArgumentException($"unknown padding mode {mode}"),
                    };
                    fixed (long* p = pad) return new Tensor(Check(adt_pad(input.Handle, p, pad.Length, m, value)));
                }

                public static Tensor pad(Tensor input, (long, long) pad, PaddingModes mode = PaddingModes.Constant, double value = 0) =>
                    functional.pad(input, new[] { pad.Item1, pad.Item2 }, mode, value);

                public static Tensor pad(Tensor input, (long, long, long, long) pad, PaddingModes mode = PaddingModes.Constant, double value = 0) =>
                    functional.pad(input, new[] { pad.Item1, pad.Item2, pad.Item3, pad.Item4 }, mode, value);

                /// <summary>2-D resizing: nearest or bilinear, by output size or scale factor.</summary>
                public static Tensor interpolate(Tensor x, long[]? size = null, double[]? scale_factor = null, InterpolationMode mode = InterpolationMode.Nearest, bool? align_corners = null)
                {
                    if (x.dim() != 4) throw new NotSupportedException("interpolate supports 4-D input only");
                    int m = mode switch {
                        InterpolationMode.Nearest => 0,
                        InterpolationMode.Bilinear => 1,
                        _ => throw new NotSupportedException($"interpolation mode {mode}"),
                    };
                    if (size is not null) {
                        var s = size.Length == 1 ? new[] { size[0], size[0] } : size;
                        return new Tensor(Check(adt_interpolate2d(x.Handle, m, s[0], s[1], 0, 0, align_corners == true ? 1 : 0)));
                    }
                    if (scale_factor is null) throw new ArgumentException("either size or scale_factor must be given");
                    var f = scale_factor.Length == 1 ? new[] { scale_factor[0], scale_factor[0] } : scale_factor;
                    return new Tensor(Check(adt_interpolate2d(x.Handle, m, 0, 0, f[0], f[1], align_corners == true ? 1 : 0)));
                }

                // ---- losses

                public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
                    new Tensor(Check(adt_cross_entropy(input.Handle, target.Handle, weight?.Handle ?? IntPtr.Zero, (int)reduction, ignore_index, label_smoothing)));

                public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) =>
                    new Tensor(Check(adt_nll_loss(input.Handle, target.Handle, weight?.Handle ?? IntPtr.Zero, (int)reduction, -100)));

                public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                    new Tensor(Check(adt_loss(input.Handle, target.Handle, 0, (int)reduction, 0)));

                public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
                    new Tensor(Check(adt_loss(input.Handle, target.Handle, 1, (int)reduction, 0)));

                public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null)
                {
                    if (weight is not null || pos_weights is not null) throw new NotSupportedException("weighted binary_cross_entropy_with_logits");
                    return new Tensor(Check(adt_loss(input.Handle, target.Handle, 2, (int)reduction, 0)));
                }

                public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
                {
                    if (weight is not null) throw new NotSupportedException("weighted binary_cross_entropy");
                    return new Tensor(Check(adt_loss(input.Handle, target.Handle, 3, (int)reduction, 0)));
                }

                public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0) =>
                    new Tensor(Check(adt_loss(input.Handle, target.Handle, 4, (int)reduction, beta)));

                public static Tensor huber_loss(Tensor input, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean) =>
                    new Tensor(Check(adt_loss(input.Handle, target.Handle, 5, (int)reduction, delta)));
            }
        }

        public static Tensor channel_shuffle(Tensor input, long groups) => nn.functional.channel_shuffle(input, groups);
    }

    public enum InterpolationMode
    {
        Nearest = 0,
        Linear = 1,
        Bilinear = 2,
        Bicubic = 3,
        Trilinear = 4,
        Area = 5,
        NearestExact = 6,
    }
}
