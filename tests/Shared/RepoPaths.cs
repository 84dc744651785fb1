using System;
using System.IO;

namespace ArchDsl.Testing
{
    /// <summary>Folders of the repository the tests run from (found by walking up to ArchDsl.sln).</summary>
    public static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string Architectures => Path.Combine(Root, "architectures");

        /// <summary>Read-only reference material beside the repository (oracles, API listings).</summary>
        public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

        private static string FindRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ArchDsl.sln"))) return dir.FullName;
            }
            throw new InvalidOperationException("ArchDsl.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
