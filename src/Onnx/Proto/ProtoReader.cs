using System;
using System.Collections.Generic;
using System.Text;

namespace ArchDsl.Onnx.Proto
{
    /// <summary>One field read from a message: its number, wire type, and value (a varint, 32 or 64 fixed bits, or
    /// the bytes of a length-delimited field).</summary>
    public readonly struct ProtoField
    {
        public ProtoField(int number, int wireType, ulong scalar, ReadOnlyMemory<byte> bytes)
        {
            Number = number;
            WireType = wireType;
            Scalar = scalar;
            Bytes = bytes;
        }

        public int Number { get; }
        public int WireType { get; }
        public ulong Scalar { get; }
        public ReadOnlyMemory<byte> Bytes { get; }

        public long Int => unchecked((long)Scalar);
        public float Float => BitConverter.Int32BitsToSingle(unchecked((int)(uint)Scalar));
        public string Text => Encoding.UTF8.GetString(Bytes.Span);

        /// <summary>A repeated int64 field written packed (one length-delimited run of varints) or one value.</summary>
        public IEnumerable<long> Ints()
        {
            if (WireType != 2) return new[] { Int };
            var values = new List<long>();
            var span = Bytes.Span;
            int position = 0;
            while (position < span.Length) values.Add(unchecked((long)ProtoReader.ReadVarint(span, ref position)));
            return values;
        }
    }

    /// <summary>Protocol-buffer wire format, reading side: splits a message into its fields. Malformed input throws
    /// <see cref="FormatException"/>.</summary>
    public static class ProtoReader
    {
        public static List<ProtoField> Fields(ReadOnlyMemory<byte> message)
        {
            var fields = new List<ProtoField>();
            var span = message.Span;
            int position = 0;
            while (position < span.Length)
            {
                ulong tag = ReadVarint(span, ref position);
                int number = (int)(tag >> 3), wireType = (int)(tag & 7);
                if (number < 1) throw new FormatException("field number " + number + " at byte " + position);
                switch (wireType)
                {
                    case 0:
                        fields.Add(new ProtoField(number, wireType, ReadVarint(span, ref position), default));
                        break;
                    case 1:
                        Need(span, position, 8);
                        fields.Add(new ProtoField(number, wireType, BitConverter.ToUInt64(span.Slice(position, 8)), default));
                        position += 8;
                        break;
                    case 5:
                        Need(span, position, 4);
                        fields.Add(new ProtoField(number, wireType, BitConverter.ToUInt32(span.Slice(position, 4)), default));
                        position += 4;
                        break;
                    case 2:
                        ulong length = ReadVarint(span, ref position);
                        if (length > (ulong)(span.Length - position)) throw new FormatException("a field runs past the end of its message");
                        fields.Add(new ProtoField(number, wireType, 0, message.Slice(position, (int)length)));
                        position += (int)length;
                        break;
                    default:
                        throw new FormatException("wire type " + wireType + " is not supported");
                }
            }
            return fields;
        }

        internal static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                Need(span, position, 1);
                byte b = span[position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw new FormatException("a varint longer than 10 bytes");
        }

        private static void Need(ReadOnlySpan<byte> span, int position, int count)
        {
            if (position + count > span.Length) throw new FormatException("the message ends inside a field");
        }
    }
}
