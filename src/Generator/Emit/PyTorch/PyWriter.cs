using System.Collections.Generic;
using System.Text;

namespace ArchDsl.Generator.Emit.PyTorch
{
    /// <summary>Python text with four-space indentation; a suite left empty gets <c>pass</c>.</summary>
    internal sealed class PyWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private readonly Stack<int> _opened = new Stack<int>();
        private int _indent;
        private int _lines;

        public PyWriter(int indent = 0) { _indent = indent; }

        public PyWriter Line(string line = "")
        {
            if (line.Length > 0) { _text.Append(' ', _indent * 4).Append(line); _lines++; }
            _text.Append('\n');
            return this;
        }

        /// <summary>A compound statement's header (without the colon); what follows is its suite.</summary>
        public PyWriter Open(string header)
        {
            Line(header + ":");
            _opened.Push(_lines);
            _indent++;
            return this;
        }

        public PyWriter Close()
        {
            if (_opened.Count > 0 && _opened.Pop() == _lines) Line("pass");
            _indent--;
            return this;
        }

        public PyWriter Append(PyWriter other)
        {
            foreach (var line in other.ToString().Split('\n'))
                if (line.Length > 0) Line(line);
            return this;
        }

        public bool IsEmpty => _lines == 0;

        public override string ToString() => _text.ToString();
    }
}
