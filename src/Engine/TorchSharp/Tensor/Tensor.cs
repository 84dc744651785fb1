using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using static TorchSharp.NativeMethods;

namespace TorchSharp
{
    public static partial class torch
    {
        /// <summary>
        /// A tensor: one owned native handle (a reference to a libtorch tensor). Disposing frees the
        /// handle exactly once; the finalizer is the safety net for tensors nobody disposed.
        /// </summary>
        public partial class Tensor : IDisposable
        {
            internal IntPtr handle;

            private static long totalCount;
            private static long peakCount;

            internal DisposeScope? OwningDisposeScope { get; set; }

            internal Tensor(IntPtr handle)
            {
                this.handle = handle;
                var count = Interlocked.Increment(ref totalCount);
                if (count > peakCount) peakCount = count;
                OwningDisposeScope = DisposeScopeManager.ThreadSingleton.RegisterOnCurrentDisposeScope(this);
            }

            /// <summary>Managed tensors not yet disposed or finalized.</summary>
            public static long TotalCount => Interlocked.Read(ref totalCount);

            public static long PeakCount => peakCount;

            /// <summary>Native tensor handles currently alive in the shim (all threads).</summary>
            public static long NativeHandleCount => adt_live_handles();

            ~Tensor() => Dispose(false);

            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }

            protected virtual void Dispose(bool disposing)
            {
                if (disposing) {
                    OwningDisposeScope?.MarkAsDisposed(this);
                    OwningDisposeScope = null;
                }
                var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
                if (h != IntPtr.Zero) {
                    adt_free(h);
                    Interlocked.Decrement(ref totalCount);
                }
            }

            /// <summary>True once the native handle has been released.</summary>
            public bool IsInvalid => handle == IntPtr.Zero;

            public IntPtr Handle {
                get {
                    if (handle == IntPtr.Zero) throw new InvalidOperationException("Tensor invalid -- empty handle.");
                    return handle;
                }
            }

            /// <summary>Gives up ownership of the native handle (used when another object adopts it).</summary>
            internal IntPtr MoveHandle()
            {
                var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
                if (h == IntPtr.Zero) throw new InvalidOperationException("Tensor invalid -- empty handle.");
                Interlocked.Decrement(ref totalCount);
                OwningDisposeScope?.MarkAsDisposed(this);
                OwningDisposeScope = null;
                GC.SuppressFinalize(this);
                return h;
            }

            // ---- dispose scopes

            public Tensor MoveToOuterDisposeScope()
            {
                OwningDisposeScope?.MoveToOuter(this);
                return this;
            }

            public Tensor MoveToOtherDisposeScope(DisposeScope other)
            {
                if (OwningDisposeScope is not null) OwningDisposeScope.MoveToOther(other, this);
                else other.Attach(this);
                return this;
            }

            public Tensor DetachFromDisposeScope()
            {
                OwningDisposeScope?.Detach(this);
                return this;
            }

            // ---- metadata

            public long[] shape {
                get {
                    unsafe {
                        long* buffer = stackalloc long[16];
                        int rank = Check(adt_shape(Handle, buffer, 16));
                        if (rank > 16) {
                            var big = new long[rank];
                            fixed (long* p = big) Check(adt_shape(Handle, p, rank));
                            return big;
                        }
                        var result = new long[rank];
                        for (int i = 0; i < rank; i++) result[i] = buffer[i];
                        return result;
                    }
                }
            }

            public long[] stride()
            {
                unsafe {
                    long* buffer = stackalloc long[16];
                    int rank = Check(adt_strides(Handle, buffer, 16));
                    var result = new long[Math.Min(rank, 16)];
                    for (int i = 0; i < result.Length; i++) result[i] = buffer[i];
                    return result;
                }
            }

            public long stride(int dim) => stride()[dim < 0 ? dim + dim_count : dim];

            private int dim_count => Check(adt_dim(Handle));

            public long[] size() => shape;

            public long size(int dim) => size((long)dim);

            public long size(long dim)
            {
                var value = adt_size(Handle, dim);
                if (value < 0) CheckForErrors();
                return value;
            }

            public long dim() => Check(adt_dim(Handle));

            public long ndim => dim();

            public long Dimensions => dim();

            public long numel() => Check(adt_numel(Handle));

            public long NumberOfElements => numel();

            public ScalarType dtype => (ScalarType)Check(adt_dtype(Handle));

            public long ElementSize => Check(adt_element_size(Handle));

            public long element_size() => ElementSize;

            public Device device => CPU;

            public DeviceType device_type => DeviceType.CPU;

            public int device_index => -1;

            public bool is_contiguous() => Check(adt_is_contiguous(Handle)) != 0;

            public bool is_floating_point() => torch.is_floating_point(dtype);

            public bool is_complex() => torch.is_complex(dtype);

            public bool IsSparse => false;

            public override string ToString() =>
                handle == IntPtr.Zero
                    ? "Tensor (disposed)"
                    : $"[{string.Join("x", shape)}], type = {dtype}, device = {device}";

            // ---- autograd

            public bool requires_grad {
                get => Check(adt_requires_grad(Handle)) != 0;
                set => Check(adt_set_requires_grad(Handle, value ? 1 : 0));
            }

            public Tensor requires_grad_(bool requires_grad = true)
            {
                this.requires_grad = requires_grad;
                return this;
            }

            public Tensor with_requires_grad(bool requires_grad = true) => requires_grad_(requires_grad);

            public bool is_leaf => Check(adt_is_leaf(Handle)) != 0;

            /// <summary>The accumulated gradient as a new tensor handle (dispose it), or null.</summary>
            public Tensor? grad {
                get {
                    var h = adt_grad(Handle);
                    if (h == IntPtr.Zero) {
                        CheckForErrors();
                        return null;
                    }
                    return new Tensor(h);
                }
                set => Check(adt_set_grad(Handle, value is null ? IntPtr.Zero : value.Handle));
            }

            internal void ZeroGrad(bool set_to_none) => Check(adt_zero_grad(Handle, set_to_none ? 1 : 0));

            public void backward(IList<Tensor>? grad_tensors = null, bool create_graph = false, bool retain_graph = false, IList<Tensor>? inputs = null)
            {
                if (inputs is not null && inputs.Count > 0)
                    throw new NotSupportedException("backward(inputs: ...) is not supported by this engine");
                var g = grad_tensors is not null && grad_tensors.Count > 0 ? grad_tensors[0].Handle : IntPtr.Zero;
                Check(adt_backward(Handle, g, retain_graph || create_graph ? 1 : 0, create_graph ? 1 : 0));
            }

            public Tensor detach() => new Tensor(Check(adt_unary(Handle, 33, 0)));

            public Tensor detach_()
            {
                // libtorch's detach_ cannot run on views; swapping in a detached alias has the same effect.
                var h = Check(adt_unary(Handle, 33, 0));
                var old = Interlocked.Exchange(ref handle, h);
                adt_free(old);
                return this;
            }

            public Tensor clone() => new Tensor(Check(adt_unary(Handle, 32, 0)));

            public Tensor contiguous() => new Tensor(Check(adt_unary(Handle, 31, 0)));

            public Tensor alias() => new Tensor(Check(adt_unary(Handle, 37, 0)));

            // ---- data

            /// <summary>A view of the elements for reading and writing (CPU memory, any strides).</summary>
            public Utils.TensorAccessor<T> data<T>() where T : unmanaged
            {
                if (ToScalarType(typeof(T)) != dtype)
                    throw new ArgumentException($"{typeof(T).Name} does not match the tensor's element type {dtype}.");
                return new Utils.TensorAccessor<T>(this);
            }

            public T item<T>() where T : unmanaged
            {
                if (numel() != 1) throw new ArgumentException("item() needs a tensor with exactly one element.");
                var values = ToArrayOf<T>(requireExactType: true);
                return values[0];
            }

            internal T[] ToArrayOf<T>(bool requireExactType) where T : unmanaged
            {
                var type = ToScalarType(typeof(T));
                if (requireExactType && type != dtype)
                    throw new ArgumentException($"{typeof(T).Name} does not match the tensor's element type {dtype}.");
                var result = new T[numel()];
                unsafe {
                    fixed (T* p = result)
                        Check(adt_copy_out(Handle, p, (long)result.Length * sizeof(T)));
                }
                return result;
            }

            /// <summary>The raw bytes of the elements in row-major order.</summary>
            public ReadOnlySpan<byte> bytes {
                get {
                    var result = new byte[numel() * ElementSize];
                    unsafe {
                        fixed (byte* p = result) Check(adt_copy_out(Handle, p, result.Length));
                    }
                    return result;
                }
                set {
                    unsafe {
                        fixed (byte* p = value) Check(adt_copy_in(Handle, p, value.Length));
                    }
                }
            }

            public Scalar ToScalar()
            {
                if (is_integral(dtype)) return new Scalar(adt_checked_long(), true);
                return new Scalar(adt_checked_double(), false);
            }

            private double adt_checked_double()
            {
                var v = adt_item_double(Handle);
                CheckForErrors();
                return v;
            }

            private long adt_checked_long()
            {
                var v = adt_item_long(Handle);
                CheckForErrors();
                return v;
            }

            // ---- conversion

            public Tensor to(ScalarType type, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            {
                var result = new Tensor(Check(adt_to_dtype(Handle, (int)type, copy ? 1 : 0)));
                if (disposeAfter) Dispose();
                return result;
            }

            public Tensor to(ScalarType type, Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            {
                RequireCpu(device);
                return to(type, copy, disposeAfter, non_blocking);
            }

            public Tensor to(Device device, bool copy = false, bool disposeAfter = false, bool non_blocking = false)
            {
                RequireCpu(device);
                var result = copy ? clone() : alias();
                if (disposeAfter) Dispose();
                return result;
            }

            public Tensor to(DeviceType deviceType, int deviceIndex = -1, bool copy = false, bool disposeAfter = false, bool non_blocking = false) =>
                to(new Device(deviceType, deviceIndex), copy, disposeAfter, non_blocking);

            public Tensor to(string device, bool copy = false, bool disposeAfter = false, bool non_blocking = false) =>
                to(new Device(device), copy, disposeAfter, non_blocking);

            public Tensor to(Tensor other, bool non_blocking = false) => to(other.dtype, non_blocking: non_blocking);

            public Tensor cpu() => alias();

            public Tensor type(ScalarType type) => to(type);

            public Tensor @float() => to(ScalarType.Float32);
            public Tensor @double() => to(ScalarType.Float64);
            public Tensor @long() => to(ScalarType.Int64);
            public Tensor @int() => to(ScalarType.Int32);
            public Tensor @bool() => to(ScalarType.Bool);
            public Tensor @byte() => to(ScalarType.Byte);
            public Tensor half() => to(ScalarType.Float16);
        }
    }
}
