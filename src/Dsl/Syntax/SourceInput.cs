using System;
using System.Collections.Generic;
using Sprache;

namespace ArchDsl.Syntax
{
    /// <summary>The parser's view of a source text: one shared cursor object per offset, made on first use, so
    /// backtracking over the same text allocates nothing more, and the end of the whitespace and comments after
    /// each offset is found once per parse rather than once per alternative tried. Line and column are
    /// computed only when asked (Sprache's own messages; the front end uses offsets).</summary>
    internal sealed class SourceInput : IInput, IEquatable<SourceInput>
    {
        private readonly Text _text;

        private SourceInput(Text text, int position)
        {
            _text = text;
            Position = position;
        }

        /// <summary>The cursor at the start of <paramref name="source"/>.</summary>
        public static SourceInput Start(string source) => new Text(source ?? "").At(0);

        public string Source => _text.Source;
        public int Position { get; }
        public bool AtEnd => Position >= _text.Source.Length;
        public char Current => _text.Source[Position];
        public IDictionary<object, object> Memos => _text.Memos;

        public int Line
        {
            get
            {
                int line = 1;
                for (int i = 0; i < Position; i++) if (_text.Source[i] == '\n') line++;
                return line;
            }
        }

        public int Column => Position - (Position == 0 ? 0 : _text.Source.LastIndexOf('\n', Position - 1) + 1) + 1;

        public IInput Advance()
        {
            if (AtEnd) throw new InvalidOperationException("The input is already at the end of the source.");
            return _text.At(Position + 1);
        }

        /// <summary>The cursor at <paramref name="position"/> of the same text (clamped to its end).</summary>
        public SourceInput Seek(int position) => _text.At(Math.Min(Math.Max(position, 0), _text.Source.Length));

        /// <summary>The offset of the first character after the whitespace and comments that start here.</summary>
        public int AfterTrivia() => _text.AfterTrivia(Position);

        /// <summary>Skipping the whitespace and comments that start here: the offset where they end and the cursor
        /// there, made once per offset (every token parser starts with it).</summary>
        public IResult<int> SkipTrivia()
        {
            if (_skipped != null) return _skipped;
            var next = Seek(AfterTrivia());
            return _skipped = Result.Success(next.Position, (IInput)next);
        }

        private IResult<int>? _skipped;

        /// <summary>The result of reading a name here (the grammar's alternatives try one at the same offset several times).</summary>
        internal IResult<(string Name, int Start, int End)>? Name;

        public bool Equals(SourceInput? other) => other != null && ReferenceEquals(other._text, _text) && other.Position == Position;
        public bool Equals(IInput? other) => other is SourceInput s && Equals(s);
        public override bool Equals(object? obj) => obj is SourceInput s && Equals(s);
        public override int GetHashCode() => (_text.Source.GetHashCode() * 397) ^ Position;
        public override string ToString() => "offset " + Position;

        private sealed class Text
        {
            // Texts past this size (refused by the binder anyway) are parsed without the per-offset tables,
            // which would cost 12 bytes per character.
            private const int CachedLength = 1 << 22;
            private readonly SourceInput?[]? _cursors;
            private readonly int[]? _trivia; // 0 = not yet known, else end of trivia + 1

            public Text(string source)
            {
                Source = source;
                if (source.Length > CachedLength) return;
                _cursors = new SourceInput?[source.Length + 1];
                _trivia = new int[source.Length + 1];
            }

            public string Source { get; }
            public IDictionary<object, object> Memos { get; } = new Dictionary<object, object>();

            public SourceInput At(int position) => _cursors == null ? new SourceInput(this, position) : _cursors[position] ??= new SourceInput(this, position);

            public int AfterTrivia(int position)
            {
                if (_trivia == null) return Lexical.SkipTrivia(Source, position);
                int known = _trivia[position];
                if (known != 0) return known - 1;
                int end = Lexical.SkipTrivia(Source, position);
                _trivia[position] = end + 1;
                return end;
            }
        }
    }
}
