using System;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace TorchSharp.Utils
{
    /// <summary>
    /// Unsigned LEB128, the variable-length integer TorchSharp's weight format uses for counts,
    /// element types and dimensions (7 bits per byte, low group first, high bit = more follows).
    /// </summary>
    internal static class LEB128Codec
    {
        public static void Encode(BinaryWriter writer, long value)
        {
            if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), "LEB128 encodes non-negative values only");
            do {
                var group = (byte)(value & 0x7f);
                value >>= 7;
                writer.Write(value != 0 ? (byte)(group | 0x80) : group);
            } while (value != 0);
        }

        public static long Decode(BinaryReader reader)
        {
            long result = 0;
            for (int shift = 0; ; shift += 7) {
                if (shift > 63) throw new InvalidDataException("LEB128 value too long");
                long b = reader.ReadByte();
                result |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) return result;
            }
        }
    }
}

namespace TorchSharp
{
    public static class TensorExtensionMethods
    {
        /// <summary>
        /// Writes one tensor in TorchSharp's format: element type, rank and each dimension as
        /// LEB128, then the elements' bytes in row-major order (little-endian).
        /// </summary>
        public static void Save(this Tensor tensor, BinaryWriter writer)
        {
            Utils.LEB128Codec.Encode(writer, (long)tensor.dtype);
            var shape = tensor.shape;
            Utils.LEB128Codec.Encode(writer, shape.Length);
            foreach (var d in shape) Utils.LEB128Codec.Encode(writer, d);
            writer.Write(tensor.bytes);
        }

        /// <summary>Reads a tensor's bytes into this tensor, which must have the same type and shape.</summary>
        public static void Load(this Tensor tensor, BinaryReader reader)
        {
            using var loaded = Load(reader);
            if (loaded.dtype != tensor.dtype)
                throw new ArgumentException("Mismatched tensor data types while loading. Make sure that the model you are loading into is exactly the same as the origin.");
            if (!loaded.shape.SequenceEqual(tensor.shape))
                throw new ArgumentException("Mismatched tensor shape while loading. Make sure that the model you are loading into is exactly the same as the origin.");
            using (no_grad()) tensor.copy_(loaded);
        }

        /// <summary>Reads one tensor written by Save.</summary>
        public static Tensor Load(BinaryReader reader)
        {
            var code = Utils.LEB128Codec.Decode(reader);
            if (code < 0 || code > 64 || !Enum.IsDefined(typeof(ScalarType), (sbyte)code))
                throw new InvalidDataException($"corrupt weight file: unknown element type {code}");
            var type = (ScalarType)code;
            long elementSize;
            try { elementSize = ElementSize(type); }
            catch (ArgumentException) { throw new InvalidDataException($"corrupt weight file: element type {type} cannot be loaded"); }
            var rank = Utils.LEB128Codec.Decode(reader);
            if (rank < 0 || rank > 64) throw new InvalidDataException($"implausible tensor rank {rank}");
            var shape = new long[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                shape[i] = Utils.LEB128Codec.Decode(reader);
                // Checked before multiplying, so absurd sizes never overflow into a small or negative count.
                if (shape[i] < 0 || (shape[i] > 0 && count > int.MaxValue / shape[i]))
                    throw new InvalidDataException($"corrupt weight file: implausible tensor shape [{string.Join(", ", shape.Take(i + 1))}]");
                count *= shape[i];
            }
            var size = count * elementSize;
            if (size > int.MaxValue) throw new NotSupportedException("tensors over 2 GB cannot be loaded");
            // A seekable file must still hold the bytes it claims: no allocation for data that is not there.
            if (reader.BaseStream.CanSeek && size > reader.BaseStream.Length - reader.BaseStream.Position)
                throw new EndOfStreamException("weight file ends inside a tensor");
            var data = reader.ReadBytes((int)size);
            if (data.Length != size) throw new EndOfStreamException("weight file ends inside a tensor");
            unsafe {
                fixed (byte* p = data)
                fixed (long* s = shape)
                    return new Tensor(NativeMethods.Check(NativeMethods.adt_from_data(p, data.Length, s, shape.Length, (int)type, 0)));
            }
        }

        public static float ToSingle(this Tensor value) => (float)value.ToScalar().ToDouble();
        public static double ToDouble(this Tensor value) => value.ToScalar().ToDouble();
        public static long ToInt64(this Tensor value) => value.ToScalar().ToInt64();
        public static int ToInt32(this Tensor value) => value.ToScalar().ToInt32();
        public static bool ToBoolean(this Tensor value) => value.ToScalar().ToBoolean();

        public static long TotalSize(this System.Collections.Generic.IEnumerable<long> shape)
        {
            long result = 1;
            foreach (var d in shape) result *= d;
            return result;
        }

        public static Tensor ToTensor<T>(this T[] rawArray, long[] dimensions, bool doCopy = false, bool requires_grad = false) where T : unmanaged
        {
            using var flat = from_array(rawArray);
            var shaped = flat.reshape(dimensions).clone();
            if (requires_grad) shaped.requires_grad = true;
            return shaped;
        }
    }

    public static partial class torch
    {
        /// <summary>Saves one tensor in TorchSharp's format.</summary>
        public static void save(Tensor t, string location)
        {
            using var stream = File.Create(location);
            using var writer = new BinaryWriter(stream);
            t.Save(writer);
        }

        public static Tensor load(string location)
        {
            using var stream = File.OpenRead(location);
            using var reader = new BinaryReader(stream);
            return TensorExtensionMethods.Load(reader);
        }
    }
}
