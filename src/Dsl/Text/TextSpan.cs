using System;
using System.Collections.Generic;

namespace ArchDsl.Text
{
    /// <summary>A range of characters in one source text: start offset and length.</summary>
    public readonly struct TextSpan : IEquatable<TextSpan>
    {
        public TextSpan(int start, int length)
        {
            Start = start;
            Length = length < 0 ? 0 : length;
        }

        public int Start { get; }
        public int Length { get; }
        public int End => Start + Length;

        public static TextSpan FromBounds(int start, int end) => new TextSpan(start, end - start);

        public TextSpan Cover(TextSpan other) =>
            FromBounds(Math.Min(Start, other.Start), Math.Max(End, other.End));

        /// <summary>Whether <paramref name="other"/> lies within this span.</summary>
        public bool Contains(TextSpan other) => other.Start >= Start && other.End <= End;

        public bool Equals(TextSpan other) => Start == other.Start && Length == other.Length;
        public override bool Equals(object? obj) => obj is TextSpan s && Equals(s);
        public override int GetHashCode() => unchecked(Start * 397 ^ Length);
        public override string ToString() => "[" + Start + ".." + End + ")";
    }

    /// <summary>Maps character offsets to 1-based lines and columns.</summary>
    public sealed class LineMap
    {
        private readonly List<int> _lineStarts = new List<int> { 0 };
        private readonly int _length;

        public LineMap(string text)
        {
            _length = text.Length;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == '\n') _lineStarts.Add(i + 1);
            }
        }

        /// <summary>1-based line and column of an offset (clamped into the text).</summary>
        public (int Line, int Column) Locate(int offset)
        {
            if (offset < 0) offset = 0;
            if (offset > _length) offset = _length;
            int lo = 0, hi = _lineStarts.Count - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) / 2;
                if (_lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
            }
            return (lo + 1, offset - _lineStarts[lo] + 1);
        }
    }
}
