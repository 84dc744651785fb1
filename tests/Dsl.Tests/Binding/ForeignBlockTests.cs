using System.Collections.Generic;
using System.Linq;
using ArchDsl.Binding;
using ArchDsl.Diagnostics;
using Xunit;

namespace ArchDsl.Dsl.Tests.Binding
{
    /// <summary>A definition's class is generated with its own file's block choices, so a block passed to a network or
    /// block of another file must be one that file sees; any other is a located ARCH0006, never C# naming a block the
    /// other file's enum lacks.</summary>
    public class ForeignBlockTests
    {
        static readonly Dictionary<string, string> Files = new Dictionary<string, string>
        {
            ["base.arch"] = "block Plain(c: int) { conv(c, 3, padding: 1) }",
            ["lib.arch"] = "import \"base.arch\"\nblock Wide(c: int) { conv(2 * c, 3, padding: 1) }\n"
                + "block Stage(b: block = Wide) { b(8) }\n"
                + "network Net(b: block = Wide) { input 3x8x8\n b(4)\n adaptive_avgpool(1)\n flatten\n linear(10) }",
        };

        static List<ArchDiagnostic> Bind(string main)
        {
            var bag = new DiagnosticBag();
            Binder.Bind(new SourceFile("main.arch", main), new Support.MemoryImports(Files), bag, default);
            return bag.ToDiagnostics(new Dictionary<string, string> { ["main.arch"] = main }.Concat(Files).ToDictionary(p => p.Key, p => p.Value)).ToList();
        }

        [Fact]
        public void A_variant_cannot_give_an_imported_network_a_block_its_file_does_not_see()
        {
            var errors = Bind("import \"lib.arch\"\nblock Mine(c: int) { conv(c, 1) }\nvariant MyNet = Net(b: Mine)").Where(d => d.Severity == ArchSeverity.Error).ToList();
            var error = Assert.Single(errors);
            Assert.Equal("ARCH0006", error.Id);
            Assert.Equal(("main.arch", 3, 24), (error.Path, error.Line, error.Column));
            Assert.Equal("'b' of 'Net' takes a block that lib.arch sees (Plain, Stage, Wide): 'Mine' is declared in main.arch, which it does not import. "
                + "Declare 'Net' in the same file as 'Mine', or 'Mine' where lib.arch imports it", error.Message);
        }

        [Fact]
        public void A_block_call_is_checked_the_same_way()
        {
            var errors = Bind("import \"lib.arch\"\nblock Mine(c: int) { conv(c, 1) }\nnetwork N() { input 3x8x8\n Stage(b: Mine) }").Where(d => d.Severity == ArchSeverity.Error).ToList();
            Assert.Equal("ARCH0006", Assert.Single(errors).Id);
        }

        [Fact]
        public void Blocks_the_other_file_sees_through_its_imports_are_accepted()
        {
            Assert.DoesNotContain(Bind("import \"lib.arch\"\nvariant PlainNet = Net(b: Plain)\nvariant WideNet = Net(b: Wide)"), d => d.Severity == ArchSeverity.Error);
            // A local block value (a parameter) is this file's business: checked where its value is known.
            Assert.DoesNotContain(Bind("import \"lib.arch\"\nnetwork N(b: block = Plain) { input 3x8x8\n Stage(b: b) }"), d => d.Severity == ArchSeverity.Error);
        }
    }
}
