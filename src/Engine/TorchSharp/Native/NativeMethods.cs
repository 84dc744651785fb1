using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace TorchSharp
{
    /// <summary>
    /// P/Invoke surface of the native shim (src/Engine/native). Every argument is blittable (handles
    /// as IntPtr, sizes as long, scalars as double) so calls marshal nothing on the hot path.
    /// Op codes passed to the family entry points are listed beside each native switch.
    /// </summary>
    internal static class NativeMethods
    {
        internal const string Lib = "ArchDslTorch";

        static NativeMethods()
        {
            // Consumers get libArchDslTorch.so copied next to their assemblies; look there first so
            // the library is found whatever the process's working directory or LD_LIBRARY_PATH.
            NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
        }

        private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
        {
            if (name != Lib) return IntPtr.Zero;
            var candidates = new[] {
                Path.Combine(AppContext.BaseDirectory, "lib" + Lib + ".so"),
                Path.Combine(Path.GetDirectoryName(assembly.Location) ?? ".", "lib" + Lib + ".so"),
            };
            foreach (var candidate in candidates) {
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle)) return handle;
            }
            return IntPtr.Zero;
        }

        /// <summary>Throws the pending native error of this thread, if any.</summary>
        internal static void CheckForErrors()
        {
            var message = adt_take_error();
            if (message != IntPtr.Zero)
                throw new ExternalException(Marshal.PtrToStringUTF8(message) ?? "native error");
        }

        /// <summary>A zero handle means the call failed: surface libtorch's message.</summary>
        internal static IntPtr Check(IntPtr handle)
        {
            if (handle == IntPtr.Zero) {
                CheckForErrors();
                throw new ExternalException("native call failed without a message");
            }
            return handle;
        }

        /// <summary>Negative status means the call failed.</summary>
        internal static int Check(int status)
        {
            if (status < 0) {
                CheckForErrors();
                throw new ExternalException("native call failed without a message");
            }
            return status;
        }

        internal static long Check(long value)
        {
            if (value < 0) CheckForErrors();
            return value;
        }

        // ---- process services
        [DllImport(Lib)] internal static extern IntPtr adt_take_error();
        [DllImport(Lib)] internal static extern long adt_live_handles();
        [DllImport(Lib)] internal static extern void adt_free(IntPtr t);
        [DllImport(Lib)] internal static extern int adt_set_grad_enabled(int enabled);
        [DllImport(Lib)] internal static extern int adt_is_grad_enabled();
        [DllImport(Lib)] internal static extern IntPtr adt_inference_mode_enter(int enabled);
        [DllImport(Lib)] internal static extern void adt_inference_mode_exit(IntPtr guard);
        [DllImport(Lib)] internal static extern int adt_manual_seed(long seed);
        [DllImport(Lib)] internal static extern int adt_set_num_threads(int n);
        [DllImport(Lib)] internal static extern int adt_get_num_threads();
        [DllImport(Lib)] internal static extern int adt_set_num_interop_threads(int n);
        [DllImport(Lib)] internal static extern int adt_set_convolution_kernel(int kind);
        [DllImport(Lib)] internal static extern int adt_get_convolution_kernel();
        [DllImport(Lib)] internal static extern int adt_retain_tensor_memory();
        [DllImport(Lib)] internal static extern int adt_tensor_memory_retained();
        [DllImport(Lib)] internal static extern int adt_release_retained_tensor_memory();
        [DllImport(Lib)] internal static extern long adt_mmapped_blocks();

        // ---- creation
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_factory(int kind, long* shape, int ndim, int dtype, double value, int valueIsIntegral, int requiresGrad);
        [DllImport(Lib)] internal static extern IntPtr adt_arange(double start, double end, double step, int dtype, int requiresGrad);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_randint(long low, long high, long* shape, int ndim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr adt_randperm(long n, int dtype);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_from_data(void* data, long nbytes, long* shape, int ndim, int dtype, int requiresGrad);
        [DllImport(Lib)] internal static extern IntPtr adt_scalar_tensor(double value, int isIntegral, int dtype, int requiresGrad);

        // ---- metadata and data
        [DllImport(Lib)] internal static extern int adt_dim(IntPtr t);
        [DllImport(Lib)] internal static extern unsafe int adt_shape(IntPtr t, long* output, int capacity);
        [DllImport(Lib)] internal static extern unsafe int adt_strides(IntPtr t, long* output, int capacity);
        [DllImport(Lib)] internal static extern long adt_size(IntPtr t, long dim);
        [DllImport(Lib)] internal static extern long adt_numel(IntPtr t);
        [DllImport(Lib)] internal static extern int adt_dtype(IntPtr t);
        [DllImport(Lib)] internal static extern int adt_element_size(IntPtr t);
        [DllImport(Lib)] internal static extern int adt_is_contiguous(IntPtr t);
        [DllImport(Lib)] internal static extern IntPtr adt_data_ptr(IntPtr t);
        [DllImport(Lib)] internal static extern unsafe int adt_copy_out(IntPtr t, void* output, long nbytes);
        [DllImport(Lib)] internal static extern unsafe int adt_copy_in(IntPtr t, void* data, long nbytes);
        [DllImport(Lib)] internal static extern double adt_item_double(IntPtr t);
        [DllImport(Lib)] internal static extern long adt_item_long(IntPtr t);

        // ---- autograd
        [DllImport(Lib)] internal static extern int adt_requires_grad(IntPtr t);
        [DllImport(Lib)] internal static extern int adt_set_requires_grad(IntPtr t, int value);
        [DllImport(Lib)] internal static extern int adt_is_leaf(IntPtr t);
        [DllImport(Lib)] internal static extern IntPtr adt_grad(IntPtr t);
        [DllImport(Lib)] internal static extern int adt_set_grad(IntPtr t, IntPtr grad);
        [DllImport(Lib)] internal static extern int adt_zero_grad(IntPtr t, int setToNone);
        [DllImport(Lib)] internal static extern int adt_backward(IntPtr t, IntPtr grad, int retainGraph, int createGraph);
        [DllImport(Lib)] internal static extern int adt_has_grad_fn(IntPtr t);

        // ---- op families
        [DllImport(Lib)] internal static extern IntPtr adt_unary(IntPtr t, int op, int inplace);
        [DllImport(Lib)] internal static extern int adt_unary_(IntPtr t, int op);
        [DllImport(Lib)] internal static extern IntPtr adt_binary(IntPtr a, IntPtr b, int op, double alpha, int alphaIsIntegral);
        [DllImport(Lib)] internal static extern int adt_binary_(IntPtr a, IntPtr b, int op, double alpha, int alphaIsIntegral);
        [DllImport(Lib)] internal static extern IntPtr adt_binary_scalar(IntPtr a, double s, int sIsIntegral, int op, double alpha, int alphaIsIntegral);
        [DllImport(Lib)] internal static extern int adt_binary_scalar_(IntPtr a, double s, int sIsIntegral, int op, double alpha, int alphaIsIntegral);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_reduce(IntPtr t, int op, long* dims, int ndims, int keepdim, int dtype);
        [DllImport(Lib)] internal static extern IntPtr adt_argext(IntPtr t, int which, long dim, int hasDim, int keepdim);
        [DllImport(Lib)] internal static extern int adt_ext_dim(IntPtr t, int which, long dim, int keepdim, out IntPtr values, out IntPtr indices);
        [DllImport(Lib)] internal static extern IntPtr adt_ext_all(IntPtr t, int which);
        [DllImport(Lib)] internal static extern int adt_topk(IntPtr t, long k, long dim, int largest, int sorted, out IntPtr values, out IntPtr indices);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_shape_op(IntPtr t, int op, long* sizes, int n);
        [DllImport(Lib)] internal static extern IntPtr adt_dims_op(IntPtr t, int op, long a, long b, long c);
        [DllImport(Lib)] internal static extern IntPtr adt_slice(IntPtr t, long dim, long start, int hasStart, long end, int hasEnd, long step);
        [DllImport(Lib)] internal static extern unsafe int adt_chunk(IntPtr t, long chunks, long dim, IntPtr* output, int capacity);
        [DllImport(Lib)] internal static extern unsafe int adt_split(IntPtr t, long size, long dim, IntPtr* output, int capacity);
        [DllImport(Lib)] internal static extern unsafe int adt_split_sizes(IntPtr t, long* sizes, int n, long dim, IntPtr* output, int capacity);
        [DllImport(Lib)] internal static extern unsafe int adt_unbind(IntPtr t, long dim, IntPtr* output, int capacity);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_join(IntPtr* handles, int count, long dim, int which);
        [DllImport(Lib)] internal static extern IntPtr adt_where(IntPtr cond, IntPtr a, IntPtr b);
        [DllImport(Lib)] internal static extern IntPtr adt_masked_fill(IntPtr t, IntPtr mask, double value, int isIntegral, int inplace);
        [DllImport(Lib)] internal static extern IntPtr adt_index_op(IntPtr t, int which, long dim, IntPtr index);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_index(IntPtr t, IntPtr* indices, int count);
        [DllImport(Lib)] internal static extern unsafe int adt_index_put_(IntPtr t, IntPtr* indices, int count, IntPtr value);
        [DllImport(Lib)] internal static extern IntPtr adt_clamp(IntPtr t, double lo, int hasLo, double hi, int hasHi, int inplace);
        [DllImport(Lib)] internal static extern IntPtr adt_to_dtype(IntPtr t, int dtype, int copy);
        [DllImport(Lib)] internal static extern int adt_copy_(IntPtr dst, IntPtr src);
        [DllImport(Lib)] internal static extern int adt_fill_(IntPtr t, double value, int isIntegral);
        [DllImport(Lib)] internal static extern int adt_equal(IntPtr a, IntPtr b);
        [DllImport(Lib)] internal static extern int adt_allclose(IntPtr a, IntPtr b, double rtol, double atol, int equalNan);
        [DllImport(Lib)] internal static extern IntPtr adt_softmax(IntPtr t, int which, long dim, int dtype);
        [DllImport(Lib)] internal static extern int adt_random_(IntPtr t, int which, double a, double b);
        [DllImport(Lib)] internal static extern IntPtr adt_bernoulli(IntPtr t, double p);
        [DllImport(Lib)] internal static extern IntPtr adt_multinomial(IntPtr t, long n, int replacement);

        // ---- nn
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_conv2d(IntPtr input, IntPtr weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups, int paddingKind);
        [DllImport(Lib)] internal static extern IntPtr adt_conv1d(IntPtr input, IntPtr weight, IntPtr bias, long stride, long padding, long dilation, long groups);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_conv_transpose2d(IntPtr input, IntPtr weight, IntPtr bias, long* stride, long* padding, long* outputPadding, long* dilation, long groups);
        [DllImport(Lib)] internal static extern IntPtr adt_batch_norm(IntPtr input, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps);
        [DllImport(Lib)] internal static extern IntPtr adt_group_norm(IntPtr input, long groups, IntPtr weight, IntPtr bias, double eps);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_layer_norm(IntPtr input, long* shape, int n, IntPtr weight, IntPtr bias, double eps);
        [DllImport(Lib)] internal static extern IntPtr adt_linear(IntPtr input, IntPtr weight, IntPtr bias);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_max_pool2d(IntPtr input, long* kernel, long* stride, long* padding, long* dilation, int ceilMode, IntPtr* indices);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_avg_pool2d(IntPtr input, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad, long divisorOverride);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_adaptive_pool2d(IntPtr input, int which, long* outputSize);
        [DllImport(Lib)] internal static extern IntPtr adt_dropout(IntPtr input, int which, double p, int training, int inplace);
        [DllImport(Lib)] internal static extern IntPtr adt_activation(IntPtr input, int which, double a, double b, int inplace);
        [DllImport(Lib)] internal static extern IntPtr adt_local_response_norm(IntPtr input, long size, double alpha, double beta, double k);
        [DllImport(Lib)] internal static extern IntPtr adt_channel_shuffle(IntPtr input, long groups);
        [DllImport(Lib)] internal static extern unsafe IntPtr adt_pad(IntPtr input, long* pads, int n, int mode, double value);
        [DllImport(Lib)] internal static extern IntPtr adt_interpolate2d(IntPtr input, int mode, long h, long w, double sh, double sw, int alignCorners);
        [DllImport(Lib)] internal static extern IntPtr adt_cross_entropy(IntPtr input, IntPtr target, IntPtr weight, int reduction, long ignoreIndex, double labelSmoothing);
        [DllImport(Lib)] internal static extern IntPtr adt_nll_loss(IntPtr input, IntPtr target, IntPtr weight, int reduction, long ignoreIndex);
        [DllImport(Lib)] internal static extern IntPtr adt_loss(IntPtr input, IntPtr target, int which, int reduction, double a);
    }
}
