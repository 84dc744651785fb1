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
