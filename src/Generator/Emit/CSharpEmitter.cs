using System.Collections.Immutable;
using System.Threading;

namespace ArchDsl.Generator.Emit
{
    /// <summary>A generated C# file: a hint name unique within the compilation and its text.</summary>
    public sealed record GeneratedSource(string HintName, string Text);

    public sealed record EmitOptions(string Namespace);

    public sealed record EmitResult(ImmutableArray<GeneratedSource> Sources, ImmutableArray<ArchDiagnostic> Diagnostics);

    /// <summary>Turns one .arch file (with its imports) into C#. Never throws.</summary>
    public static class CSharpEmitter
    {
        public static EmitResult Emit(SourceFile file, IImportResolver imports, EmitOptions options, CancellationToken cancellationToken = default)
        {
            var front = ArchFrontEnd.Check(file, imports, cancellationToken);
            return new EmitResult(ImmutableArray<GeneratedSource>.Empty, front.Diagnostics);
        }
    }
}
