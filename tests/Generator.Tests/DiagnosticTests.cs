using System;
using System.Collections.Immutable;
using System.Linq;
using ArchDsl.Generator.Emit;
using ArchDsl.Generator.Pipeline;
using Microsoft.CodeAnalysis;
using Xunit;
using static ArchDsl.Generator.Tests.GeneratorHarness;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Front-end diagnostics become compiler diagnostics located in the .arch file; nothing thrown inside
    /// the generator escapes it.</summary>
    public sealed class DiagnosticTests
    {
        private const string Text = "network A {\n  conv 16\n  add(x, y)\n}\n";

        [Fact]
        public void FrontEndDiagnostic_IsReportedAtItsFileLineAndColumn()
        {
            var generator = new ArchGenerator(EchoEmitter(file => ImmutableArray.Create(
                new ArchDiagnostic("ARCH0007", ArchSeverity.Error, "channel mismatch on add: 16 vs 32", file.Path,
                    Start: 26, Length: 9, Line: 3, Column: 3, EndLine: 3, EndColumn: 12))));

            var diagnostic = RunAndGetDiagnostics(generator, Arch("nets/resnet.arch", Text)).Single();

            Assert.Equal("ARCH0007", diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            var span = diagnostic.Location.GetLineSpan();
            Assert.Equal(ProjectDir + "nets/resnet.arch", span.Path);
            Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(2, 2), span.StartLinePosition);
            Assert.Equal(new Microsoft.CodeAnalysis.Text.LinePosition(2, 11), span.EndLinePosition);
            Assert.Equal(26, diagnostic.Location.SourceSpan.Start);
            Assert.Equal(ProjectDir + "nets/resnet.arch(3,3): error ARCH0007: channel mismatch on add: 16 vs 32", diagnostic.ToString());
        }

        [Theory]
        [InlineData(ArchSeverity.Warning, DiagnosticSeverity.Warning)]
        [InlineData(ArchSeverity.Info, DiagnosticSeverity.Info)]
        public void Severities_MapToCompilerSeverities(ArchSeverity severity, DiagnosticSeverity expected)
        {
            var generator = new ArchGenerator(EchoEmitter(file => ImmutableArray.Create(
                new ArchDiagnostic("ARCH0100", severity, "unused parameter 'k'", file.Path, 0, 1, 1, 1, 1, 2))));

            Assert.Equal(expected, RunAndGetDiagnostics(generator, Arch("a.arch", Text)).Single().Severity);
        }

        [Fact]
        public void DiagnosticInAnImportedFile_IsReportedOnceByThatFile()
        {
            // The front end sees lib.arch's error both when checking lib.arch and when checking a.arch.
            var generator = new ArchGenerator(EchoEmitter(file => ImmutableArray.Create(
                new ArchDiagnostic("ARCH0002", ArchSeverity.Error, "unknown layer 'cnv'", "lib.arch", 0, 3, 1, 1, 1, 4))));

            var diagnostics = RunAndGetDiagnostics(generator,
                Arch("lib.arch", "cnv 3\n"), Arch("a.arch", "import \"lib.arch\"\n"));

            Assert.Equal(ProjectDir + "lib.arch", diagnostics.Single().Location.GetLineSpan().Path);
        }

        [Fact]
        public void ExceptionInTheEmitter_BecomesArch9999InTheFile_NotCS8785()
        {
            var generator = new ArchGenerator((file, imports, options, cancellationToken) =>
                throw new InvalidOperationException("the emitter broke"));
            var compilation = Compilation(null, "class Program { }");
            // Two networks of different names: the same name in both files would be a collision (ARCH0028) besides.
            var driver = Driver(generator, new[] { Arch("broken.arch", Text), Arch("other.arch", Text.Replace("network A", "network B")) });

            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
            var result = driver.GetRunResult().Results.Single();

            Assert.Null(result.Exception);
            Assert.DoesNotContain(generatorDiagnostics.Concat(output.GetDiagnostics()), d => d.Id == "CS8785");
            Assert.Equal(2, generatorDiagnostics.Length);
            Assert.All(generatorDiagnostics, d =>
            {
                Assert.Equal(Pipeline.Diagnostics.GeneratorFaultId, d.Id);
                Assert.Equal(DiagnosticSeverity.Error, d.Severity);
                Assert.Contains("InvalidOperationException: the emitter broke", d.GetMessage());
            });
            Assert.Contains(generatorDiagnostics, d => d.Location.GetLineSpan().Path == ProjectDir + "broken.arch");
        }

        [Fact]
        public void DefaultResultsFromTheEmitter_AreTreatedAsEmpty()
        {
            var generator = new ArchGenerator((file, imports, options, cancellationToken) => new EmitResult(default, default));

            Assert.Empty(RunAndGetDiagnostics(generator, Arch("a.arch", Text)));
        }

        [FrontEndFact]
        public void BrokenArchFile_YieldsAnArchErrorInsideThatFile()
        {
            const string broken = "network Broken {\n  conv 16 (((\n}\n";

            var diagnostics = RunAndGetDiagnostics(new ArchGenerator(), Arch("broken.arch", broken));

            Assert.Contains(diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            var error = diagnostics.First(d => d.Severity == DiagnosticSeverity.Error);
            Assert.StartsWith("ARCH", error.Id);
            Assert.NotEqual(Pipeline.Diagnostics.GeneratorFaultId, error.Id);
            var span = error.Location.GetLineSpan();
            Assert.Equal(ProjectDir + "broken.arch", span.Path);
            Assert.InRange(span.StartLinePosition.Line, 0, 2);
        }

        private static ImmutableArray<Diagnostic> RunAndGetDiagnostics(ArchGenerator generator, params ArchText[] files)
        {
            var driver = Driver(generator, files).RunGenerators(Compilation(null, "class Program { }"));
            var result = driver.GetRunResult().Results.Single();
            Assert.Null(result.Exception);
            return result.Diagnostics;
        }
    }
}
