using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ArchDsl.Generator.Pipeline
{
    /// <summary>Turns front-end diagnostics into pipeline data and pipeline data into compiler diagnostics.
    /// A <see cref="Location"/> is made only here, when reporting.</summary>
    public static class Diagnostics
    {
        /// <summary>Id of the diagnostic that stands for any exception caught inside the generator.</summary>
        public const string GeneratorFaultId = "ARCH9999";

        public const string Category = "ArchDsl";

        /// <summary>The data for a caught exception, located at the start of the file being compiled.</summary>
        public static DiagnosticInfo Fault(string fullPath, Exception exception) =>
            Fault(fullPath, exception.GetType().Name + ": " + exception.Message);

        /// <summary>The data for a caught exception's description; an empty path means no location.</summary>
        public static DiagnosticInfo Fault(string fullPath, string description) =>
            new DiagnosticInfo(
                GeneratorFaultId, ArchSeverity.Error, "The ArchDsl generator failed: " + description,
                fullPath, 0, 0, 0, 0, 0, 0);

        /// <summary>The unit's own diagnostics, located by full path. Diagnostics the front end reports
        /// inside an imported file are left to that file's own unit, so each is reported once.</summary>
        public static EquatableArray<DiagnosticInfo> FromFrontEnd(ArchUnit unit, IEnumerable<ArchDiagnostic> diagnostics)
        {
            var imported = new HashSet<string>(unit.Imports.Select(f => f.DisplayPath), StringComparer.Ordinal);
            var result = new List<DiagnosticInfo>();
            foreach (var d in diagnostics)
            {
                if (d is null || imported.Contains(d.Path)) continue;
                var line = Math.Max(0, d.Line - 1);
                var column = Math.Max(0, d.Column - 1);
                var endLine = Math.Max(line, d.EndLine - 1);
                var endColumn = endLine == line ? Math.Max(column, d.EndColumn - 1) : Math.Max(0, d.EndColumn - 1);
                result.Add(new DiagnosticInfo(
                    d.Id, d.Severity, d.Message ?? string.Empty, unit.File.FullPath,
                    Math.Max(0, d.Start), Math.Max(0, d.Length), line, column, endLine, endColumn));
            }
            return result.ToEquatableArray();
        }

        public static Diagnostic ToDiagnostic(DiagnosticInfo info)
        {
            var severity = info.Severity switch
            {
                ArchSeverity.Error => DiagnosticSeverity.Error,
                ArchSeverity.Warning => DiagnosticSeverity.Warning,
                _ => DiagnosticSeverity.Info,
            };
            var descriptor = new DiagnosticDescriptor(
                info.Id, info.Id, "{0}", Category, severity, isEnabledByDefault: true);
            var location = info.FullPath.Length == 0 ? Location.None : Location.Create(
                info.FullPath,
                new TextSpan(info.Start, info.Length),
                new LinePositionSpan(
                    new LinePosition(info.StartLine, info.StartColumn),
                    new LinePosition(info.EndLine, info.EndColumn)));
            return Diagnostic.Create(descriptor, location, info.Message);
        }
    }
}
