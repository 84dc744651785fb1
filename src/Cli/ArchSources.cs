using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ArchDsl.Generator.Pipeline;

namespace ArchDsl.Cli
{
    /// <summary>.arch files on disk: reading them, expanding folders, and resolving imports relative to the
    /// importing file (the same path rules as the generator, <see cref="ArchPaths"/>). Only regular files are read,
    /// never more than <see cref="ReliabilityLimits.MaxFileBytes"/> (a FIFO, a device or a folder would block or never
    /// end); folders are walked once each, however symbolic links loop; and a file reached under several spellings
    /// (<c>./a.arch</c>, <c>sub/../a.arch</c>, a link to it) is one file, under the first spelling seen. One instance
    /// per command line (<see cref="BeginRun"/>): what it remembers is about the files of one run.</summary>
    public sealed class ArchSources : IImportResolver
    {
        public static ArchSources Instance { get; private set; } = new ArchSources();

        /// <summary>Forgets the files of the previous command line (a process may run several, as the tests do).</summary>
        internal static void BeginRun() => Instance = new ArchSources();

        /// <summary>The path each file (by identity) was first reached under.</summary>
        private readonly Dictionary<FileIdentity, string> _firstPath = new Dictionary<FileIdentity, string>();

        private ArchSources() { }

        /// <summary>Reads a file named on the command line; its path is kept as written, with '/' separators.</summary>
        public SourceFile Read(string path)
        {
            var identity = FileIdentity.Of(path);
            var refusal = Refusal(identity);
            if (identity.Kind == FileIdentity.Kinds.Missing) throw new CliException("file not found: " + path);
            if (refusal != null) throw new CliException(path + ": " + refusal);
            try
            {
                return new SourceFile(PathOf(identity, ArchPaths.Normalize(path)), ReadBounded(path));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw new CliException("cannot read " + path + ": " + exception.Message);
            }
        }

        /// <summary>Why a path is not read, or null when it is a regular file within the size limit.</summary>
        private static string? Refusal(FileIdentity identity) => identity.Kind switch
        {
            FileIdentity.Kinds.Missing => "file not found",
            FileIdentity.Kinds.Directory => "is a folder; name an .arch file",
            FileIdentity.Kinds.Other => "is not a regular file (a FIFO, a device or a socket is never read: it could block or never end)",
            _ => identity.Size > ReliabilityLimits.MaxFileBytes
                ? "is " + identity.Size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes; .arch files are read up to "
                  + ReliabilityLimits.MaxFileBytes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes"
                : null,
        };

        /// <summary>The first path <paramref name="identity"/> was reached under (this one when it is the first).</summary>
        private string PathOf(FileIdentity identity, string path)
        {
            if (_firstPath.TryGetValue(identity, out var first)) return first;
            _firstPath[identity] = path;
            return path;
        }

        /// <summary>The text of a regular file, read as UTF-8 up to the size limit: a file that grew after its size was
        /// checked is cut there (the front end then refuses it as too long), never read without end.</summary>
        private static string ReadBounded(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.SequentialScan);
            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while (buffer.Length <= ReliabilityLimits.MaxFileBytes && (read = stream.Read(chunk, 0, chunk.Length)) > 0)
                buffer.Write(chunk, 0, read);
            using var reader = new StreamReader(new MemoryStream(buffer.GetBuffer(), 0, (int)buffer.Length), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        /// <summary>The .arch files named: files as given, folders searched recursively, in path order; each file
        /// once, however many spellings or links reach it.</summary>
        public IReadOnlyList<string> Expand(IEnumerable<string> paths)
        {
            var files = new List<string>();
            var seen = new HashSet<FileIdentity>();
            foreach (var path in paths)
            {
                var identity = FileIdentity.Of(path);
                if (identity.Kind == FileIdentity.Kinds.Directory)
                {
                    foreach (var file in Walk(path).OrderBy(f => f, StringComparer.Ordinal))
                        if (seen.Add(FileIdentity.Of(file))) files.Add(file);
                }
                else if (identity.Kind == FileIdentity.Kinds.Missing || seen.Add(identity))
                {
                    files.Add(path); // Read reports what is wrong with it
                }
            }
            return files;
        }

        /// <summary>Folders a walk does not enter, as the build's default items leave them out (the package's targets
        /// exclude <c>$(DefaultItemExcludes)</c> and <c>$(DefaultExcludesInProjectFolder)</c>): build output
        /// (<c>bin</c>, <c>obj</c>, which hold copies of the project's .arch files) and hidden folders (<c>.git</c>).
        /// A folder named on the command line is always walked.</summary>
        private static bool IsSkipped(string folder)
        {
            var name = Path.GetFileName(folder.TrimEnd('/', Path.DirectorySeparatorChar));
            return name == "bin" || name == "obj" || name.StartsWith(".", StringComparison.Ordinal);
        }

        /// <summary>The *.arch files under <paramref name="root"/>, each folder entered once (by identity), so that
        /// links to a folder above, or to themselves, end; build output and hidden folders left out.</summary>
        private static List<string> Walk(string root)
        {
            var found = new List<string>();
            var entered = new HashSet<FileIdentity>();
            var pending = new Stack<string>();
            pending.Push(root);
            var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0, ReturnSpecialDirectories = false };
            while (pending.Count > 0)
            {
                var folder = pending.Pop();
                if (!entered.Add(FileIdentity.Of(folder))) continue;
                IEnumerable<string> entries;
                try { entries = Directory.EnumerateFileSystemEntries(folder, "*", options).ToList(); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
                foreach (var entry in entries)
                {
                    var identity = FileIdentity.Of(entry);
                    if (identity.Kind == FileIdentity.Kinds.Directory) { if (!IsSkipped(entry)) pending.Push(entry); }
                    else if (entry.EndsWith(".arch", StringComparison.Ordinal) && identity.Kind != FileIdentity.Kinds.Missing)
                        found.Add(ArchPaths.Normalize(entry)); // a FIFO named *.arch is listed, and Read refuses it
                }
            }
            return found;
        }

        /// <summary>The file an import names; null when it is missing and <see cref="ImportRefusedException"/> when it is
        /// not a regular file or is over the size limit (the front end reports either at the import).</summary>
        public SourceFile? Resolve(string fromPath, string importPath)
        {
            var path = ArchPaths.Combine(fromPath, importPath);
            var identity = FileIdentity.Of(path);
            if (identity.Kind == FileIdentity.Kinds.Missing) return null;
            if (Refusal(identity) is { } refusal) throw new ImportRefusedException(refusal);
            try
            {
                return new SourceFile(PathOf(identity, path), ReadBounded(path));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
    }
}
