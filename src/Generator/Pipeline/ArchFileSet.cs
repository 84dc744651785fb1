using System;
using System.Collections.Generic;
using System.Linq;

namespace ArchDsl.Generator.Pipeline
{
    /// <summary>A set of .arch files that answers the front end's import questions, and finds every file
    /// a unit depends on. Paths match exactly first, then ignoring case.</summary>
    public sealed class ArchFileSet : IImportResolver
    {
        private readonly Dictionary<string, ArchFile> exact = new Dictionary<string, ArchFile>(StringComparer.Ordinal);
        private readonly Dictionary<string, ArchFile> ignoringCase = new Dictionary<string, ArchFile>(StringComparer.OrdinalIgnoreCase);

        public ArchFileSet(IEnumerable<ArchFile> files)
        {
            foreach (var file in files.OrderBy(f => f.DisplayPath, StringComparer.Ordinal))
            {
                var key = ArchPaths.Normalize(file.DisplayPath);
                if (!exact.ContainsKey(key)) exact.Add(key, file);
                if (!ignoringCase.ContainsKey(key)) ignoringCase.Add(key, file);
            }
        }

        public ArchFile? Find(string fromPath, string importPath)
        {
            var key = ArchPaths.Combine(fromPath, importPath);
            if (exact.TryGetValue(key, out var file)) return file;
            return ignoringCase.TryGetValue(key, out file) ? file : null;
        }

        SourceFile? IImportResolver.Resolve(string fromPath, string importPath)
        {
            var file = Find(fromPath, importPath);
            return file is null ? null : new SourceFile(file.DisplayPath, file.Text);
        }

        /// <summary>The unit for <paramref name="root"/>: the files it imports, directly or through other
        /// imports, in path order. Imports that name no file in the set are left to the front end to report.</summary>
        public ArchUnit UnitFor(ArchFile root)
        {
            var found = new Dictionary<string, ArchFile>(StringComparer.Ordinal);
            var pending = new Queue<ArchFile>();
            pending.Enqueue(root);
            while (pending.Count > 0)
            {
                var current = pending.Dequeue();
                foreach (var importPath in ImportScanner.FindImports(current.Text))
                {
                    var imported = Find(current.DisplayPath, importPath);
                    if (imported is null || imported.DisplayPath == root.DisplayPath || found.ContainsKey(imported.DisplayPath)) continue;
                    found.Add(imported.DisplayPath, imported);
                    pending.Enqueue(imported);
                }
            }
            var imports = found.Values.OrderBy(f => f.DisplayPath, StringComparer.Ordinal).ToEquatableArray();
            return new ArchUnit(root, imports);
        }

        public static ArchFileSet ForUnit(ArchUnit unit) => new ArchFileSet(new[] { unit.File }.Concat(unit.Imports));
    }
}
