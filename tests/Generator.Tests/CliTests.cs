using ArchDsl.Testing;
using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using ArchDsl.Cli;
using ArchDsl.Cli.Commands;
using ArchDsl.Cli.Output;
using ArchDsl.Tests;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary>The archdsl command line, run in-process with captured output.</summary>
    public sealed class CliTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "archdsl-cli-" + Guid.NewGuid().ToString("N"));

        public CliTests() => Directory.CreateDirectory(folder);

        public void Dispose() => Directory.Delete(folder, recursive: true);

        [Fact]
        public void Help_ListsTheCommands()
        {
            var (code, output, _) = Run("--help");

            Assert.Equal(0, code);
            Assert.Contains("check", output);
            Assert.Contains("summary", output);
            Assert.Contains("emit", output);
        }

        [Theory]
        [InlineData("summary", "--help")]
        [InlineData("check", "--help")]
        [InlineData("emit", "--help")]
        public void EveryCommand_HasHelp(string command, string help)
        {
            var (code, output, _) = Run(command, help);

            Assert.Equal(0, code);
            Assert.Contains("Usage:", output);
        }

        [Fact]
        public void UnknownOption_IsAUsageError()
        {
            var (code, _, error) = Run("summary", "x.arch", "--format", "xml");

            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains("archdsl: error:", error);
        }

        [Fact]
        public void MissingFile_IsAUsageErrorNamingTheFile()
        {
            var missing = Path.Combine(folder, "missing.arch");

            var (code, _, error) = Run("check", missing);

            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains("file not found: " + missing, error);
        }

        [Fact]
        public void Summary_NeedsAFileOrAll()
        {
            Assert.Equal(CliApp.UsageError, Run("summary").Code);
            Assert.Equal(CliApp.UsageError, Run("summary", Write("a.arch", "network A { }"), "--all", folder).Code);
        }

        [Fact]
        public void Check_ExpandsFoldersAndCountsFiles()
        {
            Write("a.arch", "network A { }\n");
            Write("sub/b.arch", "network B { }\n");

            var (_, output, _) = Run("check", folder);

            Assert.Contains("2 file(s) checked", output);
        }

        [Theory]
        [InlineData("3x224x224", new long[] { 3, 224, 224 })]
        [InlineData("1X28x28", new long[] { 1, 28, 28 })]
        [InlineData("64", new long[] { 64 })]
        public void InputShapes_Parse(string text, long[] expected) =>
            Assert.Equal(expected, SummaryCommand.ParseShape(text));

        [Theory]
        [InlineData("3x0x224")]
        [InlineData("3xx224")]
        [InlineData("-3x224")]
        public void BadInputShapes_AreUsageErrors(string text) =>
            Assert.Throws<CliException>(() => SummaryCommand.ParseShape(text));

        [Fact]
        public void SummaryTable_Format() => Snapshot.Verify(SummaryTable.Format(Sample));

        [Fact]
        public void SummaryTable_Overview() => Snapshot.Verify(SummaryTable.Overview(new[] { Sample, Sample with { Name = "TinyNet-Wide", Reference = null } }));

        [Fact]
        public void SummaryJson_WithLayers() => Snapshot.Verify(SummaryJson.Format(new[] { Sample }, withLayers: true), extension: "json");

        [Fact]
        public void SummaryJson_IsValidJsonWithTheDocumentedFields()
        {
            using var json = JsonDocument.Parse(SummaryJson.Format(new[] { Sample with { Reference = null } }, withLayers: false));

            var network = json.RootElement.EnumerateArray().Single();
            foreach (var field in new[] { "name", "file", "input", "output", "params", "macs", "reference" })
            {
                Assert.True(network.TryGetProperty(field, out _), "missing " + field);
            }
            Assert.Equal(JsonValueKind.Null, network.GetProperty("reference").ValueKind);
            Assert.False(network.TryGetProperty("layers", out _));
        }

        [FrontEndFact]
        public void Check_ReportsErrorsInCompilerFormatAndExitsOne()
        {
            var broken = Write("broken.arch", "network Broken {\n  conv 16 (((\n}\n");

            var (code, _, error) = Run("check", broken);

            Assert.Equal(CliApp.SourceErrors, code);
            Assert.Matches(new Regex(@"^" + Regex.Escape(broken.Replace('\\', '/')) + @"\(\d+,\d+\): error ARCH\d{4}: .+", RegexOptions.Multiline), error);
        }

        [FrontEndFact]
        public void Summary_AtAnotherInput_MatchesTorchvisionAtThatInput()
        {
            var file = System.IO.Path.Combine(RepoPaths.Architectures, "mobilenet_v2.arch");
            var (code, output, error) = Run("summary", file, "--network", "MobileNetV2_050", "--input", "3x160x160", "--format", "json");

            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            var network = json.RootElement.EnumerateArray().Single();
            Assert.Equal(new long[] { 3, 160, 160 }, network.GetProperty("input").EnumerateArray().Select(e => e.GetInt64()).ToArray());
            // torchvision.csv: mobilenet_v2(width_mult=0.5) at 1x3x160x160.
            var row = ArchDsl.Testing.Oracle.Find("mobilenet_v2(width_mult=0.5)", new long[] { 3, 160, 160 })!;
            Assert.Equal(row.Macs, network.GetProperty("macs").GetInt64());
            Assert.Equal(row.Params, network.GetProperty("params").GetInt64());
        }

        [FrontEndFact]
        public void Summary_ReportsBufferTensorsElementsAndStateDictKeysAsTorchvisionCountsThem()
        {
            var file = System.IO.Path.Combine(RepoPaths.Architectures, "resnet.arch");
            var (code, output, error) = Run("summary", file, "--network", "ResNet50", "--format", "json");
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            var network = json.RootElement.EnumerateArray().Single();
            // torchvision.csv: resnet50() at 1x3x224x224 (53 batch norms: running mean and variance, and a step counter each).
            var row = ArchDsl.Testing.Oracle.Find("resnet50()", new long[] { 3, 224, 224 })!;
            Assert.Equal(row.Buffers, network.GetProperty("buffers").GetInt64());
            Assert.Equal(row.BufferElements, network.GetProperty("bufferElements").GetInt64());
            Assert.Equal(row.StateDictKeys, network.GetProperty("stateDictKeys").GetInt64());

            var (tableCode, table, tableError) = Run("summary", file, "--network", "ResNet50");
            Assert.True(tableCode == 0, tableError);
            Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, "Buffers: {0:N0} ({1:N0} elements)   State-dict keys: {2:N0}",
                row.Buffers, row.BufferElements, row.StateDictKeys), table);
        }

        /// <summary>A variant declared here of a network imported from another file is shown at that network's own file
        /// and line (the line is read in the file it belongs to), the path written as the files named are.</summary>
        [FrontEndFact]
        public void Summary_of_a_variant_of_an_imported_network_prints_that_networks_own_file_and_line()
        {
            var lib = Write("lib/nets.arch", "// Networks to import.\n\nnetwork Tiny(w: int) {\n  input 3x8x8\n  conv(w, 3)\n}\n");
            var app = Write("app.arch", "import \"lib/nets.arch\"\nvariant Tiny8 = Tiny(w: 8)\n");
            var libShown = ArchDsl.Generator.Pipeline.ArchPaths.Normalize(lib);

            var (code, output, error) = Run("summary", app, "--format", "json");
            Assert.True(code == 0, error);
            using (var json = JsonDocument.Parse(output))
            {
                var network = json.RootElement.EnumerateArray().Single();
                Assert.Equal("Tiny8", network.GetProperty("name").GetString());
                Assert.Equal(libShown, network.GetProperty("file").GetString());
                Assert.Equal(3, network.GetProperty("line").GetInt32());
            }

            var (tableCode, table, tableError) = Run("summary", app);
            Assert.True(tableCode == 0, tableError);
            Assert.StartsWith("Tiny8 (" + libShown + ":3)  input 3x8x8\n", table);

            var (allCode, all, allError) = Run("summary", "--all", folder, "--format", "json");
            Assert.True(allCode == 0, allError);
            using (var json = JsonDocument.Parse(all))
            {
                var network = json.RootElement.EnumerateArray().Single(n => n.GetProperty("name").GetString() == "Tiny8");
                Assert.Equal("lib/nets.arch", network.GetProperty("file").GetString());
                Assert.Equal(3, network.GetProperty("line").GetInt32());
            }
        }

        [FrontEndFact]
        public void Summary_OfANetworkWithoutBuffersCountsOnlyItsParameterTensors()
        {
            var file = Write("plain.arch", "network Plain() {\n  input 3x8x8\n  conv(4, 3)\n  relu\n  flatten\n  fc: linear(10, bias: false)\n}\n");
            var (code, output, error) = Run("summary", file, "--format", "json");
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            var network = json.RootElement.EnumerateArray().Single();
            Assert.Equal(0, network.GetProperty("buffers").GetInt64());
            Assert.Equal(0, network.GetProperty("bufferElements").GetInt64());
            Assert.Equal(3, network.GetProperty("stateDictKeys").GetInt64()); // conv weight and bias, fc weight
        }

        private static string CliDoc => File.ReadAllText(System.IO.Path.Combine(RepoPaths.Root, "docs", "cli.md")).Replace("\r\n", "\n");

        /// <summary>The first fenced block of docs/cli.md that starts with <paramref name="start"/>.</summary>
        private static string[] DocBlock(string start)
        {
            var doc = CliDoc;
            int at = doc.IndexOf("```" + (start.StartsWith("[", StringComparison.Ordinal) ? "json" : "") + "\n" + start, StringComparison.Ordinal);
            Assert.True(at >= 0, "docs/cli.md has no example starting with " + start);
            int body = doc.IndexOf('\n', at) + 1;
            return doc.Substring(body, doc.IndexOf("```", body, StringComparison.Ordinal) - body).TrimEnd('\n').Split('\n');
        }

        [FrontEndFact]
        public void Cli_doc_summary_example_is_what_the_tool_prints()
        {
            var block = DocBlock("$ archdsl summary architectures/resnet.arch --network ResNet50");
            var (code, output, error) = Run("summary", System.IO.Path.Combine(RepoPaths.Architectures, "resnet.arch"), "--network", "ResNet50");
            Assert.True(code == 0, error);
            var printed = output.Replace("\r\n", "\n").Split('\n').Select(l => l.Replace(RepoPaths.Architectures.Replace('\\', '/'), "architectures")).ToHashSet();
            foreach (var line in block.Skip(1).Where(l => l != "..."))
                Assert.True(printed.Contains(line), "docs/cli.md shows a line the tool does not print:\n" + line);
        }

        /// <summary>JSON text without layout whitespace (the doc spreads objects over lines, the tool spreads arrays).</summary>
        static string Compact(string json) => string.Concat(json.Where(c => c != ' ' && c != '\n' && c != '\r'));

        [FrontEndFact]
        public void Cli_doc_json_example_is_what_the_tool_prints()
        {
            using var documented = JsonDocument.Parse(string.Join("\n", DocBlock("[")));
            var (code, output, error) = Run("summary", "--all", RepoPaths.Architectures, "--format", "json");
            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            var expected = documented.RootElement.EnumerateArray().Single();
            var actual = json.RootElement.EnumerateArray().Single(n => n.GetProperty("name").GetString() == expected.GetProperty("name").GetString());
            Assert.Equal(expected.EnumerateObject().Select(p => p.Name), actual.EnumerateObject().Select(p => p.Name));
            foreach (var property in expected.EnumerateObject())
                Assert.Equal(Compact(property.Value.GetRawText()), Compact(actual.GetProperty(property.Name).GetRawText()));
            // Every field the doc's table describes is printed.
            foreach (var field in actual.EnumerateObject().Select(p => p.Name))
                Assert.Contains("| `" + field + "` |", CliDoc);
        }

        [FrontEndFact]
        public void Summary_help_options_are_documented_in_the_cli_doc()
        {
            var (code, help, _) = Run("summary", "--help");
            Assert.Equal(0, code);
            var section = CliDoc.Substring(CliDoc.IndexOf("## `archdsl summary FILE", StringComparison.Ordinal));
            section = section.Substring(0, section.IndexOf("## `archdsl emit", StringComparison.Ordinal));
            foreach (var option in new[] { "--all", "--network", "--input", "--format" })
            {
                Assert.Contains(option, help);
                Assert.Contains(option, section);
            }
            Assert.DoesNotContain("must match the declared input", help);
        }

        [FrontEndFact]
        public void SummaryAll_CoversEveryNetworkOfTheCatalogue()
        {
            var (code, output, error) = Run("summary", "--all", RepoPaths.Architectures, "--format", "json");

            Assert.True(code == 0, error);
            using var json = JsonDocument.Parse(output);
            var networks = json.RootElement.EnumerateArray().ToArray();
            Assert.NotEmpty(networks);
            Assert.All(networks, n =>
            {
                Assert.False(string.IsNullOrEmpty(n.GetProperty("name").GetString()));
                Assert.EndsWith(".arch", n.GetProperty("file").GetString());
                Assert.NotEmpty(n.GetProperty("input").EnumerateArray());
                Assert.NotEmpty(n.GetProperty("output").EnumerateArray());
                Assert.True(n.GetProperty("params").GetInt64() >= 0);
            });
        }

        [FrontEndFact]
        public void Summary_at_an_input_whose_counts_overflow_is_a_located_ARCH0018_not_a_negative_number()
        {
            var file = Write("big.arch", "network Big() {\n  input 3x32x32\n  conv(64, 3, padding: 1)\n  relu\n}\n");

            // 64 x 99999999^2 outputs times 27 multiply-adds each is past 2^63: it used to print negative FLOPs.
            var (code, output, error) = Run("summary", file, "--input", "3x99999999x99999999");

            Assert.Equal(CliApp.SourceErrors, code);
            Assert.Matches(new Regex(@"big\.arch\(3,3\): error ARCH0018: Integer overflow"), error);
            Assert.DoesNotContain("-", output);
        }

        [Fact]
        public void FLOPs_of_the_largest_MAC_count_are_not_wrapped()
        {
            Assert.Equal("18.45 E", ArchDsl.Cli.Output.Numbers.Scaled(2m * long.MaxValue));
        }

        internal static readonly NetworkSummary Sample = new NetworkSummary(
            "TinyNet", "nets/tiny.arch", 3,
            ImmutableArray.Create(3L, 32, 32), ImmutableArray.Create(10L),
            Params: 1_234_890, Buffers: 64, Macs: 4_089_184_256, MemoryAccess: 5_120_000, ActivationElements: 98_304,
            Reference: "resnet18", Layers: ImmutableArray.Create(
                new LayerRow("conv1", "Conv2d 3x3/1", ImmutableArray.Create(16L, 32, 32), 432, 442_368, 17_840),
                new LayerRow("layer1.0.bn1", "BatchNorm2d", ImmutableArray.Create(16L, 32, 32), 32, 0, 32_800),
                new LayerRow("fc", "Linear", ImmutableArray.Create(10L), 1_234_426, 4_088_741_888, 5_069_360)))
        {
            BufferElements = 1_057,
            StateDictKeys = 101,
        };

        private string Write(string relativePath, string text)
        {
            var path = Path.Combine(folder, relativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        private static (int Code, string Output, string Error) Run(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            var code = CliApp.Run(args, output, error);
            return (code, output.ToString(), error.ToString());
        }
    }
}
