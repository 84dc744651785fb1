using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using ArchDsl.Syntax;
using Xunit;

namespace ArchDsl.Dsl.Tests.Binding
{
    public class BinderTests
    {
        private static BoundProgram Bind(string text, DiagnosticBag bag) =>
            Binder.Bind(new SourceFile("t.arch", text), NoImports.Instance, bag, default);

        [Fact]
        public void Types_follow_the_language_rules()
        {
            var bag = new DiagnosticBag();
            var p = Bind("block A(w: float = 1.0, n: int = 2, xs: int[] = [1, 2]) {\n let a = n / 2\n let b = w * n\n let c = n > 1 && true\n let d = xs[0]\n let e = make_divisible(32 * w, 8)\n conv(a + b + d + e, 1)\n relu\n let f = c\n}", bag);
            var lets = p.Definitions["A"].Syntax.Body.Statements.OfType<LetStmt>().ToDictionary(l => l.Name, l => p.TypeOf(l.Value));
            Assert.Equal(ArchType.Int, lets["a"]);
            Assert.Equal(ArchType.Float, lets["b"]);
            Assert.Equal(ArchType.Bool, lets["c"]);
            Assert.Equal(ArchType.Int, lets["d"]);
            Assert.Equal(ArchType.Int, lets["e"]);
            Assert.Contains(bag.Items, d => d.Descriptor.Id == "ARCH0006");
        }

        [Fact]
        public void Block_names_are_values_of_block_type()
        {
            var bag = new DiagnosticBag();
            var p = Bind("block A() { relu }\nnetwork N(b: block = A) { input 3x8x8\n b() }", bag);
            Assert.Empty(bag.Items);
            Assert.Equal(ArchType.Block, p.TypeOf(p.Definitions["N"].Parameters[0].Syntax.Default!));
        }

        [Fact]
        public void Imports_bring_definitions_into_scope()
        {
            var files = new System.Collections.Generic.Dictionary<string, string> { ["lib.arch"] = "block Lib(c: int) { conv(c, 1) }" };
            var bag = new DiagnosticBag();
            var p = Binder.Bind(new SourceFile("main.arch", "import \"lib.arch\"\nnetwork N() { input 3x8x8\n Lib(4) }"), new Support.MemoryImports(files), bag, default);
            Assert.Empty(bag.Items);
            Assert.Equal(2, p.Files.Length);
            Assert.Single(p.LocalDefinitions);
        }

        [Fact]
        public void Unknown_argument_names_are_reported_at_the_name()
        {
            var bag = new DiagnosticBag();
            Bind("block A(c: int) { conv(c, 1) }\nnetwork N() { input 3x8x8\n A(channels: 4) }", bag);
            Assert.Contains(bag.Items, d => d.Descriptor.Id == "ARCH0004");
            Assert.Contains(bag.Items, d => d.Descriptor.Id == "ARCH0005");
        }

        [Fact]
        public void Tensor_and_scalar_are_kept_apart()
        {
            var bag = new DiagnosticBag();
            Bind("block A() { s = 3\n relu }", bag);
            Assert.Contains(bag.Items, d => d.Descriptor.Id == "ARCH0026");
        }
    }
}
