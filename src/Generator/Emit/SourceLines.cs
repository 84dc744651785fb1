using System;
using System.Collections.Generic;
using ArchDsl.Binding;
using ArchDsl.Text;

namespace ArchDsl.Generator.Emit
{
    /// <summary>Line numbers of declarations for the generated doc comments, from one line map per file: a map reads
    /// the whole file, so building one per declaration cost n times the file's length for a file of n declarations
    /// (3,000 one-line blocks: a quarter of a billion characters read).</summary>
    internal sealed class SourceLines
    {
        private readonly Dictionary<string, LineMap> _maps = new Dictionary<string, LineMap>(StringComparer.Ordinal);

        /// <summary>The 1-based line of <paramref name="offset"/> in <paramref name="file"/>.</summary>
        public int LineOf(ParsedFile file, int offset)
        {
            if (!_maps.TryGetValue(file.Path, out var map)) _maps[file.Path] = map = new LineMap(file.Text);
            return map.Locate(offset).Line;
        }
    }
}
