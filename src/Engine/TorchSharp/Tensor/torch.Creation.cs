using System;
using System.Runtime.InteropServices;
using static TorchSharp.NativeMethods;

namespace TorchSharp
{
    public static partial class torch
    {
        private const int Empty = 0, Zeros = 1, Ones = 2, Full = 3, Randn = 4, Rand = 5;

        private static unsafe Tensor Factory(int kind, ReadOnlySpan<long> size, ScalarType? dtype, Device? device, bool requires_grad, Scalar? value = null)
        {
            RequireCpu(device);
            var type = dtype ?? (value is not null && value.isIntegral && kind == Full ? ScalarType.Int64 : get_default_dtype());
            fixed (long* p = size)
                return new Tensor(Check(adt_factory(kind, p, size.Length, (int)type, value?.value ?? 0, value?.IntegralFlag ?? 0, requires_grad ? 1 : 0)));
        }

        // zeros
        public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Zeros, size, dtype, device, requires_grad);
        public static Tensor zeros(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Zeros, size, dtype, device, requires_grad);
        public static Tensor zeros(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Zeros, new[] { size }, dtype, device, requires_grad);
        public static Tensor zeros(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Zeros, new[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor zeros(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Zeros, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor zeros(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Zeros, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);

        // ones
        public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Ones, size, dtype, device, requires_grad);
        public static Tensor ones(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Ones, size, dtype, device, requires_grad);
        public static Tensor ones(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Ones, new[] { size }, dtype, device, requires_grad);
        public static Tensor ones(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Ones, new[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor ones(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Ones, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor ones(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Ones, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);

        // empty
        public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Empty, size, dtype, device, requires_grad);
        public static Tensor empty(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Empty, size, dtype, device, requires_grad);
        public static Tensor empty(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Empty, new[] { size }, dtype, device, requires_grad);
        public static Tensor empty(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Empty, new[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor empty(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Empty, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor empty(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Empty, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);

        // randn
        public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Randn, size, dtype, device, requires_grad);
        public static Tensor randn(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Randn, size, dtype, device, requires_grad);
        public static Tensor randn(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Randn, new[] { size }, dtype, device, requires_grad);
        public static Tensor randn(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Randn, new[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor randn(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Randn, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor randn(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Randn, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);

        // rand
        public static Tensor rand(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Rand, size, dtype, device, requires_grad);
        public static Tensor rand(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Rand, size, dtype, device, requires_grad);
        public static Tensor rand(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Rand, new[] { size }, dtype, device, requires_grad);
        public static Tensor rand(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Rand, new[] { rows, columns }, dtype, device, requires_grad);
        public static Tensor rand(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Rand, new[] { dim0, dim1, dim2 }, dtype, device, requires_grad);
        public static Tensor rand(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => Factory(Rand, new[] { dim0, dim1, dim2, dim3 }, dtype, device, requires_grad);

        // full
        public static Tensor full(long[] size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Full, size, dtype, device, requires_grad, value);
        public static Tensor full(ReadOnlySpan<long> size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Full, size, dtype, device, requires_grad, value);
        public static Tensor full(long size, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Full, new[] { size }, dtype, device, requires_grad, value);
        public static Tensor full(long rows, long columns, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => Factory(Full, new[] { rows, columns }, dtype, device, requires_grad, value);

        public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => zeros(input.shape, dtype ?? input.dtype, device, requires_grad);
        public static Tensor ones_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => ones(input.shape, dtype ?? input.dtype, device, requires_grad);
        public static Tensor empty_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => empty(input.shape, dtype ?? input.dtype, device, requires_grad);
        public static Tensor full_like(Tensor input, Scalar value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => full(input.shape, value, dtype ?? input.dtype, device, requires_grad);
        public static Tensor randn_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => randn(input.shape, dtype ?? input.dtype, device, requires_grad);
        public static Tensor rand_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => rand(input.shape, dtype ?? input.dtype, device, requires_grad);

        public static unsafe Tensor randint(long low, long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
        {
            RequireCpu(device);
            fixed (long* p = size) return new Tensor(Check(adt_randint(low, high, p, size.Length, (int)(dtype ?? ScalarType.Int64))));
        }

        public static Tensor randint(long high, long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null) =>
            randint(0, high, size, dtype, device, requires_grad, generator);

        public static Tensor randperm(long n, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null)
        {
            RequireCpu(device);
            return new Tensor(Check(adt_randperm(n, (int)(dtype ?? ScalarType.Int64))));
        }

        // arange: integral arguments give an Int64 tensor, as in PyTorch.
        public static Tensor arange(Scalar start, Scalar stop, Scalar step, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        {
            RequireCpu(device);
            var type = dtype ?? (start.isIntegral && stop.isIntegral && step.isIntegral ? ScalarType.Int64 : get_default_dtype());
            return new Tensor(Check(adt_arange(start.value, stop.value, step.value, (int)type, requires_grad ? 1 : 0)));
        }

        public static Tensor arange(Scalar start, Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
            arange(start, stop, 1, dtype, device, requires_grad);

        public static Tensor arange(Scalar stop, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
            arange(0, stop, 1, dtype, device, requires_grad);

        // ---- from .NET data

        private static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, ScalarType? dtype, Device? device, bool requires_grad) where T : unmanaged
        {
            RequireCpu(device);
            var natural = ToScalarType(typeof(T));
            Tensor result;
            fixed (T* d = data)
            fixed (long* s = shape)
                result = new Tensor(Check(adt_from_data(d, (long)data.Length * sizeof(T), s, shape.Length, (int)natural,
                    requires_grad && dtype is null ? 1 : 0)));
            if (dtype.HasValue && dtype.Value != natural) {
                var converted = result.to(dtype.Value);
                result.Dispose();
                if (requires_grad) converted.requires_grad = true;
                return converted;
            }
            return result;
        }

        private static Tensor FromScalar<T>(T value, ScalarType? dtype, Device? device, bool requires_grad) where T : unmanaged =>
            FromSpan<T>(new[] { value }, ReadOnlySpan<long>.Empty, dtype, device, requires_grad);

        public static Tensor tensor(float scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromScalar(scalar, dtype, device, requires_grad);
        public static Tensor tensor(double scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromScalar(scalar, dtype, device, requires_grad);
        public static Tensor tensor(int scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromScalar(scalar, dtype, device, requires_grad);
        public static Tensor tensor(long scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromScalar(scalar, dtype, device, requires_grad);
        public static Tensor tensor(bool scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromScalar(scalar, dtype, device, requires_grad);
        public static Tensor tensor(byte scalar, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromScalar(scalar, dtype, device, requires_grad);

        public static Tensor tensor(float[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
        public static Tensor tensor(double[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
        public static Tensor tensor(int[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
        public static Tensor tensor(long[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
        public static Tensor tensor(bool[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);
        public static Tensor tensor(byte[] rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray, new long[] { rawArray.Length }, dtype, device, requires_grad);

        public static Tensor tensor(float[] rawArray, long[] dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<float>(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(double[] rawArray, long[] dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<double>(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(int[] rawArray, long[] dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<int>(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(long[] rawArray, long[] dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<long>(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(bool[] rawArray, long[] dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<bool>(rawArray, dimensions, dtype, device, requires_grad);
        public static Tensor tensor(byte[] rawArray, long[] dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, string[]? names = null) => FromSpan<byte>(rawArray, dimensions, dtype, device, requires_grad);

        public static Tensor tensor(ReadOnlySpan<float> rawArray, long[] dimensions, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan(rawArray, dimensions, dtype, device, requires_grad);

        /// <summary>A tensor with the shape and contents of a (multi-dimensional) .NET array.</summary>
        public static Tensor from_array(Array rawArray, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
        {
            var shape = new long[rawArray.Rank];
            for (int i = 0; i < shape.Length; i++) shape[i] = rawArray.GetLength(i);
            var elementType = rawArray.GetType().GetElementType()!;
            int elementSize = Marshal.SizeOf(elementType == typeof(bool) ? typeof(byte) : elementType);
            var bytes = new byte[rawArray.Length * elementSize];
            Buffer.BlockCopy(rawArray, 0, bytes, 0, bytes.Length);
            var natural = ToScalarType(elementType);
            Tensor result;
            unsafe {
                fixed (byte* d = bytes)
                fixed (long* s = shape)
                    result = new Tensor(Check(adt_from_data(d, bytes.Length, s, shape.Length, (int)natural, 0)));
            }
            if (dtype.HasValue && dtype.Value != natural) {
                var converted = result.to(dtype.Value);
                result.Dispose();
                result = converted;
            }
            if (requires_grad) result.requires_grad = true;
            return result;
        }

        public static Tensor as_tensor(Array rawArray, ScalarType? dtype = null, Device? device = null) => from_array(rawArray, dtype, device);
    }
}
