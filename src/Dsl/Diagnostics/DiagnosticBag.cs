using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Text;

namespace ArchDsl.Diagnostics
{
    /// <summary>A diagnostic before it is placed in a file: descriptor, message, file and span.</summary>
    public sealed record PendingDiagnostic(DiagnosticDescriptor Descriptor, string Message, string Path, TextSpan Span);

    /// <summary>Collects diagnostics; one bag per front-end run. Duplicates (same id, place and message) are dropped.</summary>
    public sealed class DiagnosticBag
    {
        private readonly List<PendingDiagnostic> _items = new List<PendingDiagnostic>();
        private readonly HashSet<(string, string, int, int, string)> _seen = new HashSet<(string, string, int, int, string)>();

        public int ErrorCount { get; private set; }

        public void Report(DiagnosticDescriptor descriptor, string path, TextSpan span, params object[] args) =>
            ReportIn("", descriptor, path, span, args);

        /// <summary>Reports a diagnostic whose message is followed by <paramref name="context"/> (which instance, loop
        /// iteration or variant it was found in). The context does not make a diagnostic new: the same message at the
        /// same place is reported once, with the context of the first time it was found.</summary>
        public void ReportIn(string context, DiagnosticDescriptor descriptor, string path, TextSpan span, params object[] args)
        {
            var message = descriptor.FormatMessage(args);
            if (!_seen.Add((descriptor.Id, path, span.Start, span.Length, message))) return;
            if (descriptor.Severity == ArchSeverity.Error) ErrorCount++;
            _items.Add(new PendingDiagnostic(descriptor, message + context, path, span));
        }

        public IReadOnlyList<PendingDiagnostic> Items => _items;

        /// <summary>Places every diagnostic in its file (line and column), ordered by file, position and id.</summary>
        public ImmutableArray<ArchDiagnostic> ToDiagnostics(IReadOnlyDictionary<string, string> texts)
        {
            var maps = new Dictionary<string, LineMap>();
            var result = ImmutableArray.CreateBuilder<ArchDiagnostic>(_items.Count);
            foreach (var d in _items.OrderBy(d => d.Path, System.StringComparer.Ordinal).ThenBy(d => d.Span.Start).ThenBy(d => d.Descriptor.Id, System.StringComparer.Ordinal))
            {
                if (!maps.TryGetValue(d.Path, out var map))
                {
                    map = new LineMap(texts.TryGetValue(d.Path, out var t) ? t : "");
                    maps[d.Path] = map;
                }
                var (line, column) = map.Locate(d.Span.Start);
                var (endLine, endColumn) = map.Locate(d.Span.End);
                result.Add(new ArchDiagnostic(d.Descriptor.Id, d.Descriptor.Severity, d.Message, d.Path,
                    d.Span.Start, d.Span.Length, line, column, endLine, endColumn));
            }
            return result.ToImmutable();
        }
    }
}
