using System;
using System.IO;
using System.Text;

namespace ArchDsl.Onnx.Proto
{
    /// <summary>Protocol-buffer wire format, writing side: varints, fixed 32-bit floats and length-delimited fields
    /// (strings, bytes, nested messages). Enough for ONNX's messages; no reflection, no generated code.</summary>
    public sealed class ProtoWriter
    {
        private const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;
        private readonly MemoryStream _buffer = new MemoryStream();

        public byte[] ToArray() => _buffer.ToArray();

        public ProtoWriter Int(int field, long value)
        {
            Tag(field, Varint);
            WriteVarint(unchecked((ulong)value));
            return this;
        }

        public ProtoWriter Float(int field, float value)
        {
            Tag(field, Fixed32);
            Span<byte> bytes = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            _buffer.Write(bytes);
            return this;
        }

        public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
        {
            Tag(field, LengthDelimited);
            WriteVarint((ulong)value.Length);
            _buffer.Write(value);
            return this;
        }

        /// <summary>A nested message: <paramref name="write"/> fills a writer of its own, whose bytes go in as one field.</summary>
        public ProtoWriter Message(int field, Action<ProtoWriter> write)
        {
            var inner = new ProtoWriter();
            write(inner);
            return Bytes(field, inner._buffer.GetBuffer().AsSpan(0, (int)inner._buffer.Length));
        }

        private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _buffer.WriteByte((byte)value);
        }
    }
}
