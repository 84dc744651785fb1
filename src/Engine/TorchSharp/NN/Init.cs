using System;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            /// <summary>
            /// Weight initialisers with PyTorch's formulas (torch.nn.init): with the same seed they
            /// draw the same numbers, because the same libtorch generator and kernels run.
            /// </summary>
            public static class init
            {
                public enum NonlinearityType
                {
                    Linear = 0,
                    Conv1D = 1,
                    Conv2D = 2,
                    Conv3D = 3,
                    ConvTranspose1D = 4,
                    ConvTranspose2D = 5,
                    ConvTranspose3D = 6,
                    Sigmoid = 7,
                    Tanh = 8,
                    ReLU = 9,
                    LeakyReLU = 10,
                    SELU = 11,
                }

                public enum FanInOut
                {
                    FanIn = 0,
                    FanOut = 1,
                }

                public static double calculate_gain(NonlinearityType nonlinearity, double param = 0.0) => nonlinearity switch {
                    NonlinearityType.Tanh => 5.0 / 3,
                    NonlinearityType.ReLU => Math.Sqrt(2.0),
                    NonlinearityType.LeakyReLU => Math.Sqrt(2.0 / (1 + param * param)),
                    NonlinearityType.SELU => 3.0 / 4,
                    _ => 1.0,
                };

                public static (long fanIn, long fanOut) CalculateFanInAndFanOut(Tensor tensor)
                {
                    var shape = tensor.shape;
                    if (shape.Length < 2)
                        throw new ArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
                    long receptive = 1;
                    for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
                    return (shape[1] * receptive, shape[0] * receptive);
                }

                private static long Fan(Tensor tensor, FanInOut mode)
                {
                    var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                    return mode == FanInOut.FanIn ? fanIn : fanOut;
                }

                public static Tensor uniform_(Tensor tensor, double low = 0, double high = 1, Generator? generator = null)
                {
                    using (no_grad()) return tensor.uniform_(low, high);
                }

                public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1, Generator? generator = null)
                {
                    using (no_grad()) return tensor.normal_(mean, std);
                }

                public static Tensor constant_(Tensor tensor, Scalar val)
                {
                    using (no_grad()) return tensor.fill_(val);
                }

                public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

                public static Tensor zeros_(Tensor tensor)
                {
                    using (no_grad()) return tensor.zero_();
                }

                public static Tensor eye_(Tensor tensor)
                {
                    if (tensor.dim() != 2) throw new ArgumentException("Only tensors with 2 dimensions are supported");
                    using (no_grad()) {
                        tensor.zero_();
                        var n = Math.Min(tensor.size(0), tensor.size(1));
                        using var diag = tensor.diagonal();
                        diag.fill_(1);
                    }
                    return tensor;
                }

                public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU)
                {
                    var gain = calculate_gain(nonlinearity, a);
                    var std = gain / Math.Sqrt(Fan(tensor, mode));
                    var bound = Math.Sqrt(3.0) * std;
                    return uniform_(tensor, -bound, bound);
                }

                public static Tensor kaiming_normal_(Tensor tensor, double a = 0, FanInOut mode = FanInOut.FanIn, NonlinearityType nonlinearity = NonlinearityType.LeakyReLU)
                {
                    var gain = calculate_gain(nonlinearity, a);
                    var std = gain / Math.Sqrt(Fan(tensor, mode));
                    return normal_(tensor, 0, std);
                }

                public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0)
                {
                    var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                    var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                    var a = Math.Sqrt(3.0) * std;
                    return uniform_(tensor, -a, a);
                }

                public static Tensor glorot_uniform_(Tensor tensor, double gain = 1.0) => xavier_uniform_(tensor, gain);

                public static Tensor xavier_normal_(Tensor tensor, double gain = 1.0)
                {
                    var (fanIn, fanOut) = CalculateFanInAndFanOut(tensor);
                    var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                    return normal_(tensor, 0, std);
                }

                public static Tensor glorot_normal_(Tensor tensor, double gain = 1.0) => xavier_normal_(tensor, gain);

                /// <summary>
                /// Normal values redrawn into [a, b] by inverting the normal CDF over the truncated
                /// range (PyTorch's method): uniform in CDF space, then erfinv.
                /// </summary>
                public static Tensor trunc_normal_(Tensor tensor, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0, Generator? generator = null)
                {
                    double l = NormCdf((a - mean) / std);
                    double u = NormCdf((b - mean) / std);
                    using (no_grad()) {
                        tensor.uniform_(2 * l - 1, 2 * u - 1);
                        tensor.erfinv_();
                        tensor.mul_(std * Math.Sqrt(2.0));
                        tensor.add_(mean);
                        tensor.clamp_(a, b);
                    }
                    return tensor;
                }

                private static double NormCdf(double x)
                {
                    // libtorch's erf on a float64 scalar is the C library's erf, as Python's math.erf.
                    using var t = tensor(x / Math.Sqrt(2.0), ScalarType.Float64);
                    using var e = t.erf();
                    return (1.0 + e.ToDouble()) / 2.0;
                }
            }
        }
    }
}
