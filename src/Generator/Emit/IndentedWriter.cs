using System.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Line-oriented text with indentation; '\n' line ends on every platform.</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        public IndentedWriter(int indent = 0) { _indent = indent; }

        public IndentedWriter Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
            _text.Append('\n');
            return this;
        }

        /// <summary>Each '\n'-separated line of <paramref name="text"/> after <paramref name="prefix"/>, without
        /// splitting the text first (metadata tables run to thousands of lines); empty lines are left out when
        /// <paramref name="skipEmpty"/>.</summary>
        public IndentedWriter Lines(string text, string prefix = "", bool skipEmpty = false)
        {
            int start = 0;
            while (true)
            {
                int end = text.IndexOf('\n', start);
                int length = (end < 0 ? text.Length : end) - start;
                if (length > 0 || prefix.Length > 0) _text.Append(' ', _indent * 4).Append(prefix).Append(text, start, length).Append('\n');
                else if (!skipEmpty) _text.Append('\n');
                if (end < 0) return this;
                start = end + 1;
            }
        }

        public IndentedWriter Open(string line)
        {
            Line(line);
            Line("{");
            _indent++;
            return this;
        }

        public IndentedWriter Close(string suffix = "")
        {
            _indent--;
            return Line("}" + suffix);
        }

        public IndentedWriter Indent() { _indent++; return this; }
        public IndentedWriter Outdent() { _indent--; return this; }

        /// <summary>Appends another writer's lines at this writer's indentation.</summary>
        public IndentedWriter Append(IndentedWriter other) => Append(other.ToString());

        /// <summary>Appends lines of text at this writer's indentation.</summary>
        public IndentedWriter Append(string text)
        {
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0) continue;
                Line(line);
            }
            return this;
        }

        public bool IsEmpty => _text.Length == 0;

        public override string ToString() => _text.ToString();
    }
}
