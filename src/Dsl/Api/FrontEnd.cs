using System.Collections.Immutable;
using System.Threading;

namespace ArchDsl
{
    /// <summary>One .arch source: its path (as the user or the compiler names it) and its text.</summary>
    public sealed record SourceFile(string Path, string Text);

    /// <summary>Finds the file an <c>import "x.arch"</c> names, relative to the importing file. Null when absent.</summary>
    public interface IImportResolver
    {
        SourceFile? Resolve(string fromPath, string importPath);
    }

    public enum ArchSeverity { Error, Warning, Info }

    /// <summary>A diagnostic as data: stable id, severity, message and a span inside <see cref="Path"/>.
    /// Lines and columns are 1-based; Start/Length are character offsets into the file's text.</summary>
    public sealed record ArchDiagnostic(
        string Id, ArchSeverity Severity, string Message, string Path,
        int Start, int Length, int Line, int Column, int EndLine, int EndColumn)
    {
        /// <summary>Compiler format: <c>path(line,col): error ARCH0007: message</c>.</summary>
        public override string ToString() =>
            Path + "(" + Line.ToString(System.Globalization.CultureInfo.InvariantCulture) + "," +
            Column.ToString(System.Globalization.CultureInfo.InvariantCulture) + "): " +
            (Severity == ArchSeverity.Error ? "error" : Severity == ArchSeverity.Warning ? "warning" : "info") +
            " " + Id + ": " + Message;
    }

    /// <summary>One row of a network's shape/cost table.</summary>
    public sealed record LayerRow(
        string Path, string Operation, ImmutableArray<long> OutputShape,
        long Params, long Macs, long MemoryAccess);

    /// <summary>Static facts about one network (or variant) at its declared input size.</summary>
    public sealed record NetworkSummary(
        string Name, string File, int Line,
        ImmutableArray<long> Input, ImmutableArray<long> Output,
        long Params, long Buffers, long Macs, long MemoryAccess, long ActivationElements,
        string? Reference, ImmutableArray<LayerRow> Layers);

    /// <summary>What the front end knows about one file: diagnostics (never exceptions) and networks.</summary>
    public sealed record FrontEndResult(
        ImmutableArray<ArchDiagnostic> Diagnostics,
        ImmutableArray<NetworkSummary> Networks);

    /// <summary>The front end's entry point: parse, bind, infer shapes and costs. Never throws.</summary>
    public static class ArchFrontEnd
    {
        public static FrontEndResult Check(SourceFile file, IImportResolver imports, CancellationToken cancellationToken = default)
        {
            // Placeholder until the pipeline lands (language issue).
            return new FrontEndResult(ImmutableArray<ArchDiagnostic>.Empty, ImmutableArray<NetworkSummary>.Empty);
        }
    }
}
