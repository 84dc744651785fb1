using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ArchDsl.Dsl.Tests.Support
{
    /// <summary>Where the repository, the catalogue and torchvision's reference figures are.</summary>
    public static class TestFiles
    {
        public static string RepoRoot { get; } = FindRoot();

        public static string Architectures => Path.Combine(RepoRoot, "architectures");

        /// <summary>torchvision's figures: $ARCHDSL_ORACLES, else ../shared/oracles next to the repository.</summary>
        public static string Oracles
        {
            get
            {
                var env = Environment.GetEnvironmentVariable("ARCHDSL_ORACLES");
                if (!string.IsNullOrEmpty(env)) return env;
                return Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "oracles"));
            }
        }

        public static SourceFile Catalogue(string fileName)
        {
            var path = Path.Combine(Architectures, fileName);
            return new SourceFile("architectures/" + fileName, File.ReadAllText(path));
        }

        public static IEnumerable<string> CatalogueFiles() =>
            Directory.EnumerateFiles(Architectures, "*.arch").Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal)!;

        /// <summary>Resolves imports among the catalogue files.</summary>
        public sealed class CatalogueImports : IImportResolver
        {
            public SourceFile? Resolve(string fromPath, string importPath)
            {
                var path = Path.Combine(Architectures, importPath);
                return File.Exists(path) ? new SourceFile("architectures/" + importPath, File.ReadAllText(path)) : null;
            }
        }

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("Cannot find ArchDsl.sln above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>An in-memory set of files for import tests.</summary>
    public sealed class MemoryImports : IImportResolver
    {
        private readonly Dictionary<string, string> _files;
        public MemoryImports(Dictionary<string, string> files) { _files = files; }
        public SourceFile? Resolve(string fromPath, string importPath) =>
            _files.TryGetValue(importPath, out var text) ? new SourceFile(importPath, text) : null;
    }
}
