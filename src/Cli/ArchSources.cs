using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Generator.Pipeline;

namespace ArchDsl.Cli
{
    /// <summary>.arch files on disk: reading them, expanding folders, and resolving imports relative to the
    /// importing file (the same path rules as the generator, <see cref="ArchPaths"/>).</summary>
    public sealed class ArchSources : IImportResolver
    {
        public static readonly ArchSources Instance = new ArchSources();

        private ArchSources() { }

        /// <summary>Reads a file named on the command line; its path is kept as written, with '/' separators.</summary>
        public SourceFile Read(string path)
        {
            if (Directory.Exists(path)) throw new CliException("'" + path + "' is a folder; name an .arch file");
            if (!File.Exists(path)) throw new CliException("file not found: " + path);
            try
            {
                return new SourceFile(ArchPaths.Normalize(path), File.ReadAllText(path));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot read " + path + ": " + exception.Message);
            }
        }

        /// <summary>The .arch files named: files as given, folders searched recursively, in path order.</summary>
        public IReadOnlyList<string> Expand(IEnumerable<string> paths)
        {
            var files = new List<string>();
            foreach (var path in paths)
            {
                if (Directory.Exists(path))
                {
                    files.AddRange(Directory.EnumerateFiles(path, "*.arch", SearchOption.AllDirectories)
                        .Select(ArchPaths.Normalize)
                        .OrderBy(f => f, StringComparer.Ordinal));
                }
                else
                {
                    files.Add(path);
                }
            }
            return files;
        }

        public SourceFile? Resolve(string fromPath, string importPath)
        {
            var path = ArchPaths.Combine(fromPath, importPath);
            try
            {
                return File.Exists(path) ? new SourceFile(path, File.ReadAllText(path)) : null;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
