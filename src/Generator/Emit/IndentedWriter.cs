using System.Collections.Generic;
using System.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Line-oriented text with indentation; '\n' line ends on every platform.</summary>
    /// <remarks>A forward's layer calls of the running tensor are written with <see cref="Call"/> and
    /// <see cref="CallEach"/> rather than as text. When the writer is printed, consecutive calls of one tensor at one
    /// indentation become one <c>x = ArchOps.Sequence(x, this.conv1, this.bn1);</c> and a loop over a layer list
    /// becomes <c>x = ArchOps.Sequence(x, this.layers);</c>, so each intermediate activation is freed once the next
    /// layer has read it instead of living until the forward's dispose scope ends (ResNet-50's sixteen bottleneck
    /// outputs at batch 8 are ~176 MB). Nothing else can read the intermediates of such a run: any other line written
    /// between two calls ends it.</remarks>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        // Text written before the latest call, interleaved with the calls; empty while no call has been written.
        private readonly List<object> _segments = new List<object>();
        private int _indent;

        /// <summary>One layer call of the running tensor: <c>Tensor = Module.call(Tensor)</c>, or, for a list,
        /// <c>foreach (var m in Module) Tensor = m.call(Tensor)</c>.</summary>
        private sealed record CallStep(int Indent, string Tensor, string Module, bool IsList);

        public IndentedWriter(int indent = 0) { _indent = indent; }

        public IndentedWriter Line(string line = "")
        {
            if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
            _text.Append('\n');
            return this;
        }

        /// <summary><c>tensor = module.call(tensor);</c>, joined with the calls around it into one sequence.</summary>
        public IndentedWriter Call(string tensor, string module) => Step(new CallStep(_indent, tensor, module, false));

        /// <summary>Each module of the list <paramref name="modules"/> applied to <paramref name="tensor"/> in order.</summary>
        public IndentedWriter CallEach(string tensor, string modules) => Step(new CallStep(_indent, tensor, modules, true));

        private IndentedWriter Step(CallStep step)
        {
            FlushText();
            _segments.Add(step);
            return this;
        }

        private void FlushText()
        {
            if (_text.Length == 0) return;
            _segments.Add(_text.ToString());
            _text.Clear();
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

        /// <summary>Appends another writer's lines at this writer's indentation; its layer calls stay calls, so they
        /// join this writer's into one sequence where they meet.</summary>
        public IndentedWriter Append(IndentedWriter other)
        {
            foreach (var segment in other._segments)
            {
                if (segment is CallStep step) Step(step with { Indent = step.Indent + _indent });
                else Append((string)segment);
            }
            return Append(other._text.ToString());
        }

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

        public bool IsEmpty => _text.Length == 0 && _segments.Count == 0;

        public override string ToString()
        {
            if (_segments.Count == 0) return _text.ToString();
            var output = new StringBuilder();
            int i = 0;
            while (i < _segments.Count)
            {
                if (!(_segments[i] is CallStep first)) { output.Append((string)_segments[i++]); continue; }
                // A run is one loop over a layer list, or consecutive calls of single layers of one tensor.
                int j = i + 1;
                if (!first.IsList)
                    while (j < _segments.Count && _segments[j] is CallStep next && !next.IsList && next.Indent == first.Indent && next.Tensor == first.Tensor) j++;
                AppendRun(output, _segments, i, j);
                i = j;
            }
            return output.Append(_text).ToString();
        }

        private static void AppendRun(StringBuilder output, List<object> segments, int start, int end)
        {
            var first = (CallStep)segments[start];
            output.Append(' ', first.Indent * 4).Append(first.Tensor).Append(" = ");
            // One plain call has no intermediate to free.
            if (end - start == 1 && !first.IsList)
            {
                output.Append(first.Module).Append(".call(").Append(first.Tensor).Append(");\n");
                return;
            }
            output.Append("ArchOps.Sequence(").Append(first.Tensor);
            // Short runs on one line; longer ones one layer per line, like an nn.Sequential listing.
            bool tall = end - start > 4;
            for (int k = start; k < end; k++)
            {
                if (tall) output.Append(",\n").Append(' ', first.Indent * 4 + 4);
                else output.Append(", ");
                output.Append(((CallStep)segments[k]).Module);
            }
            output.Append(");\n");
        }
    }
}
