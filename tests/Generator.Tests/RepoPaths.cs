using System;
using System.IO;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Folders of the repository the tests run from (found by walking up to ArchDsl.sln).</summary>
    internal static class RepoPaths
    {
        public static string Root { get; } = FindRoot();

        public static string Architectures => Path.Combine(Root, "architectures");

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
