using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using static ArchDsl.Generator.Tests.GeneratorHarness;

namespace ArchDsl.Generator.Tests
{
    /// <summary>No .arch name can make the generated C# fail to compile: names the generated code depends on are either
    /// kept out of the user's way or refused with an ARCH diagnostic at the .arch location. Every case runs the generator
    /// and compiles its output against TorchSharp and ArchDsl.Runtime, warnings as errors.</summary>
    public sealed class NameCollisionTests
    {
        private static string Network(string name, string body = "  conv(4, 3)") => "network " + name + "() {\n  input 3x8x8\n" + body + "\n}\n";

        /// <summary>How many files the last <see cref="Build"/> generated.</summary>
        private static int Generated;

        /// <summary>The generator's diagnostics and the C# errors of the compilation it produced.</summary>
        private static (IReadOnlyList<Diagnostic> Generator, IReadOnlyList<Diagnostic> CSharp) Build(IDictionary<string, string>? properties, params (string Path, string Text)[] files)
        {
            var (generator, csharp, generated) = BuildStrict(properties, files);
            Generated = generated;
            return (generator, csharp);
        }

        private static void AssertRefused(string id, string path, int line, (IReadOnlyList<Diagnostic> Generator, IReadOnlyList<Diagnostic> CSharp) build)
        {
            Assert.Empty(build.CSharp);
            var d = Assert.Single(build.Generator, x => x.Id == id);
            var span = d.Location.GetLineSpan();
            Assert.Equal(ProjectDir + path, span.Path);
            Assert.Equal(line, span.StartLinePosition.Line + 1);
        }

        [Theory]
        [InlineData("nn")]
        [InlineData("torch")]
        [InlineData("Tensor")]
        [InlineData("FeatureShape")]
        [InlineData("IArchModule")]
        [InlineData("System")]
        [InlineData("Blocks")]
        [InlineData("NetBlocks")]
        public void A_network_named_like_a_type_the_generated_code_uses_is_ARCH0028(string name)
        {
            var text = "block B() { relu }\n" + Network(name, "  B");
            AssertRefused("ARCH0028", "net.arch", 2, Build(null, ("net.arch", text)));
        }

        [Fact]
        public void A_variant_named_like_a_type_the_generated_code_uses_is_ARCH0028()
        {
            var text = "network N(w: int = 4) {\n  input 3x8x8\n  conv(w, 3)\n}\nvariant ShapeGuard = N(w: 8)\n";
            AssertRefused("ARCH0028", "net.arch", 5, Build(null, ("net.arch", text)));
        }

        [Fact]
        public void A_namespace_part_named_like_a_type_the_generated_code_uses_is_ARCH0028()
        {
            AssertRefused("ARCH0028", "net.arch", 1, Build(new Dictionary<string, string> { ["ArchDslNamespace"] = "My.torch" }, ("net.arch", Network("Net"))));
        }

        [Theory]
        [InlineData("aux1", "Aux1", 5)]
        [InlineData("aux_1", "Aux1", 5)]
        [InlineData("output", null, 4)]
        public void Aux_heads_whose_Outputs_properties_coincide_are_ARCH0012(string first, string? second, int line)
        {
            var heads = "  " + first + ": aux { flatten; linear(2) }\n" + (second == null ? "" : "  " + second + ": aux { flatten; linear(3) }\n");
            var text = "network Net() {\n  input 3x8x8\n  conv(4, 3)\n" + heads + "  flatten\n  linear(5)\n}\n";
            AssertRefused("ARCH0012", "net.arch", line, Build(null, ("net.arch", text)));
        }

        /// <summary>The user's own C# declares, in namespaces around the generated one, types and a namespace named like
        /// what the generated code uses (an ML application may well have its own <c>Tensor</c>): the generated code's
        /// imports sit inside its namespace, so they are found first.</summary>
        [Fact]
        public void Types_the_users_project_declares_around_the_generated_namespace_do_not_capture_its_names()
        {
            var user = "namespace MyApp { public sealed class Tensor { } public static class nn { } public static class torch { }"
                + " public sealed class ShapeGuard { } public sealed class ArchModule { } public sealed class FeatureShape { } }\n";
            var text = "block B() { conv(4, 3, padding: 1); relu }\n" + Network("Net", "  b: B\n  flatten\n  linear(10)")
                + "variant Small = Net()\n";
            var (generator, csharp, generated) = BuildStrict(new Dictionary<string, string> { ["ArchDslNamespace"] = "MyApp.Networks" },
                new[] { user }, ("net.arch", text));
            Assert.DoesNotContain(generator, d => d.Severity == DiagnosticSeverity.Error);
            Assert.Empty(csharp);
            Assert.True(generated >= 4, "generated " + generated);
        }

        [Fact]
        public void Labels_parameters_and_lower_case_names_that_shadowed_types_now_compile()
        {
            var text = "block tiny(nn: int = 4, torch: int = 1) {\n  Tensor: conv(nn, 3, padding: torch)\n  FeatureShape: relu\n}\n"
                + "network net(System: int = 4) {\n  input 3x8x8\n  nn: tiny(nn: System)\n  ArchMath: conv(System, 1)\n}\nvariant small = net(System: 2)\n";
            var (generator, csharp) = Build(null, ("net.arch", text));
            Assert.DoesNotContain(generator, d => d.Severity == DiagnosticSeverity.Error);
            Assert.Empty(csharp);
            Assert.Equal(5, Generated);   // the block, network and variant files, the blocks enum, and the project's ArchModels
        }
    }
}
