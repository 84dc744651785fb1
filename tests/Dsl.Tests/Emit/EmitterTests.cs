using System.Linq;
using ArchDsl.Dsl.Tests.Support;
using ArchDsl.Generator.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace ArchDsl.Dsl.Tests.Emit
{
    public class EmitterTests
    {
        private static EmitResult Emit(string text, string path = "t.arch") =>
            CSharpEmitter.Emit(new SourceFile(path, text), NoImports.Instance, new EmitOptions("Test.Models"));

        private static void AssertValidCSharp(EmitResult result)
        {
            foreach (var s in result.Sources)
            {
                var tree = CSharpSyntaxTree.ParseText(s.Text);
                var errors = tree.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                Assert.True(errors.Count == 0, s.HintName + ":\n" + string.Join("\n", errors) + "\n" + s.Text);
            }
        }

        [Fact]
        public void Every_catalogue_file_emits_valid_deterministic_CSharp()
        {
            foreach (var name in TestFiles.CatalogueFiles())
            {
                var file = TestFiles.Catalogue(name);
                var first = CSharpEmitter.Emit(file, new TestFiles.CatalogueImports(), new EmitOptions("Catalogue"));
                var second = CSharpEmitter.Emit(file, new TestFiles.CatalogueImports(), new EmitOptions("Catalogue"));
                Assert.True(first.Diagnostics.All(d => d.Severity != ArchSeverity.Error), name + ": " + string.Join("\n", first.Diagnostics));
                Assert.NotEmpty(first.Sources);
                Assert.Equal(first.Sources.Select(s => s.HintName + s.Text), second.Sources.Select(s => s.HintName + s.Text));
                AssertValidCSharp(first);
            }
        }

        [Fact]
        public void Names_strings_and_comments_cannot_inject_code()
        {
            const string text = "// Doc */ with \u2028 System.Environment.Exit(1); and <xml> & stuff\n"
                + "block class(params: int = 1, @value: int = 2) { forward: conv(params, 1)\n relu }\n"
                + "network object(int: int = 3) {\n input 3x8x8\n class(int)\n}\n"
                + "variant V = object() reference \"x\\\"); System.Environment.Exit(1); //\\n\"\n";
            var result = Emit(text.Replace("@value: int = 2", "value_: int = 2"));
            Assert.True(result.Diagnostics.All(d => d.Severity != ArchSeverity.Error), string.Join("\n", result.Diagnostics));
            AssertValidCSharp(result);
            foreach (var s in result.Sources)
            {
                var root = CSharpSyntaxTree.ParseText(s.Text).GetRoot();
                Assert.DoesNotContain(root.DescendantNodes().OfType<InvocationExpressionSyntax>(), i => i.Expression.ToString().Contains("Exit"));
            }
            var block = result.Sources.Single(s => s.HintName.EndsWith(".class_.g.cs", System.StringComparison.Ordinal)).Text;
            Assert.Contains("Add(\"forward\", ", block);
        }

        [Fact]
        public void ResNet_classes_take_the_signature_and_keep_torchvision_names()
        {
            var result = CSharpEmitter.Emit(TestFiles.Catalogue("resnet.arch"), new TestFiles.CatalogueImports(), new EmitOptions("Models"));
            var resnet = result.Sources.Single(s => s.HintName == "resnet.ResNet.g.cs").Text;
            Assert.Contains("public ResNet(ResnetBlocks block = ResnetBlocks.Bottleneck, long[]? layers = null, ", resnet);
            Assert.Contains("long numClasses = 1000)", resnet);
            Assert.Contains("this.conv1 = Add(\"conv1\", nn.Conv2d(", resnet);
            Assert.Contains("using var scope = torch.NewDisposeScope();", resnet);
            Assert.Contains("ShapeGuard.Check(input, \"ResNet\"", resnet);
            var r50 = result.Sources.Single(s => s.HintName == "resnet.ResNet50.g.cs").Text;
            Assert.Contains("public new const long ParameterCount = 25557032L;", r50);
            Assert.Contains("public new const long MultiplyAccumulates = 4089184256L;", r50);
        }

        [Fact]
        public void Residual_directly_in_a_loop_becomes_a_nested_iteration_module()
        {
            var result = Emit("network N() {\n  input 3x8x8\n  repeat 2 { residual { conv(3, 3, padding: 1) } }\n}\n");
            Assert.DoesNotContain(result.Diagnostics, x => x.Id == "ARCH0022");
            AssertValidCSharp(result);
            var n = Assert.Single(result.Sources).Text;
            Assert.Contains("private sealed partial class NIteration1", n);
            Assert.Contains("register_module(_child.name, _child.module);", n);
        }

        [Fact]
        public void Front_end_errors_produce_no_sources()
        {
            var result = Emit("network N() {\n  input 3x8x8\n  linear(10)\n}\n");
            Assert.Contains(result.Diagnostics, x => x.Id == "ARCH0020");
            Assert.Empty(result.Sources);
        }
    }
}
