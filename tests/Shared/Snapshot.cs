using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;

namespace ArchDsl.Tests
{
    /// <summary>Snapshot assertions with Verify's file conventions, so moving to Verify later is a rename:
    /// <list type="bullet">
    /// <item><c>&lt;TestClass&gt;.&lt;TestName&gt;[_&lt;parameter&gt;].verified.&lt;ext&gt;</c> is committed beside the
    /// test's source file (TestClass is the source file's name: one test class per file);</item>
    /// <item>on a mismatch, <c>.received.&lt;ext&gt;</c> is written beside it (git-ignored) and the failure
    /// message holds a unified diff from verified to received;</item>
    /// <item>with <c>ARCHDSL_ACCEPT=1</c> (or Verify's <c>VERIFY_AUTOACCEPT=true</c>) the received text becomes
    /// the verified file and the assertion passes.</item>
    /// </list>
    /// Texts are compared after turning CRLF into LF and ending them with exactly one newline.</summary>
    public static class Snapshot
    {
        public const string AcceptVariable = "ARCHDSL_ACCEPT";
        public const string VerifyAcceptVariable = "VERIFY_AUTOACCEPT";

        /// <summary>Compares <paramref name="actual"/> with the verified file for the calling test.</summary>
        /// <param name="parameter">Distinguishes snapshots of one test (a theory's argument, a file name).</param>
        /// <param name="extension">File extension without dot: "txt", "cs", "json".</param>
        /// <param name="directory">Folder relative to the test's source folder, for tests with many snapshots.</param>
        public static void Verify(
            string actual, string? parameter = null, string extension = "txt", string? directory = null,
            [CallerMemberName] string testName = "", [CallerFilePath] string sourceFile = "")
        {
            var files = FilesFor(sourceFile, testName, parameter, extension, directory);
            var received = Normalize(actual);
            var verified = File.Exists(files.Verified) ? Normalize(File.ReadAllText(files.Verified)) : null;

            if (verified == received)
            {
                if (File.Exists(files.Received)) File.Delete(files.Received);
                return;
            }
            if (Accepting)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(files.Verified)!);
                File.WriteAllText(files.Verified, received, Utf8);
                if (File.Exists(files.Received)) File.Delete(files.Received);
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(files.Received)!);
            File.WriteAllText(files.Received, received, Utf8);
            throw new SnapshotMismatchException(Describe(files, verified, received));
        }

        /// <summary>The verified and received paths for a test, without comparing anything.</summary>
        public static (string Verified, string Received) FilesFor(
            string sourceFile, string testName, string? parameter, string extension, string? directory = null)
        {
            var folder = SourceFolder(sourceFile);
            if (!string.IsNullOrEmpty(directory)) folder = Path.Combine(folder, directory);
            var stem = Path.GetFileNameWithoutExtension(sourceFile) + "." + testName;
            if (!string.IsNullOrEmpty(parameter)) stem += "_" + SafeName(parameter!);
            return (Path.Combine(folder, stem + ".verified." + extension),
                    Path.Combine(folder, stem + ".received." + extension));
        }

        /// <summary>The folder of the test's source file. Deterministic CI builds map source paths to "/_/..."; then
        /// the folder is found under the nearest ancestor of the test's output folder that contains it.</summary>
        private static string SourceFolder(string sourceFile)
        {
            var folder = Path.GetDirectoryName(sourceFile) ?? ".";
            if (Directory.Exists(folder)) return folder;
            var relative = folder.Replace('\\', '/');
            foreach (var prefix in new[] { "/_/", "/_1/", "/_2/" })
            {
                if (relative.StartsWith(prefix, StringComparison.Ordinal)) { relative = relative.Substring(prefix.Length); break; }
            }
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(Path.Combine(candidate, Path.GetFileName(sourceFile)))) return candidate;
            }
            throw new DirectoryNotFoundException("cannot find the folder of test source " + sourceFile);
        }

        public static bool Accepting => IsSet(AcceptVariable) || IsSet(VerifyAcceptVariable);

        private static bool IsSet(string variable)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            return value == "1" || string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
        }

        private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

        private static string Normalize(string text)
        {
            var lf = text.Replace("\r\n", "\n").Replace('\r', '\n');
            return lf.TrimEnd('\n') + "\n";
        }

        private static string SafeName(string parameter)
        {
            var builder = new StringBuilder(parameter.Length);
            foreach (var c in parameter)
            {
                builder.Append(char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.' ? c : '_');
            }
            return builder.ToString();
        }

        private static string Describe((string Verified, string Received) files, string? verified, string received)
        {
            var message = new StringBuilder();
            if (verified is null)
            {
                message.AppendLine("No verified snapshot: " + files.Verified);
                message.AppendLine("Received: " + files.Received);
            }
            else
            {
                message.AppendLine("Snapshot differs from " + files.Verified);
                message.AppendLine("Received: " + files.Received);
                message.AppendLine(SnapshotDiff.Unified(verified, received, "verified", "received"));
            }
            message.Append("Accept with " + AcceptVariable + "=1 (or move the received file over the verified one) after checking it.");
            return message.ToString();
        }
    }

    /// <summary>A received text that differs from its verified snapshot.</summary>
    public sealed class SnapshotMismatchException : Exception
    {
        public SnapshotMismatchException(string message) : base(message) { }
    }
}
