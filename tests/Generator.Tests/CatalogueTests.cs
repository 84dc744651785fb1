using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Every file in architectures/: its generated C# and its shape/cost table pinned as snapshots
    /// (Snapshots/CatalogueTests.*.verified.*), and all generated code compiling together without a diagnostic.</summary>
    public sealed class CatalogueTests
    {
        private const string SnapshotFolder = "Snapshots";

        private static readonly Lazy<CatalogueBuild> Build = new Lazy<CatalogueBuild>(CatalogueBuild.Run);

        [Fact]
        public void GeneratedCode() =>
            VerifyEach(nameof(GeneratedCode), "cs", file => file.GeneratedCode());

        [Fact]
        public void ShapeCostTables() =>
            VerifyEach(nameof(ShapeCostTables), "txt", file => file.Tables());

        [Fact]
        public void GeneratedCode_CompilesTogetherWithoutDiagnostics()
        {
            var build = Build.Value;

            var problems = build.GeneratorDiagnostics
                .Concat(build.Output.GetDiagnostics())
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .Select(d => d.ToString())
                .ToArray();

            Assert.True(problems.Length == 0, "Diagnostics:\n" + string.Join("\n", problems.Take(50)));
        }

        [EmitterFact]
        public void EveryNetwork_GetsAtLeastOneClass()
        {
            var build = Build.Value;
            var networks = build.Files.Sum(f => f.FrontEnd.Networks.Length);

            var classes = build.Output.SyntaxTrees
                .SelectMany(t => t.GetRoot().DescendantNodes().OfType<ClassDeclarationSyntax>())
                .Count();

            Assert.True(classes >= networks, networks + " networks but " + classes + " generated classes");
        }

        [Fact]
        public void CatalogueFiles_HaveNoErrors()
        {
            var errors = Build.Value.Files
                .SelectMany(f => f.FrontEnd.Diagnostics)
                .Where(d => d.Severity == ArchSeverity.Error)
                .Select(d => d.ToString())
                .ToArray();

            Assert.True(errors.Length == 0, string.Join("\n", errors));
        }

        /// <summary>Checks one snapshot per catalogue file and reports every mismatch at once; a snapshot whose
        /// .arch file is gone fails too (and is deleted when accepting).</summary>
        private static void VerifyEach(string test, string extension, Func<CatalogueFile, string> render)
        {
            var failures = new List<string>();
            var expected = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in Build.Value.Files)
            {
                var (verified, _) = Snapshot.FilesFor(ThisFile(), test, file.Name, extension, SnapshotFolder);
                expected.Add(Path.GetFileName(verified));
                try
                {
                    Snapshot.Verify(render(file), file.Name, extension, SnapshotFolder, test);
                }
                catch (SnapshotMismatchException mismatch)
                {
                    failures.Add(mismatch.Message);
                }
            }

            var folder = Path.GetDirectoryName(Snapshot.FilesFor(ThisFile(), test, "x", extension, SnapshotFolder).Verified)!;
            var stale = Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder, "CatalogueTests." + test + "_*.verified." + extension)
                    .Where(f => !expected.Contains(Path.GetFileName(f))).ToArray()
                : Array.Empty<string>();
            foreach (var orphan in stale)
            {
                if (Snapshot.Accepting) File.Delete(orphan);
                else failures.Add("Snapshot of a file no longer in architectures/: " + orphan + " (delete it)");
            }

            Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        }

        private static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;
    }
}
