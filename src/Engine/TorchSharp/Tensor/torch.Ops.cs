using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.NativeMethods;

namespace TorchSharp
{
    public static partial class torch
    {
        private static unsafe Tensor Join(IList<Tensor> tensors, long dim, int which)
        {
            var handles = new IntPtr[tensors.Count];
            for (int i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle;
            fixed (IntPtr* p = handles) return new Tensor(Check(adt_join(p, handles.Length, dim, which)));
        }

        public static Tensor cat(IList<Tensor> tensors, long dim = 0) => Join(tensors, dim, 0);
        public static Tensor cat(Tensor[] tensors, long dim = 0) => Join(tensors, dim, 0);
        public static Tensor cat(ReadOnlySpan<Tensor> tensors, long dim = 0) => Join(tensors.ToArray(), dim, 0);
        public static Tensor concat(IList<Tensor> tensors, long dim = 0) => Join(tensors, dim, 0);
        public static Tensor concatenate(IList<Tensor> tensors, long dim = 0) => Join(tensors, dim, 0);
        public static Tensor stack(IEnumerable<Tensor> tensors, long dim = 0) => Join(tensors.ToList(), dim, 1);
        public static Tensor hstack(IList<Tensor> tensors) => Join(tensors, 0, 2);
        public static Tensor vstack(IList<Tensor> tensors) => Join(tensors, 0, 3);

        public static Tensor[] chunk(Tensor input, long chunks, long dim = 0) => input.chunk(chunks, dim);
        public static Tensor[] split(Tensor tensor, long split_size_or_sections, long dim = 0) => tensor.split(split_size_or_sections, dim);
        public static Tensor[] split(Tensor tensor, long[] split_size_or_sections, long dim = 0) => tensor.split(split_size_or_sections, dim);
        public static Tensor[] unbind(Tensor input, long dim = 0) => input.unbind(dim);

        public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => input.flatten(start_dim, end_dim);
        public static Tensor reshape(Tensor input, params long[] shape) => input.reshape(shape);
        public static Tensor permute(Tensor input, params long[] permutation) => input.permute(permutation);
        public static Tensor transpose(Tensor input, long dim0, long dim1) => input.transpose(dim0, dim1);
        public static Tensor squeeze(Tensor input, long? dim = null) => input.squeeze(dim);
        public static Tensor unsqueeze(Tensor input, long dim) => input.unsqueeze(dim);
        public static Tensor narrow(Tensor input, long dim, long start, long length) => input.narrow(dim, start, length);
        public static Tensor index_select(Tensor input, long dim, Tensor index) => input.index_select(dim, index);
        public static Tensor gather(Tensor input, long dim, Tensor index) => input.gather(dim, index);
        public static Tensor flip(Tensor input, params long[] dims) => input.flip(dims);
        public static Tensor roll(Tensor input, long shifts, long dims) => input.roll(shifts, dims);

        public static Tensor bernoulli(Tensor input, Generator? generator = null) => input.bernoulli(generator);
        public static Tensor bernoulli(Tensor input, double p, Generator? generator = null) => new Tensor(Check(adt_bernoulli(input.Handle, p)));
        public static Tensor multinomial(Tensor input, long num_samples, bool replacement = false, Generator? generator = null) =>
            new Tensor(Check(adt_multinomial(input.Handle, num_samples, replacement ? 1 : 0)));

        public static Tensor where(Tensor condition, Tensor x, Tensor y) => new Tensor(Check(adt_where(condition.Handle, x.Handle, y.Handle)));
        public static bool equal(Tensor tensor, Tensor target) => tensor.equal(target);
        public static bool allclose(Tensor tensor, Tensor target, double rtol = 1e-05, double atol = 1e-08, bool equal_nan = false) =>
            tensor.allclose(target, rtol, atol, equal_nan);

        public static Tensor add(Tensor left, Tensor right) => left.add(right);
        public static Tensor add(Tensor left, Tensor right, Scalar alpha) => left.add(right, alpha);
        public static Tensor add(Tensor left, Scalar right) => left.add(right);
        public static Tensor sub(Tensor left, Tensor right) => left.sub(right);
        public static Tensor sub(Tensor left, Scalar right) => left.sub(right);
        public static Tensor mul(Tensor left, Tensor right) => left.mul(right);
        public static Tensor mul(Tensor left, Scalar right) => left.mul(right);
        public static Tensor div(Tensor left, Tensor right) => left.div(right);
        public static Tensor div(Tensor left, Scalar right) => left.div(right);
        public static Tensor pow(Tensor left, Tensor exponent) => left.pow(exponent);
        public static Tensor pow(Tensor left, Scalar exponent) => left.pow(exponent);
        public static Tensor maximum(Tensor input, Tensor other) => input.maximum(other);
        public static Tensor minimum(Tensor input, Tensor other) => input.minimum(other);
        public static Tensor matmul(Tensor input, Tensor other) => input.matmul(other);
        public static Tensor mm(Tensor input, Tensor other) => input.mm(other);
        public static Tensor bmm(Tensor input, Tensor other) => input.bmm(other);
        public static Tensor eq(Tensor left, Tensor right) => left.eq(right);
        public static Tensor ne(Tensor left, Tensor right) => left.ne(right);
        public static Tensor lt(Tensor left, Tensor right) => left.lt(right);
        public static Tensor gt(Tensor left, Tensor right) => left.gt(right);

        public static Tensor abs(Tensor input) => input.abs();
        public static Tensor neg(Tensor input) => input.neg();
        public static Tensor exp(Tensor input) => input.exp();
        public static Tensor log(Tensor input) => input.log();
        public static Tensor sqrt(Tensor input) => input.sqrt();
        public static Tensor rsqrt(Tensor input) => input.rsqrt();
        public static Tensor square(Tensor input) => input.square();
        public static Tensor sign(Tensor input) => input.sign();
        public static Tensor floor(Tensor input) => input.floor();
        public static Tensor ceil(Tensor input) => input.ceil();
        public static Tensor round(Tensor input) => input.round();
        public static Tensor sin(Tensor input) => input.sin();
        public static Tensor cos(Tensor input) => input.cos();
        public static Tensor erf(Tensor input) => input.erf();
        public static Tensor relu(Tensor input) => input.relu();
        public static Tensor sigmoid(Tensor input) => input.sigmoid();
        public static Tensor tanh(Tensor input) => input.tanh();
        public static Tensor clamp(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
        public static Tensor clip(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
        public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => input.softmax(dim, dtype);
        public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => input.log_softmax(dim, dtype);
        public static Tensor isnan(Tensor input) => input.isnan();

        public static Tensor sum(Tensor input, ScalarType? type = null) => input.sum(type);
        public static Tensor sum(Tensor input, long dim, bool keepdim = false, ScalarType? type = null) => input.sum(dim, keepdim, type);
        public static Tensor mean(Tensor input) => input.mean();
        public static Tensor mean(Tensor input, long[] dimensions, bool keepdim = false, ScalarType? type = null) => input.mean(dimensions, keepdim, type);
        public static Tensor max(Tensor input) => input.max();
        public static (Tensor values, Tensor indexes) max(Tensor input, long dim, bool keepdim = false) => input.max(dim, keepdim);
        public static Tensor min(Tensor input) => input.min();
        public static (Tensor values, Tensor indexes) min(Tensor input, long dim, bool keepdim = false) => input.min(dim, keepdim);
        public static Tensor argmax(Tensor input) => input.argmax();
        public static Tensor argmax(Tensor input, long dim, bool keepdim = false) => input.argmax(dim, keepdim);
        public static Tensor argmin(Tensor input) => input.argmin();
        public static Tensor argmin(Tensor input, long dim, bool keepdim = false) => input.argmin(dim, keepdim);
        public static Tensor amax(Tensor input, long[] dims, bool keepdim = false) => input.amax(dims, keepdim);
        public static (Tensor values, Tensor indices) topk(Tensor input, int k, int dim = -1, bool largest = true, bool sorted = true) => input.topk(k, dim, largest, sorted);

        // ---- autograd and global state

        /// <summary>Restores libtorch's previous grad mode when disposed.</summary>
        private sealed class GradModeGuard : IDisposable
        {
            private readonly int previous;
            private bool disposed;

            public GradModeGuard(bool enabled) => previous = adt_set_grad_enabled(enabled ? 1 : 0);

            public void Dispose()
            {
                if (disposed) return;
                disposed = true;
                adt_set_grad_enabled(previous);
            }
        }

        private sealed class InferenceModeGuard : IDisposable
        {
            private IntPtr guard;

            public InferenceModeGuard(bool mode) => guard = Check(adt_inference_mode_enter(mode ? 1 : 0));

            public void Dispose()
            {
                var g = guard;
                guard = IntPtr.Zero;
                if (g != IntPtr.Zero) adt_inference_mode_exit(g);
            }
        }

        public static IDisposable no_grad() => new GradModeGuard(false);

        public static IDisposable enable_grad(bool enabled = true) => new GradModeGuard(enabled);

        public static IDisposable set_grad_enabled(bool enabled = true) => new GradModeGuard(enabled);

        public static bool is_grad_enabled() => adt_is_grad_enabled() != 0;

        public static IDisposable inference_mode(bool mode = true) => new InferenceModeGuard(mode);

        public static Generator manual_seed(long seed)
        {
            Check(adt_manual_seed(seed));
            return new Generator(seed);
        }

        public static void set_num_threads(int num) => Check(adt_set_num_threads(num));

        public static int get_num_threads() => Check(adt_get_num_threads());

        public static void set_num_interop_threads(int num) => Check(adt_set_num_interop_threads(num));

        public static partial class random
        {
            public static void manual_seed(long seed) => Check(adt_manual_seed(seed));
        }
    }
}
