using ArchDsl.Generator.Emit;

namespace ArchDsl.Generator.Pipeline
{
    // The values that flow between the generator's steps. All are value-equal records of strings,
    // numbers and EquatableArrays: no symbols, syntax, compilations or locations, so the driver can
    // tell an unchanged step from a changed one and skip everything downstream of it.

    /// <summary>Project-wide settings read from MSBuild properties.</summary>
    /// <param name="Namespace">Namespace of the generated classes.</param>
    /// <param name="ProjectDirectory">Normalized project folder; .arch paths are shown relative to it.</param>
    /// <param name="SourceRoot">Normalized ArchDslSourceRoot (empty when unset): files outside the project but under
    /// it are shown relative to it (see <see cref="ArchPaths.Display"/>).</param>
    public sealed record GeneratorOptions(string Namespace, string ProjectDirectory, string SourceRoot = "");

    /// <summary>One .arch file: where the compiler found it, the path shown to the user and to the
    /// emitter (relative to the project, so generated text does not depend on the machine), and its text.</summary>
    public sealed record ArchFile(string FullPath, string DisplayPath, string Text);

    /// <summary>What one .arch file needs to be compiled on its own: its text plus the texts of every
    /// file it imports, directly or not. Equal as long as none of them changes. <paramref name="Fault"/>
    /// holds the message of an exception caught while building the unit.</summary>
    public sealed record ArchUnit(ArchFile File, EquatableArray<ArchFile> Imports, string? Fault = null);

    /// <summary>A diagnostic as data, located by full path, text span and 0-based line span.</summary>
    public sealed record DiagnosticInfo(
        string Id, ArchSeverity Severity, string Message, string FullPath,
        int Start, int Length, int StartLine, int StartColumn, int EndLine, int EndColumn);

    /// <summary>Everything one unit produced: sources, diagnostics, and its networks' registry entries.</summary>
    public sealed record UnitOutput(
        string FullPath, EquatableArray<GeneratedSource> Sources, EquatableArray<DiagnosticInfo> Diagnostics,
        EquatableArray<ModelEntry> Models = default);
}
