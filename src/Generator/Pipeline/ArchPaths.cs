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
