using System;
using static TorchSharp.NativeMethods;

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
            // Op codes of the native families (see shim_ops.cpp).
            internal static class Op
            {
                public const int Neg = 0, Abs = 1, Exp = 2, Log = 3, Sqrt = 4, Rsqrt = 5, Relu = 6, Relu6 = 7, Sigmoid = 8,
                    Tanh = 9, Silu = 10, Gelu = 11, GeluTanh = 12, Hardswish = 13, Hardsigmoid = 14, Sign = 15, Floor = 16,
                    Ceil = 17, Round = 18, Square = 19, Reciprocal = 20, Sin = 21, Cos = 22, LogicalNot = 23, IsNan = 24,
                    Erf = 25, Erfinv = 26, Log1p = 27, Expm1 = 28, Mish = 29, Softplus = 30, Trunc = 34, Zero = 35, T = 36,
                    Log2 = 38, IsInf = 40;

                public const int Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Maximum = 5, Minimum = 6, Eq = 7, Ne = 8,
                    Lt = 9, Le = 10, Gt = 11, Ge = 12, Matmul = 13, Remainder = 14, LogicalAnd = 15, LogicalOr = 16,
                    FloorDivide = 17, BitwiseAnd = 18, BitwiseOr = 19, Mm = 20, Bmm = 21, Fmod = 22, LogicalXor = 23,
                    RSub = 24, RDiv = 25, RPow = 26, DivTrunc = 27, DivFloor = 28;
            }

            internal Tensor Unary(int op) => new Tensor(Check(adt_unary(Handle, op, 0)));

            internal Tensor UnaryInPlace(int op)
            {
                Check(adt_unary_(Handle, op));
                return this;
            }

            private static readonly Scalar One = 1;

            internal Tensor Binary(Tensor other, int op, Scalar? alpha = null)
            {
                var a = alpha ?? One;
                return new Tensor(Check(adt_binary(Handle, other.Handle, op, a.value, a.IntegralFlag)));
            }

            internal Tensor BinaryInPlace(Tensor other, int op, Scalar? alpha = null)
            {
                var a = alpha ?? One;
                Check(adt_binary_(Handle, other.Handle, op, a.value, a.IntegralFlag));
                return this;
            }

            internal Tensor Binary(Scalar other, int op, Scalar? alpha = null)
            {
                var a = alpha ?? One;
                return new Tensor(Check(adt_binary_scalar(Handle, other.value, other.IntegralFlag, op, a.value, a.IntegralFlag)));
            }

            internal Tensor BinaryInPlace(Scalar other, int op, Scalar? alpha = null)
            {
                var a = alpha ?? One;
                Check(adt_binary_scalar_(Handle, other.value, other.IntegralFlag, op, a.value, a.IntegralFlag));
                return this;
            }

            // ---- arithmetic

            public Tensor add(Tensor target) => Binary(target, Op.Add);
            public Tensor add(Tensor target, Scalar alpha) => Binary(target, Op.Add, alpha);
            public Tensor add(Scalar scalar) => Binary(scalar, Op.Add);
            public Tensor add(Scalar scalar, Scalar alpha) => Binary(scalar, Op.Add, alpha);
            public Tensor add_(Tensor target) => BinaryInPlace(target, Op.Add);
            public Tensor add_(Tensor target, Scalar alpha) => BinaryInPlace(target, Op.Add, alpha);
            public Tensor add_(Scalar scalar) => BinaryInPlace(scalar, Op.Add);
            public Tensor add_(Scalar scalar, Scalar alpha) => BinaryInPlace(scalar, Op.Add, alpha);

            public Tensor sub(Tensor target) => Binary(target, Op.Sub);
            public Tensor sub(Tensor target, Scalar alpha) => Binary(target, Op.Sub, alpha);
            public Tensor sub(Scalar scalar) => Binary(scalar, Op.Sub);
            public Tensor sub(Scalar scalar, Scalar alpha) => Binary(scalar, Op.Sub, alpha);
            public Tensor sub_(Tensor target) => BinaryInPlace(target, Op.Sub);
            public Tensor sub_(Tensor target, Scalar alpha) => BinaryInPlace(target, Op.Sub, alpha);
            public Tensor sub_(Scalar scalar) => BinaryInPlace(scalar, Op.Sub);
            public Tensor sub_(Scalar scalar, Scalar alpha) => BinaryInPlace(scalar, Op.Sub, alpha);

            public Tensor mul(Tensor target) => Binary(target, Op.Mul);
            public Tensor mul(Scalar target) => Binary(target, Op.Mul);
            public Tensor mul_(Tensor target) => BinaryInPlace(target, Op.Mul);
            public Tensor mul_(Scalar target) => BinaryInPlace(target, Op.Mul);

            public Tensor div(Tensor target, RoundingMode rounding_mode = RoundingMode.None) =>
                Binary(target, rounding_mode switch { RoundingMode.trunc => Op.DivTrunc, RoundingMode.floor => Op.DivFloor, _ => Op.Div });
            public Tensor div(Scalar target, RoundingMode rounding_mode = RoundingMode.None) =>
                Binary(target, rounding_mode switch { RoundingMode.trunc => Op.DivTrunc, RoundingMode.floor => Op.DivFloor, _ => Op.Div });
            public Tensor div_(Tensor target, RoundingMode rounding_mode = RoundingMode.None) =>
                BinaryInPlace(target, rounding_mode switch { RoundingMode.trunc => Op.DivTrunc, RoundingMode.floor => Op.DivFloor, _ => Op.Div });
            public Tensor div_(Scalar target, RoundingMode rounding_mode = RoundingMode.None) =>
                BinaryInPlace(target, rounding_mode switch { RoundingMode.trunc => Op.DivTrunc, RoundingMode.floor => Op.DivFloor, _ => Op.Div });

            public Tensor pow(Tensor exponent) => Binary(exponent, Op.Pow);
            public Tensor pow(Scalar exponent) => Binary(exponent, Op.Pow);
            public Tensor pow_(Tensor exponent) => BinaryInPlace(exponent, Op.Pow);
            public Tensor pow_(Scalar exponent) => BinaryInPlace(exponent, Op.Pow);

            public Tensor remainder(Tensor other) => Binary(other, Op.Remainder);
            public Tensor remainder(Scalar other) => Binary(other, Op.Remainder);
            public Tensor fmod(Tensor other) => Binary(other, Op.Fmod);
            public Tensor fmod(Scalar other) => Binary(other, Op.Fmod);
            public Tensor floor_divide(Tensor other) => Binary(other, Op.FloorDivide);
            public Tensor floor_divide(Scalar other) => Binary(other, Op.FloorDivide);

            public Tensor maximum(Tensor other) => Binary(other, Op.Maximum);
            public Tensor minimum(Tensor other) => Binary(other, Op.Minimum);

            public Tensor matmul(Tensor target) => Binary(target, Op.Matmul);
            public Tensor mm(Tensor target) => Binary(target, Op.Mm);
            public Tensor bmm(Tensor target) => Binary(target, Op.Bmm);

            // ---- comparison and logic

            public Tensor eq(Tensor target) => Binary(target, Op.Eq);
            public Tensor eq(Scalar target) => Binary(target, Op.Eq);
            public Tensor ne(Tensor target) => Binary(target, Op.Ne);
            public Tensor ne(Scalar target) => Binary(target, Op.Ne);
            public Tensor lt(Tensor target) => Binary(target, Op.Lt);
            public Tensor lt(Scalar target) => Binary(target, Op.Lt);
            public Tensor le(Tensor target) => Binary(target, Op.Le);
            public Tensor le(Scalar target) => Binary(target, Op.Le);
            public Tensor gt(Tensor target) => Binary(target, Op.Gt);
            public Tensor gt(Scalar target) => Binary(target, Op.Gt);
            public Tensor ge(Tensor target) => Binary(target, Op.Ge);
            public Tensor ge(Scalar target) => Binary(target, Op.Ge);
            public Tensor logical_and(Tensor other) => Binary(other, Op.LogicalAnd);
            public Tensor logical_or(Tensor other) => Binary(other, Op.LogicalOr);
            public Tensor logical_xor(Tensor other) => Binary(other, Op.LogicalXor);
            public Tensor logical_not() => Unary(Op.LogicalNot);
            public Tensor isnan() => Unary(Op.IsNan);
            public Tensor isinf() => Unary(Op.IsInf);

            public bool equal(Tensor target) => Check(adt_equal(Handle, target.Handle)) != 0;

            public bool allclose(Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) =>
                Check(adt_allclose(Handle, target.Handle, rtol, atol, equal_nan ? 1 : 0)) != 0;

            // ---- element-wise functions

            public Tensor neg() => Unary(Op.Neg);
            public Tensor neg_() => UnaryInPlace(Op.Neg);
            public Tensor abs() => Unary(Op.Abs);
            public Tensor abs_() => UnaryInPlace(Op.Abs);
            public Tensor exp() => Unary(Op.Exp);
            public Tensor exp_() => UnaryInPlace(Op.Exp);
            public Tensor log() => Unary(Op.Log);
            public Tensor log_() => UnaryInPlace(Op.Log);
            public Tensor log2() => Unary(Op.Log2);
            public Tensor log1p() => Unary(Op.Log1p);
            public Tensor expm1() => Unary(Op.Expm1);
            public Tensor sqrt() => Unary(Op.Sqrt);
            public Tensor sqrt_() => UnaryInPlace(Op.Sqrt);
            public Tensor rsqrt() => Unary(Op.Rsqrt);
            public Tensor square() => Unary(Op.Square);
            public Tensor reciprocal() => Unary(Op.Reciprocal);
            public Tensor reciprocal_() => UnaryInPlace(Op.Reciprocal);
            public Tensor sign() => Unary(Op.Sign);
            public Tensor floor() => Unary(Op.Floor);
            public Tensor floor_() => UnaryInPlace(Op.Floor);
            public Tensor ceil() => Unary(Op.Ceil);
            public Tensor ceil_() => UnaryInPlace(Op.Ceil);
            public Tensor round() => Unary(Op.Round);
            public Tensor round_() => UnaryInPlace(Op.Round);
            public Tensor trunc() => Unary(Op.Trunc);
            public Tensor sin() => Unary(Op.Sin);
            public Tensor cos() => Unary(Op.Cos);
            public Tensor erf() => Unary(Op.Erf);
            public Tensor erfinv() => Unary(Op.Erfinv);
            public Tensor erfinv_() => UnaryInPlace(Op.Erfinv);

            public Tensor relu() => Unary(Op.Relu);
            public Tensor relu_() => UnaryInPlace(Op.Relu);
            public Tensor relu6() => Unary(Op.Relu6);
            public Tensor relu6_() => UnaryInPlace(Op.Relu6);
            public Tensor sigmoid() => Unary(Op.Sigmoid);
            public Tensor sigmoid_() => UnaryInPlace(Op.Sigmoid);
            public Tensor tanh() => Unary(Op.Tanh);
            public Tensor tanh_() => UnaryInPlace(Op.Tanh);
            public Tensor silu() => Unary(Op.Silu);
            public Tensor silu_() => UnaryInPlace(Op.Silu);
            public Tensor hardswish() => Unary(Op.Hardswish);
            public Tensor hardswish_() => UnaryInPlace(Op.Hardswish);
            public Tensor hardsigmoid() => Unary(Op.Hardsigmoid);
            public Tensor hardsigmoid_() => UnaryInPlace(Op.Hardsigmoid);
            public Tensor mish() => Unary(Op.Mish);
            public Tensor softplus() => Unary(Op.Softplus);
            public Tensor gelu() => Unary(Op.Gelu);
            public Tensor leaky_relu(Scalar negative_slope) => new Tensor(Check(adt_activation(Handle, 0, negative_slope.value, 0, 0)));
            public Tensor leaky_relu_(Scalar negative_slope)
            {
                adt_free(Check(adt_activation(Handle, 0, negative_slope.value, 0, 1)));
                return this;
            }

            public Tensor softmax(long dim, ScalarType? dtype = null) =>
                new Tensor(Check(adt_softmax(Handle, 0, dim, dtype.HasValue ? (int)dtype.Value : -1)));

            public Tensor log_softmax(long dim, ScalarType? dtype = null) =>
                new Tensor(Check(adt_softmax(Handle, 1, dim, dtype.HasValue ? (int)dtype.Value : -1)));

            public Tensor clamp(Scalar? min = null, Scalar? max = null) =>
                new Tensor(Check(adt_clamp(Handle, min?.value ?? 0, min is null ? 0 : 1, max?.value ?? 0, max is null ? 0 : 1, 0)));

            public Tensor clamp_(Scalar? min = null, Scalar? max = null)
            {
                adt_free(Check(adt_clamp(Handle, min?.value ?? 0, min is null ? 0 : 1, max?.value ?? 0, max is null ? 0 : 1, 1)));
                return this;
            }

            public Tensor clip(Scalar? min = null, Scalar? max = null) => clamp(min, max);
            public Tensor clamp_min(Scalar min) => clamp(min, null);
            public Tensor clamp_max(Scalar max) => clamp(null, max);

            public Tensor masked_fill(Tensor mask, Scalar value) =>
                new Tensor(Check(adt_masked_fill(Handle, mask.Handle, value.value, value.IntegralFlag, 0)));

            public Tensor masked_fill_(Tensor mask, Scalar value)
            {
                adt_free(Check(adt_masked_fill(Handle, mask.Handle, value.value, value.IntegralFlag, 1)));
                return this;
            }

            /// <summary>Elements of this where condition holds, otherwise of other.</summary>
            public Tensor where(Tensor condition, Tensor other) =>
                new Tensor(Check(adt_where(condition.Handle, Handle, other.Handle)));

            // ---- filling and copying

            public Tensor zero_() => UnaryInPlace(Op.Zero);

            public Tensor fill_(Scalar value)
            {
                Check(adt_fill_(Handle, value.value, value.IntegralFlag));
                return this;
            }

            public Tensor copy_(Tensor source, bool non_blocking = false)
            {
                Check(adt_copy_(Handle, source.Handle));
                return this;
            }

            public Tensor set_(Tensor source) => copy_(source);

            public Tensor uniform_(double from = 0, double to = 1, Generator? generator = null)
            {
                Check(adt_random_(Handle, 0, from, to));
                return this;
            }

            public Tensor normal_(double mean = 0, double std = 1, Generator? generator = null)
            {
                Check(adt_random_(Handle, 1, mean, std));
                return this;
            }

            public Tensor bernoulli_(double p = 0.5, Generator? generator = null)
            {
                Check(adt_random_(Handle, 2, p, 0));
                return this;
            }

            public Tensor bernoulli(Generator? generator = null) => new Tensor(Check(adt_bernoulli(Handle, -1)));

            // ---- reductions

            internal unsafe Tensor Reduce(int op, long[]? dims, bool keepdim, ScalarType? type)
            {
                int dt = type.HasValue ? (int)type.Value : -1;
                if (dims is null) return new Tensor(Check(adt_reduce(Handle, op, null, -1, 0, dt)));
                fixed (long* p = dims) return new Tensor(Check(adt_reduce(Handle, op, p, dims.Length, keepdim ? 1 : 0, dt)));
            }

            public Tensor sum(ScalarType? type = null) => Reduce(0, null, false, type);
            public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => Reduce(0, new[] { dim }, keepdim, type);
            public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => Reduce(0, dim, keepdim, type);
            public Tensor sum(ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) => Reduce(0, dim.ToArray(), keepdim, type);

            public Tensor mean() => Reduce(1, null, false, null);
            public Tensor mean(long[] dimensions, bool keepdim = false, ScalarType? type = null) => Reduce(1, dimensions, keepdim, type);
            public Tensor mean(long dimension, bool keepdim = false, ScalarType? type = null) => Reduce(1, new[] { dimension }, keepdim, type);

            public Tensor prod(ScalarType? type = null) => Reduce(2, null, false, type);
            public Tensor prod(long dim, bool keepdim = false, ScalarType? type = null) => Reduce(2, new[] { dim }, keepdim, type);

            public Tensor amax(long[] dims, bool keepdim = false) => Reduce(3, dims, keepdim, null);
            public Tensor amax(params long[] dims) => Reduce(3, dims, false, null);
            public Tensor amin(long[] dims, bool keepdim = false) => Reduce(4, dims, keepdim, null);
            public Tensor amin(params long[] dims) => Reduce(4, dims, false, null);

            public Tensor all() => Reduce(5, null, false, null);
            public Tensor all(long dim, bool keepdim = false) => Reduce(5, new[] { dim }, keepdim, null);
            public Tensor any() => Reduce(6, null, false, null);
            public Tensor any(long dim, bool keepdim = false) => Reduce(6, new[] { dim }, keepdim, null);

            public Tensor std(bool unbiased = true) => Reduce(unbiased ? 7 : 9, null, false, null);
            public Tensor std(long dimension, bool unbiased = true, bool keepdim = false) => Reduce(unbiased ? 7 : 9, new[] { dimension }, keepdim, null);
            public Tensor std(long[] dimensions, bool unbiased = true, bool keepdim = false) => Reduce(unbiased ? 7 : 9, dimensions, keepdim, null);
            public Tensor var(bool unbiased = true) => Reduce(unbiased ? 8 : 10, null, false, null);
            public Tensor var(long dimension, bool unbiased = true, bool keepdim = false) => Reduce(unbiased ? 8 : 10, new[] { dimension }, keepdim, null);
            public Tensor var(long[] dimensions, bool unbiased = true, bool keepdim = false) => Reduce(unbiased ? 8 : 10, dimensions, keepdim, null);
            public Tensor logsumexp(long dim, bool keepdim = false) => Reduce(11, new[] { dim }, keepdim, null);
            public Tensor norm() => Reduce(12, null, false, null);
            public Tensor norm(long dim, bool keepdim = false) => Reduce(12, new[] { dim }, keepdim, null);

            public Tensor max() => new Tensor(Check(adt_ext_all(Handle, 0)));
            public Tensor min() => new Tensor(Check(adt_ext_all(Handle, 1)));

            public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false)
            {
                Check(adt_ext_dim(Handle, 0, dim, keepdim ? 1 : 0, out var v, out var i));
                return (new Tensor(v), new Tensor(i));
            }

            public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false)
            {
                Check(adt_ext_dim(Handle, 1, dim, keepdim ? 1 : 0, out var v, out var i));
                return (new Tensor(v), new Tensor(i));
            }

            public Tensor max(Tensor other) => maximum(other);
            public Tensor min(Tensor other) => minimum(other);

            public Tensor argmax() => new Tensor(Check(adt_argext(Handle, 0, 0, 0, 0)));
            public Tensor argmax(long dim, bool keepdim = false) => new Tensor(Check(adt_argext(Handle, 0, dim, 1, keepdim ? 1 : 0)));
            public Tensor argmin() => new Tensor(Check(adt_argext(Handle, 1, 0, 0, 0)));
            public Tensor argmin(long dim, bool keepdim = false) => new Tensor(Check(adt_argext(Handle, 1, dim, 1, keepdim ? 1 : 0)));

            public (Tensor values, Tensor indices) topk(int k, int dim = -1, bool largest = true, bool sorted = true)
            {
                Check(adt_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i));
                return (new Tensor(v), new Tensor(i));
            }

            public Tensor cumsum(long dim, ScalarType? type = null) => new Tensor(Check(adt_dims_op(Handle, 12, dim, 0, 0)));

            // ---- operators

            public static Tensor operator +(Tensor left, Tensor right) => left.add(right);
            public static Tensor operator +(Tensor left, Scalar right) => left.add(right);
            public static Tensor operator +(Scalar left, Tensor right) => right.add(left);
            public static Tensor operator -(Tensor left, Tensor right) => left.sub(right);
            public static Tensor operator -(Tensor left, Scalar right) => left.sub(right);
            public static Tensor operator -(Scalar left, Tensor right) => right.Binary(left, Op.RSub);
            public static Tensor operator *(Tensor left, Tensor right) => left.mul(right);
            public static Tensor operator *(Tensor left, Scalar right) => left.mul(right);
            public static Tensor operator *(Scalar left, Tensor right) => right.mul(left);
            public static Tensor operator /(Tensor left, Tensor right) => left.div(right);
            public static Tensor operator /(Tensor left, Scalar right) => left.div(right);
            public static Tensor operator /(Scalar left, Tensor right) => right.Binary(left, Op.RDiv);
            public static Tensor operator %(Tensor left, Tensor right) => left.remainder(right);
            public static Tensor operator %(Tensor left, Scalar right) => left.remainder(right);
            public static Tensor operator -(Tensor tensor) => tensor.neg();
            public static Tensor operator <(Tensor left, Tensor right) => left.lt(right);
            public static Tensor operator <(Tensor left, Scalar right) => left.lt(right);
            public static Tensor operator >(Tensor left, Tensor right) => left.gt(right);
            public static Tensor operator >(Tensor left, Scalar right) => left.gt(right);
            public static Tensor operator <=(Tensor left, Tensor right) => left.le(right);
            public static Tensor operator <=(Tensor left, Scalar right) => left.le(right);
            public static Tensor operator >=(Tensor left, Tensor right) => left.ge(right);
            public static Tensor operator >=(Tensor left, Scalar right) => left.ge(right);
            public static Tensor operator &(Tensor left, Tensor right) => left.Binary(right, Op.BitwiseAnd);
            public static Tensor operator |(Tensor left, Tensor right) => left.Binary(right, Op.BitwiseOr);
        }

        /// <summary>Rounding applied by div.</summary>
        public enum RoundingMode
        {
            None,
            trunc,
            floor,
        }

        /// <summary>A random-number generator handle; this engine uses libtorch's default generator.</summary>
        public sealed class Generator : IDisposable
        {
            internal Generator(long seed) => Seed = seed;

            public long Seed { get; }

            public long initial_seed() => Seed;

            public void Dispose() { }
        }
    }
}
