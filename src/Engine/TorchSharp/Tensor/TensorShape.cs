using System;
using System.Collections.Generic;
using static TorchSharp.NativeMethods;

namespace TorchSharp
{
    public static partial class torch
    {
        public partial class Tensor
        {
            private unsafe Tensor ShapeOp(int op, long[] sizes)
            {
                fixed (long* p = sizes) return new Tensor(Check(adt_shape_op(Handle, op, p, sizes.Length)));
            }

            private Tensor DimsOp(int op, long a = 0, long b = 0, long c = 0) =>
                new Tensor(Check(adt_dims_op(Handle, op, a, b, c)));

            public Tensor view(params long[] shape) => ShapeOp(0, shape);
            public Tensor view_as(Tensor other) => view(other.shape);
            public Tensor reshape(params long[] shape) => ShapeOp(1, shape);
            public Tensor reshape_as(Tensor other) => reshape(other.shape);
            public Tensor permute(params long[] dims) => ShapeOp(2, dims);
            public Tensor expand(params long[] sizes) => ShapeOp(3, sizes);
            public Tensor expand(long[] sizes, bool isImplicit) => ShapeOp(3, sizes);
            public Tensor expand_as(Tensor other) => expand(other.shape);
            public Tensor broadcast_to(params long[] shape) => ShapeOp(6, shape);
            public Tensor repeat(params long[] repeats) => ShapeOp(4, repeats);
            public Tensor flip(params long[] dims) => ShapeOp(5, dims);

            public Tensor flatten(long start_dim = 0, long end_dim = -1) => DimsOp(0, start_dim, end_dim);
            public Tensor transpose(long dim0, long dim1) => DimsOp(1, dim0, dim1);
            public Tensor swapaxes(long dim0, long dim1) => transpose(dim0, dim1);
            public Tensor t() => Unary(Op.T);
            public Tensor T => t();
            public Tensor narrow(long dim, long start, long length) => DimsOp(2, dim, start, length);
            public Tensor select(long dim, long index) => DimsOp(3, dim, index);
            public Tensor squeeze() => DimsOp(5);
            public Tensor squeeze(long dim) => DimsOp(4, dim);
            public Tensor squeeze(long? dim) => dim.HasValue ? squeeze(dim.Value) : squeeze();
            public Tensor unsqueeze(long dim) => DimsOp(6, dim);
            public Tensor movedim(long source, long destination) => DimsOp(7, source, destination);
            public Tensor diagonal(long offset = 0, long dim1 = 0, long dim2 = 1) => DimsOp(8, offset, dim1, dim2);
            public Tensor tril(long diagonal = 0) => DimsOp(9, diagonal);
            public Tensor triu(long diagonal = 0) => DimsOp(10, diagonal);
            public Tensor roll(long shifts, long dims) => DimsOp(11, shifts, dims);

            public Tensor slice(long dim, long start, long finish, long step) =>
                new Tensor(Check(adt_slice(Handle, dim, start, 1, finish, 1, step)));

            public Tensor unflatten(long dim, params long[] sizes)
            {
                var s = new List<long>(shape);
                var d = dim < 0 ? dim + s.Count : dim;
                s.RemoveAt((int)d);
                s.InsertRange((int)d, sizes);
                return view(s.ToArray());
            }

            private delegate int Splitter(IntPtr t, IntPtr[] output);

            private unsafe Tensor[] Parts(int count, Func<IntPtr, IntPtr, int, int> call)
            {
                var output = new IntPtr[count];
                int n;
                fixed (IntPtr* p = output) n = Check(call(Handle, (IntPtr)p, count));
                var result = new Tensor[n];
                for (int i = 0; i < n; i++) result[i] = new Tensor(output[i]);
                return result;
            }

            public unsafe Tensor[] chunk(long chunks, long dim = 0) =>
                Parts((int)Math.Max(chunks, 1), (h, p, c) => adt_chunk(h, chunks, dim, (IntPtr*)p, c));

            public unsafe Tensor[] split(long size, long dim = 0)
            {
                var d = size <= 0 ? 1 : (this.size(dim) + size - 1) / size;
                return Parts((int)Math.Max(d, 1), (h, p, c) => adt_split(h, size, dim, (IntPtr*)p, c));
            }

            public unsafe Tensor[] split(long[] sizes, long dim = 0) =>
                Parts(sizes.Length, (h, p, c) => {
                    fixed (long* s = sizes) return adt_split_sizes(h, s, sizes.Length, dim, (IntPtr*)p, c);
                });

            public unsafe Tensor[] unbind(long dimension = 0) =>
                Parts((int)Math.Max(size(dimension), 0), (h, p, c) => adt_unbind(h, dimension, (IntPtr*)p, c));

            public Tensor index_select(long dim, Tensor index) => new Tensor(Check(adt_index_op(Handle, 0, dim, index.Handle)));
            public Tensor gather(long dim, Tensor index) => new Tensor(Check(adt_index_op(Handle, 1, dim, index.Handle)));
            public Tensor take_along_dim(Tensor indices, long dim) => new Tensor(Check(adt_index_op(Handle, 2, dim, indices.Handle)));

            // ---- indexing

            public Tensor this[long i1] {
                get => select(0, i1);
                set => this[TensorIndex.Single(i1)] = value;
            }

            public Tensor this[long i1, long i2] {
                get => index(TensorIndex.Single(i1), TensorIndex.Single(i2));
                set => this[TensorIndex.Single(i1), TensorIndex.Single(i2)] = value;
            }

            public Tensor this[long i1, long i2, long i3] {
                get => index(TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3));
                set => this[TensorIndex.Single(i1), TensorIndex.Single(i2), TensorIndex.Single(i3)] = value;
            }

            public Tensor this[params TensorIndex[] indices] {
                get => index(indices);
                set => index_put_(value, indices);
            }

            public Tensor this[params Tensor[] indices] {
                get => index(Array.ConvertAll(indices, TensorIndex.Tensor));
                set => index_put_(value, Array.ConvertAll(indices, TensorIndex.Tensor));
            }

            /// <summary>Python-style indexing: integers, slices, ellipsis, None and index tensors.</summary>
            public Tensor index(params TensorIndex[] indices)
            {
                var (view, tensors) = BasicIndex(indices);
                if (tensors is null) return view;
                using (view) return AdvancedIndex(view, tensors);
            }

            /// <summary>Assigns value to the indexed region.</summary>
            public Tensor index_put_(Tensor value, params TensorIndex[] indices)
            {
                var (view, tensors) = BasicIndex(indices);
                using (view) {
                    if (tensors is null) {
                        view.copy_(value);
                    } else {
                        unsafe {
                            var handles = new IntPtr[tensors.Count];
                            for (int i = 0; i < handles.Length; i++) handles[i] = tensors[i]?.Handle ?? IntPtr.Zero;
                            fixed (IntPtr* p = handles) Check(adt_index_put_(view.Handle, p, handles.Length, value.Handle));
                        }
                    }
                }
                return this;
            }

            public Tensor index_put_(Scalar value, params TensorIndex[] indices)
            {
                using var v = torch.tensor(value.value, dtype);
                return index_put_(v, indices);
            }

            private static unsafe Tensor AdvancedIndex(Tensor view, List<Tensor?> tensors)
            {
                var handles = new IntPtr[tensors.Count];
                for (int i = 0; i < handles.Length; i++) handles[i] = tensors[i]?.Handle ?? IntPtr.Zero;
                fixed (IntPtr* p = handles) return new Tensor(Check(adt_index(view.Handle, p, handles.Length)));
            }

            /// <summary>
            /// Applies integer, slice, None and ellipsis indices as views; tensor indices are
            /// collected per remaining dimension for one advanced-index call.
            /// </summary>
            private (Tensor view, List<Tensor?>? tensors) BasicIndex(TensorIndex[] indices)
            {
                long rank = dim();
                int consumed = 0;
                foreach (var ix in indices)
                    if (ix.kind is TensorIndex.Kind.Single or TensorIndex.Kind.Slice or TensorIndex.Kind.Tensor or TensorIndex.Kind.Bool) consumed++;
                var current = alias();
                long d = 0;
                List<Tensor?>? tensors = null;
                try {
                    foreach (var ix in indices) {
                        Tensor next;
                        switch (ix.kind) {
                        case TensorIndex.Kind.Single:
                            next = current.select(d, ix.startIndexOrBoolOrSingle ?? 0);
                            break;
                        case TensorIndex.Kind.Slice:
                            next = new Tensor(Check(adt_slice(current.Handle, d,
                                ix.startIndexOrBoolOrSingle ?? 0, ix.startIndexOrBoolOrSingle.HasValue ? 1 : 0,
                                ix.stopIndex ?? 0, ix.stopIndex.HasValue ? 1 : 0, ix.step ?? 1)));
                            d++;
                            break;
                        case TensorIndex.Kind.None:
                            next = current.unsqueeze(d);
                            d++;
                            break;
                        case TensorIndex.Kind.Ellipsis:
                            d += rank - consumed;
                            continue;
                        case TensorIndex.Kind.Tensor:
                            tensors ??= new List<Tensor?>();
                            while (tensors.Count < d) tensors.Add(null);
                            tensors.Add(ix.tensor);
                            d++;
                            continue;
                        default:
                            throw new NotSupportedException($"index kind {ix.kind}");
                        }
                        current.Dispose();
                        current = next;
                    }
                } catch {
                    current.Dispose();
                    throw;
                }
                return (current, tensors);
            }
        }

        /// <summary>One component of a Python-style index expression.</summary>
        public sealed class TensorIndex
        {
            internal enum Kind { None, Ellipsis, Single, Null, Bool, Slice, Tensor }

            internal readonly Kind kind;
            internal readonly long? startIndexOrBoolOrSingle;
            internal readonly long? stopIndex;
            internal readonly long? step;
            internal readonly Tensor? tensor;

            private TensorIndex(Kind kind, long? start = null, long? stop = null, long? step = null, Tensor? tensor = null)
            {
                this.kind = kind;
                startIndexOrBoolOrSingle = start;
                stopIndex = stop;
                this.step = step;
                this.tensor = tensor;
            }

            public static TensorIndex Single(long? i) => new TensorIndex(Kind.Single, i);
            public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null) => new TensorIndex(Kind.Slice, start, stop, step);
            public static TensorIndex Tensor(Tensor t) => new TensorIndex(Kind.Tensor, tensor: t);
            public static readonly TensorIndex Ellipsis = new TensorIndex(Kind.Ellipsis);
            public static readonly TensorIndex None = new TensorIndex(Kind.None);
            public static readonly TensorIndex Colon = new TensorIndex(Kind.Slice);

            public static implicit operator TensorIndex(long index) => Single(index);
            public static implicit operator TensorIndex(Tensor tensor) => Tensor(tensor);

            public static implicit operator TensorIndex(System.Range range)
            {
                long? start = range.Start.IsFromEnd ? -range.Start.Value : range.Start.Value;
                long? stop = range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value;
                return Slice(start, stop);
            }

            public static implicit operator TensorIndex(System.Index index) =>
                Single(index.IsFromEnd ? -index.Value : index.Value);
        }
    }
}
