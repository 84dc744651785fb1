using System;
using System.Collections;
using System.Collections.Generic;
using static TorchSharp.NativeMethods;

namespace TorchSharp.Utils
{
    /// <summary>
    /// Element access over a tensor's CPU memory, honouring its strides; writes go straight into
    /// the tensor. Valid while the tensor is alive.
    /// </summary>
    public sealed class TensorAccessor<T> : IEnumerable<T>, IDisposable where T : unmanaged
    {
        private readonly torch.Tensor tensor;
        private readonly long[] shape;
        private readonly long[] strides;

        internal TensorAccessor(torch.Tensor tensor)
        {
            this.tensor = tensor;
            shape = tensor.shape;
            strides = tensor.stride();
            Count = tensor.numel();
        }

        public long Count { get; }

        private unsafe T* Base => (T*)Check(adt_data_ptr(tensor.Handle));

        private long Offset(long linear)
        {
            long offset = 0;
            for (int d = shape.Length - 1; d >= 0; d--) {
                offset += (linear % shape[d]) * strides[d];
                linear /= shape[d];
            }
            return offset;
        }

        private long Offset(long[] indices)
        {
            if (indices.Length == 1 && shape.Length != 1) return Offset(indices[0]);
            if (indices.Length != shape.Length)
                throw new ArgumentException($"{indices.Length} indices for a tensor of rank {shape.Length}");
            long offset = 0;
            for (int d = 0; d < indices.Length; d++) {
                var i = indices[d] < 0 ? indices[d] + shape[d] : indices[d];
                if (i < 0 || i >= shape[d]) throw new IndexOutOfRangeException();
                offset += i * strides[d];
            }
            return offset;
        }

        public T this[params long[] indices] {
            get { unsafe { return Base[Offset(indices)]; } }
            set { unsafe { Base[Offset(indices)] = value; } }
        }

        public T[] ToArray()
        {
            var result = new T[Count];
            unsafe {
                var b = Base;
                for (long i = 0; i < Count; i++) result[i] = b[Offset(i)];
            }
            return result;
        }

        public IEnumerator<T> GetEnumerator()
        {
            for (long i = 0; i < Count; i++) {
                T value;
                unsafe { value = Base[Offset(i)]; }
                yield return value;
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void Dispose() { }
    }
}
