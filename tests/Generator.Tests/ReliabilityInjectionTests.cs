using System;
using System.Collections.Generic;
using System.Linq;
using ArchDsl.Fuzzing;
using ArchDsl.Generator.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>Names, strings, comments and paths in an .arch file reach generated C# only as identifiers, string
    /// literals and doc-comment text: hostile input yields code that compiles and declares nothing it smuggled in, or a
    /// diagnostic. Every payload tries to declare a type or member named Injected, or to add a directive.</summary>
    public sealed class ReliabilityInjectionTests
    {
        private static IReadOnlyList<SyntaxTree> Emit(string text, string path = "inject.arch", string ns = "App")
        {
            var result = CSharpEmitter.Emit(new SourceFile(path, text), NoImports.Instance, new EmitOptions(ns));
            Assert.DoesNotContain(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
            Assert.NotEmpty(result.Sources);
            var options = new CSharpParseOptions(LanguageVersion.Latest);
            return result.Sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, options, path: s.HintName)).ToArray();
        }

        /// <summary>Compiles without errors, declares nothing named Injected and holds no directive but #nullable and #pragma.</summary>
        private static void AssertNothingInjected(IReadOnlyList<SyntaxTree> trees)
        {
            var compilation = CSharpCompilation.Create("Inject", trees, FuzzOracle.References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Empty(compilation.GetSymbolsWithName(n => n == "Injected", SymbolFilter.All));
            foreach (var tree in trees)
            {
                var directives = tree.GetRoot().DescendantTrivia(descendIntoTrivia: true)
                    .Where(t => t.IsDirective).Select(t => t.Kind()).Distinct().ToArray();
                Assert.All(directives, k => Assert.True(k == SyntaxKind.NullableDirectiveTrivia || k == SyntaxKind.PragmaWarningDirectiveTrivia, tree.FilePath + ": " + k));
                Assert.DoesNotContain(tree.GetRoot().DescendantNodes(), n => n.IsKind(SyntaxKind.InvocationExpression) && n.ToString().Contains("Environment.Exit"));
            }
        }

        private const string Net = "network Net(width: int = 8) {\n  input 3x8x8\n  conv1: conv(width, 3, padding: 1)\n  relu\n}\n";

        public static TheoryData<string> HostileStrings() => new TheoryData<string>
        {
            "*/ class Injected { } /*",
            "\\\"; class Injected { } //",
            "\\\\\\\"; class Injected { } //",
            "a\\nclass Injected { }",
            "a\\n#line 1 \\\"evil.cs\\\"\\n#error injected",
            "\\\\u0022; class Injected { } //",
            "</summary><summary>class Injected { }",
            "]]> --> <!-- class Injected { }",
            "\u2028class Injected { }",
            "\u0085#error injected",
            "\r#error injected",
            "\u0000 \ufeff \ud800",
        };

        [Theory]
        [MemberData(nameof(HostileStrings))]
        public void A_hostile_reference_string_stays_a_string(string payload)
        {
            AssertNothingInjected(Emit(Net + "variant Small = Net(width: 4) reference \"" + payload + "\"\n"));
        }

        [Theory]
        [MemberData(nameof(HostileStrings))]
        public void A_hostile_comment_stays_a_comment(string payload)
        {
            // A comment directly above a declaration becomes its XML documentation.
            var comment = payload.Replace("\n", " ");
            AssertNothingInjected(Emit("// " + comment + "\n/* " + comment.Replace("*/", "*") + " */\n// " + comment + "\n" + Net
                + "// " + comment + "\nvariant Small = Net(width: 4)\n"));
        }

        [Theory]
        [InlineData("inject\n#error injected\n.arch")]
        [InlineData("*/ class Injected { } /*.arch")]
        [InlineData("dir\r\nclass Injected { }\u2028/x.arch")]
        [InlineData("\"; class Injected { } //.arch")]
        public void A_hostile_file_path_stays_in_a_comment(string path)
        {
            AssertNothingInjected(Emit(Net + "variant Small = Net(width: 4)\n", path));
        }

        [Theory]
        [InlineData("class")]
        [InlineData("namespace")]
        [InlineData("forward")]
        [InlineData("base")]
        [InlineData("this")]
        [InlineData("Dispose")]
        [InlineData("register_module")]
        [InlineData("__arglist")]
        [InlineData("__makeref")]
        [InlineData("__refvalue")]
        [InlineData("_Injected")]
        public void Keywords_and_member_names_as_labels_compile(string label)
        {
            var text = "block " + (label == "_Injected" ? "Blk" : "B_" + label) + "(c: int = 4) {\n  " + label + ": conv(c, 1)\n  relu\n}\n"
                + "network Net(width: int = 8) {\n  input 3x8x8\n  " + label + ": conv(width, 3, padding: 1)\n  b: " + (label == "_Injected" ? "Blk" : "B_" + label) + "(8)\n}\n";
            var trees = Emit(text);
            var compilation = CSharpCompilation.Create("Inject", trees, FuzzOracle.References,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        }

        [Fact]
        public void Unicode_escapes_in_names_are_a_diagnostic()
        {
            // C# reads \u0041 in an identifier as 'A'; .arch names are ASCII letters, digits and '_' only.
            var result = CSharpEmitter.Emit(new SourceFile("u.arch", "network N\\u0041() {\n  input 3x8x8\n  relu\n}\n"), NoImports.Instance, new EmitOptions("App"));
            Assert.Contains(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
            Assert.Empty(result.Sources);
        }

        [Theory]
        [InlineData("App; class Injected { } namespace X")]
        [InlineData("App\n#error injected")]
        [InlineData("global::App")]
        [InlineData("1.2.3")]
        public void A_hostile_namespace_is_sanitized(string ns)
        {
            AssertNothingInjected(Emit(Net, ns: ns));
        }
    }
}
