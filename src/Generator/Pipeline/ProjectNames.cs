using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using ArchDsl.Generator.Emit;
using ArchDsl.Syntax;
using ArchDsl.Text;

namespace ArchDsl.Generator.Pipeline
{
    /// <summary>Names that collide between files of one project, which no file's own compilation can see: the same
    /// network or variant in two files (one C# class each, in one namespace), and two files whose names map to the
    /// same C# name for their blocks (<c>my_net.arch</c> and <c>my-net.arch</c> both give <c>MyNetBlocks</c> and the
    /// namespace <c>Blocks.MyNet</c>), or a network named like another file's blocks enum. The file first in path
    /// order keeps the name; each other one gets ARCH0028 at its declaration and emits no C#, and so does every file
    /// importing it (ARCH0028 at the import), so that no build shows a C# error from generated code.</summary>
    public sealed record ProjectCollisions(EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<string> Suppressed)
    {
        public static readonly ProjectCollisions None = new ProjectCollisions(EquatableArray<DiagnosticInfo>.Empty, EquatableArray<string>.Empty);

        /// <summary>The collisions among <paramref name="files"/>.</summary>
        public static ProjectCollisions Find(IReadOnlyList<ArchFile> files, CancellationToken cancellationToken = default)
        {
            var ordered = files.OrderBy(f => f.DisplayPath, StringComparer.Ordinal).ToList();
            // Every C# type name a file declares in the project's namespace, with where and what it is.
            var owners = new Dictionary<string, (ArchFile File, string What)>(StringComparer.Ordinal);
            var diagnostics = new List<DiagnosticInfo>();
            var colliding = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in ordered)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (file.Text.Length > ReliabilityLimits.MaxFileLength) continue; // refused by its own unit
                var unit = ArchParser.ParseUnit(file.Text);
                var names = new List<(string TypeName, string What, string Becomes, TextSpan Span)>();
                var blocks = unit.Declarations.OfType<DefinitionDecl>().Where(d => d.Kind == DefinitionKind.Block).ToList();
                if (blocks.Count > 0)
                {
                    string stem = Naming.Pascal(Naming.FileStem(file.DisplayPath));
                    names.Add((stem + "Blocks", "blocks of '" + file.DisplayPath + "'", "the C# enum " + stem + "Blocks (and the namespace Blocks." + stem + ")", blocks[0].NameSpan));
                }
                foreach (var d in unit.Declarations.OfType<DefinitionDecl>().Where(d => d.Kind == DefinitionKind.Network))
                    names.Add((ClassEmitter.TypeName(d.Name), "network '" + d.Name + "'", "the C# class " + ClassEmitter.TypeName(d.Name), d.NameSpan));
                foreach (var v in unit.Declarations.OfType<VariantDecl>())
                    names.Add((ClassEmitter.TypeName(v.Name), "variant '" + v.Name + "'", "the C# class " + ClassEmitter.TypeName(v.Name), v.NameSpan));
                var own = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (typeName, what, becomes, span) in names)
                {
                    if (!own.Add(typeName)) continue; // within one file: the file's own compilation reports it
                    if (owners.TryGetValue(typeName, out var owner))
                    {
                        diagnostics.Add(At(file, span, "The " + what + " would become " + becomes + ", a name the " + owner.What
                            + (owner.What.StartsWith("blocks", StringComparison.Ordinal) ? "" : " in '" + owner.File.DisplayPath + "'")
                            + " already takes in this project"
                            + (what.StartsWith("blocks", StringComparison.Ordinal) ? " (file names that differ only in '_', '-', '.' or case give one C# name)" : "")
                            + "; rename one of them"));
                        colliding.Add(file.FullPath);
                    }
                    else owners[typeName] = (file, what);
                }
            }
            var suppressed = new HashSet<string>(colliding, StringComparer.Ordinal);
            if (colliding.Count > 0)
            {
                // A file whose unit holds a colliding file would refer to C# that is not emitted.
                var set = new ArchFileSet(ordered);
                foreach (var file in ordered.Where(f => !colliding.Contains(f.FullPath)))
                {
                    var imported = set.UnitFor(file).Imports.FirstOrDefault(i => colliding.Contains(i.FullPath));
                    if (imported is null) continue;
                    suppressed.Add(file.FullPath);
                    var import = ArchParser.ParseUnit(file.Text).Declarations.OfType<ImportDecl>()
                        .FirstOrDefault(i => set.Find(file.DisplayPath, i.Path)?.FullPath == imported.FullPath);
                    diagnostics.Add(At(file, import?.PathSpan ?? new TextSpan(0, 0),
                        "This file imports '" + imported.DisplayPath + "', whose names collide with another file's (see there); no C# is generated for either until they are renamed"));
                }
            }
            return new ProjectCollisions(diagnostics.ToEquatableArray(), suppressed.OrderBy(p => p, StringComparer.Ordinal).ToEquatableArray());
        }

        /// <summary>A unit's output with the project's collisions applied: the diagnostics located in its file added, and
        /// its sources dropped when it collides or imports a file that does.</summary>
        public UnitOutput Apply(UnitOutput output)
        {
            // A fault while looking (no path: it belongs to no file) is told with every unit's output.
            var faults = Diagnostics.Where(d => d.FullPath.Length == 0).ToList();
            if (!Suppressed.Contains(output.FullPath))
                return faults.Count == 0 ? output : output with { Diagnostics = output.Diagnostics.Concat(faults).ToEquatableArray() };
            var mine = Diagnostics.Where(d => string.Equals(d.FullPath, output.FullPath, StringComparison.Ordinal));
            return new UnitOutput(output.FullPath, EquatableArray<GeneratedSource>.Empty, output.Diagnostics.Concat(mine).Concat(faults).ToEquatableArray());
        }

        private static DiagnosticInfo At(ArchFile file, TextSpan span, string message)
        {
            var (line, column) = Position(file.Text, span.Start);
            var (endLine, endColumn) = Position(file.Text, span.End);
            return new DiagnosticInfo(global::ArchDsl.Diagnostics.DiagnosticCatalogue.GeneratedNameCollision.Id, ArchSeverity.Error, message, file.FullPath,
                span.Start, span.Length, line, column, endLine, endColumn);
        }

        /// <summary>The 0-based line and column of <paramref name="offset"/>.</summary>
        private static (int Line, int Column) Position(string text, int offset)
        {
            int line = 0, start = 0;
            for (int i = 0; i < offset && i < text.Length; i++)
                if (text[i] == '\n') { line++; start = i + 1; }
            return (line, Math.Max(0, offset - start));
        }
    }
}
