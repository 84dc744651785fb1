using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using ArchDsl.Generator.Emit;

namespace ArchDsl.Generator.Pipeline
{
    /// <summary>The emitter's signature; the generator takes one so tests can substitute it.</summary>
    public delegate EmitResult EmitFunction(SourceFile file, IImportResolver imports, EmitOptions options, CancellationToken cancellationToken);

    /// <summary>Compiles one unit with the emitter and turns the result into pipeline data. Never throws
    /// (except to honour cancellation): an exception becomes an ARCH9999 diagnostic.</summary>
    public static class UnitCompiler
    {
        public static UnitOutput Compile(ArchUnit unit, GeneratorOptions options, EmitFunction emit, CancellationToken cancellationToken)
        {
            if (unit.Fault is not null)
            {
                return Failed(unit.File.FullPath, Diagnostics.Fault(unit.File.FullPath, unit.Fault));
            }
            try
            {
                var result = emit(
                    new SourceFile(unit.File.DisplayPath, unit.File.Text),
                    ArchFileSet.ForUnit(unit),
                    new EmitOptions(options.Namespace),
                    cancellationToken);
                var sources = result.Sources.IsDefault ? Array.Empty<GeneratedSource>() : (IEnumerable<GeneratedSource>)result.Sources;
                var diagnostics = result.Diagnostics.IsDefault ? Array.Empty<ArchDiagnostic>() : (IEnumerable<ArchDiagnostic>)result.Diagnostics;
                var models = result.Models.IsDefault ? EquatableArray<ModelEntry>.Empty : result.Models.ToEquatableArray();
                return new UnitOutput(unit.File.FullPath, NameSources(unit.File.DisplayPath, sources), Diagnostics.FromFrontEnd(unit, diagnostics), models);
            }
            catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                return Failed(unit.File.FullPath, Diagnostics.Fault(unit.File.FullPath, exception));
            }
        }

        private static UnitOutput Failed(string fullPath, DiagnosticInfo fault) =>
            new UnitOutput(fullPath, EquatableArray<GeneratedSource>.Empty, new[] { fault }.ToEquatableArray());

        /// <summary>Hint names must be unique in the compilation and use only safe characters: each is
        /// prefixed with the .arch file's project-relative path ("architectures.resnet.ResNet50.g.cs").</summary>
        public static EquatableArray<GeneratedSource> NameSources(string displayPath, IEnumerable<GeneratedSource> sources)
        {
            var prefix = HintPrefix(displayPath);
            var stem = Sanitize(ArchPaths.StemOf(displayPath));
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var named = new List<GeneratedSource>();
            foreach (var source in sources)
            {
                if (source is null) continue;
                var hint = Sanitize(source.HintName ?? string.Empty);
                if (hint.EndsWith(".cs", StringComparison.OrdinalIgnoreCase)) hint = hint.Substring(0, hint.Length - 3);
                // An emitter that already names the file ("resnet.ResNet50.g") is not told twice.
                if (hint.StartsWith(stem + ".", StringComparison.Ordinal)) hint = hint.Substring(stem.Length + 1);
                if (!hint.StartsWith(prefix + ".", StringComparison.Ordinal)) hint = hint.Length == 0 ? prefix : prefix + "." + hint;
                var unique = hint;
                for (var n = 2; !used.Add(unique); n++) unique = hint + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                named.Add(new GeneratedSource(unique + ".cs", source.Text ?? string.Empty));
            }
            return named.ToEquatableArray();
        }

        private static string HintPrefix(string displayPath)
        {
            var withoutExtension = ArchPaths.DirectoryOf(displayPath);
            var stem = ArchPaths.StemOf(displayPath);
            var parts = new List<string>();
            foreach (var segment in (withoutExtension + "/" + stem).Split('/'))
            {
                if (segment.Length > 0 && segment != "..") parts.Add(segment);
            }
            var prefix = Sanitize(string.Join(".", parts));
            return prefix.Length == 0 ? "arch" : prefix;
        }

        private static string Sanitize(string name)
        {
            var builder = new StringBuilder(name.Length);
            foreach (var c in name)
            {
                builder.Append(c < 128 && (char.IsLetterOrDigit(c) || c == '.' || c == '_' || c == '-') ? c : '_');
            }
            return builder.ToString().Trim('.');
        }
    }
}
