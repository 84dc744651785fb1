using System;
using System.Collections.Generic;

namespace ArchDsl.Generator.Pipeline
{
    /// <summary>Path arithmetic on strings only (no file system), identical on every OS:
    /// separators become '/', '.' and '..' segments are folded.</summary>
    public static class ArchPaths
    {
        public static string Normalize(string path)
        {
            if (string.IsNullOrEmpty(path)) return string.Empty;
            var slashed = path.Replace('\\', '/');
            var root = RootOf(slashed);
            var segments = new List<string>();
            foreach (var segment in slashed.Substring(root.Length).Split('/'))
            {
                if (segment.Length == 0 || segment == ".") continue;
                if (segment == ".." && segments.Count > 0 && segments[segments.Count - 1] != "..")
                {
                    segments.RemoveAt(segments.Count - 1);
                    continue;
                }
                if (segment == ".." && root.Length > 0) continue; // above the root is the root
                segments.Add(segment);
            }
            return root + string.Join("/", segments);
        }

        /// <summary>The path that <paramref name="importPath"/> names when written in the file at
        /// <paramref name="fromPath"/>: relative paths start from that file's folder.</summary>
        public static string Combine(string fromPath, string importPath)
        {
            var target = importPath.Replace('\\', '/');
            var folder = DirectoryOf(fromPath);
            if (RootOf(target).Length > 0 || folder.Length == 0) return Normalize(target);
            return Normalize(folder + "/" + target);
        }

        public static string DirectoryOf(string path)
        {
            var normalized = Normalize(path);
            var slash = normalized.LastIndexOf('/');
            if (slash < 0) return string.Empty;
            return slash == 0 ? "/" : normalized.Substring(0, slash);
        }

        /// <summary><paramref name="path"/> relative to <paramref name="directory"/> when inside it;
        /// otherwise the normalized path itself.</summary>
        public static string RelativeTo(string path, string directory)
        {
            var file = Normalize(path);
            var folder = Normalize(directory).TrimEnd('/');
            if (folder.Length == 0) return file;
            if (file.Length > folder.Length + 1 && file[folder.Length] == '/' &&
                file.StartsWith(folder, StringComparison.OrdinalIgnoreCase))
            {
                return file.Substring(folder.Length + 1);
            }
            return file;
        }

        /// <summary>The path generated code shows for an .arch file (Metadata.SourceFile, doc comments), never absolute, so the
        /// generated text is the same on every machine: relative to the project folder when inside it; else relative to
        /// <paramref name="sourceRoot"/> (ArchDslSourceRoot, the repository inside this one) when inside that; else
        /// relative to the project folder through '..' segments; the bare file name when no relative path exists (another
        /// drive, or no project folder).</summary>
        public static string Display(string fullPath, string projectDirectory, string sourceRoot = "")
        {
            var file = Normalize(fullPath);
            if (RootOf(file).Length == 0) return file;
            foreach (var folder in new[] { projectDirectory, sourceRoot })
            {
                var inside = RelativeTo(file, folder);
                if (RootOf(inside).Length == 0) return inside;
            }
            return UpwardsFrom(file, Normalize(projectDirectory).TrimEnd('/')) ?? file.Substring(file.LastIndexOf('/') + 1);
        }

        // "../../architectures/x.arch" from "/r/tests/App" to "/r/architectures/x.arch"; null across roots.
        private static string? UpwardsFrom(string file, string folder)
        {
            var root = RootOf(file);
            if (folder.Length == 0 || root.Length == 0 || !string.Equals(root, RootOf(folder + "/"), StringComparison.OrdinalIgnoreCase)) return null;
            var fileParts = file.Substring(root.Length).Split('/');
            var folderParts = folder.Length > root.Length ? folder.Substring(root.Length).Split('/') : new string[0];
            int common = 0;
            while (common < folderParts.Length && common < fileParts.Length - 1 &&
                   string.Equals(fileParts[common], folderParts[common], StringComparison.OrdinalIgnoreCase)) common++;
            var parts = new List<string>();
            for (int i = common; i < folderParts.Length; i++) parts.Add("..");
            for (int i = common; i < fileParts.Length; i++) parts.Add(fileParts[i]);
            return string.Join("/", parts);
        }

        /// <summary>File name without folder and without the last extension.</summary>
        public static string StemOf(string path)
        {
            var normalized = Normalize(path);
            var name = normalized.Substring(normalized.LastIndexOf('/') + 1);
            var dot = name.LastIndexOf('.');
            return dot > 0 ? name.Substring(0, dot) : name;
        }

        // "/" for Unix absolute paths, "C:/" for drive paths, "//server/" for UNC paths, "" when relative.
        private static string RootOf(string slashed)
        {
            if (slashed.StartsWith("//", StringComparison.Ordinal))
            {
                var end = slashed.IndexOf('/', 2);
                return end < 0 ? slashed + "/" : slashed.Substring(0, end + 1);
            }
            if (slashed.StartsWith("/", StringComparison.Ordinal)) return "/";
            if (slashed.Length >= 2 && slashed[1] == ':' && char.IsLetter(slashed[0]))
            {
                return slashed.Length >= 3 && slashed[2] == '/' ? slashed.Substring(0, 3) : slashed.Substring(0, 2);
            }
            return string.Empty;
        }
    }
}
