using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ArchDsl.Cli;
using ArchDsl.Cli.Commands;
using ArchDsl.Cli.Graph;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary><c>archdsl graph</c>: the diagram model checked against the papers' tables and torchvision's modules,
    /// and every catalogue network's DOT accepted by Graphviz.</summary>
    public sealed class GraphCommandTests : IDisposable
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "archdsl-graph-" + Guid.NewGuid().ToString("N"));

        public GraphCommandTests() => Directory.CreateDirectory(folder);

        public void Dispose() => Directory.Delete(folder, recursive: true);

        [Fact]
        public void ResNet50_collapsed_has_one_cluster_per_stage_with_the_papers_repeats_and_torchvisions_stage_parameters()
        {
            var graph = Graph("resnet.arch", "ResNet50");

            var stages = graph.Clusters.Where(c => c.Repeats > 1).ToList();
            Assert.Equal(new[] { "layer1", "layer2", "layer3", "layer4" }, stages.Select(c => c.Title));
            Assert.All(stages, c => Assert.Equal("Bottleneck", c.Block));
            Assert.Equal(new[] { 3, 4, 6, 3 }, stages.Select(c => c.Repeats));                       // paper, Table 1
            Assert.Equal(new[] { "256x56x56", "512x28x28", "1024x14x14", "2048x7x7" }, stages.Select(c => c.OutputShape));
            // torchvision: sum(p.numel() for p in resnet50().layerN.parameters())
            Assert.Equal(new long[] { 215_808, 1_219_584, 7_098_368, 14_964_736 }, stages.Select(c => c.Params));
            Assert.Contains("layer3: Bottleneck ×6", DotWriter.Write(graph));
        }

        [Fact]
        public void ResNet50_shortcuts_are_their_own_edges_into_each_stages_addition()
        {
            var graph = Graph("resnet.arch", "ResNet50");
            var kinds = graph.Nodes.ToDictionary(n => n.Id, n => n.Kind);

            var shortcuts = graph.Edges.Where(e => e.Shortcut).ToList();
            Assert.Equal(4, shortcuts.Count);
            Assert.All(shortcuts, e => Assert.Equal(NodeKind.Add, kinds[e.To]));
            Assert.All(graph.Clusters.Where(c => c.Repeats > 1), c => Assert.Contains(c.Nodes, id => shortcuts.Any(e => e.To == id)));
            // The projection shortcut of layer2 reads the 256-channel output of layer1 and halves the resolution.
            Assert.Contains(shortcuts, e => e.Shape == "512x28x28");
            Assert.Contains("style=dashed", DotWriter.Write(graph));
        }

        [Fact]
        public void Expanded_graph_draws_every_block_instance_and_has_strictly_more_nodes()
        {
            var collapsed = Graph("resnet.arch", "ResNet50");
            var expanded = Graph("resnet.arch", "ResNet50", expand: true);

            Assert.True(expanded.Nodes.Count > collapsed.Nodes.Count, expanded.Nodes.Count + " <= " + collapsed.Nodes.Count);
            Assert.Equal(3 + 4 + 6 + 3, expanded.Nodes.Count(n => n.Kind == NodeKind.Add));
            Assert.Equal(3 + 4 + 6 + 3, expanded.Edges.Count(e => e.Shortcut));
            Assert.Equal(16, expanded.Clusters.Count(c => c.Title.EndsWith(": Bottleneck", StringComparison.Ordinal)));
            Assert.DoesNotContain(expanded.Nodes, n => n.Kind == NodeKind.Chain);
            // Every layer of the network is a node: 173 ops (summary rows) plus input and output.
            Assert.Equal(Report("resnet.arch", "ResNet50").Summary.Layers.Length + 2, expanded.Nodes.Count);
        }

        [Fact]
        public void DenseNet121_shows_each_dense_block_once_with_its_concatenation_fed_by_the_block_input()
        {
            var graph = Graph("densenet.arch", "DenseNet121");
            var nodes = graph.Nodes.ToDictionary(n => n.Id);

            var blocks = graph.Clusters.Where(c => c.Repeats > 1).ToList();
            Assert.Equal(new[] { 6, 12, 24, 16 }, blocks.Select(c => c.Repeats));                    // paper, Table 1
            Assert.All(blocks, c => Assert.Equal("DenseLayer", c.Block));
            Assert.Equal(new long[] { 335_040, 919_680, 2_837_760, 2_158_080 }, blocks.Select(c => c.Params)); // torchvision
            foreach (var block in blocks)
            {
                var concat = Assert.Single(block.Nodes, id => nodes[id].Kind == NodeKind.Concat);
                var inputs = graph.Edges.Where(e => e.To == concat).Select(e => e.From).ToList();
                Assert.Equal(2, inputs.Count);
                // One operand is the new layer (inside the block), the other the block's input (outside it): the dense connection.
                Assert.Single(inputs, id => block.Nodes.Contains(id));
                Assert.Single(inputs, id => !block.Nodes.Contains(id));
            }
            Assert.Contains(graph.Edges, e => nodes[e.From].Lines.Contains("pool0") && nodes[e.To].Kind == NodeKind.Concat && e.Shape == "64x56x56");
        }

        [Theory]
        [InlineData("googlenet.arch", "GoogLeNet", "inception3a", "256x28x28")]
        [InlineData("googlenet.arch", "GoogLeNet", "inception4e", "832x14x14")]
        [InlineData("googlenet.arch", "GoogLeNet", "inception5b", "1024x7x7")]
        [InlineData("inception_v3.arch", "InceptionV3", "Mixed_5b", "256x35x35")]
        public void Inception_modules_show_four_branches_merging_in_one_concatenation(string file, string network, string module, string output)
        {
            var graph = Graph(file, network);
            var nodes = graph.Nodes.ToDictionary(n => n.Id);

            var cluster = Assert.Single(graph.Clusters, c => c.Title.StartsWith(module + ":", StringComparison.Ordinal));
            Assert.Equal(output, cluster.OutputShape);                                             // paper's table
            var concat = Assert.Single(cluster.Nodes, id => nodes[id].Kind == NodeKind.Concat);
            var branches = graph.Edges.Where(e => e.To == concat).ToList();
            Assert.Equal(4, branches.Count);
            Assert.Equal(long.Parse(output.Split('x')[0]), branches.Sum(e => long.Parse(e.Shape.Split('x')[0])));
            Assert.All(branches, e => Assert.Contains(e.From, cluster.Nodes));
        }

        [Fact]
        public void GoogLeNet_modules_named_one_by_one_are_not_folded_together()
        {
            var graph = Graph("googlenet.arch", "GoogLeNet");

            Assert.Equal(9, graph.Clusters.Count(c => c.Block == null && c.Title.Contains(": Inception", StringComparison.Ordinal)));
            Assert.DoesNotContain(graph.Clusters, c => c.Repeats > 1);
        }

        [Fact]
        public void ShuffleNetV2_split_feeds_the_identity_half_and_the_branch()
        {
            var graph = Graph("shufflenet_v2.arch", "ShuffleNetV2_x1_0");
            var nodes = graph.Nodes.ToDictionary(n => n.Id);

            var stages = graph.Clusters.Where(c => c.Repeats > 1).ToList();
            Assert.Equal(new[] { 3, 7, 3 }, stages.Select(c => c.Repeats));       // paper, Table 5: 4, 8, 4 units, the first down-sampling
            var split = Assert.Single(stages[0].Nodes, id => nodes[id].Kind == NodeKind.Split);
            Assert.Equal(new[] { "58x28x28", "58x28x28" }, graph.Edges.Where(e => e.From == split).Select(e => e.Shape));
            Assert.Single(graph.Edges, e => e.To == split && e.Shape == "116x28x28");
        }

        [Fact]
        public void Input_option_redraws_at_that_size()
        {
            var (code, output, error) = Run("graph", Arch("resnet.arch"), "-n", "ResNet18", "--input", "3x160x160");

            Assert.True(code == 0, error);
            Assert.Contains("label=\" 64x80x80\"", output);
            Assert.Contains("label=\" 512x5x5\"", output);
            Assert.DoesNotContain("64x112x112", output);
        }

        [Fact]
        public void Svg_output_is_rendered_by_dot()
        {
            var svg = Path.Combine(folder, "resnet18.svg");
            var (code, output, error) = Run("graph", Arch("resnet.arch"), "--network", "ResNet18", "-o", svg);

            Assert.True(code == 0, error);
            Assert.Equal("", output);
            var text = File.ReadAllText(svg);
            Assert.Contains("<svg", text);
            Assert.Contains("layer4: BasicBlock ×2", text);
        }

        [Fact]
        public void Dot_output_file_holds_the_dot_text()
        {
            var path = Path.Combine(folder, "lenet.dot");
            var (code, _, error) = Run("graph", Arch("lenet.arch"), "-o", path);

            Assert.True(code == 0, error);
            Assert.StartsWith("digraph \"LeNet5\" {", File.ReadAllText(path));
        }

        [Fact]
        public void Unknown_network_is_a_usage_error_naming_the_networks()
        {
            var (code, output, error) = Run("graph", Arch("resnet.arch"), "-n", "ResNet51");

            Assert.Equal(CliApp.UsageError, code);
            Assert.Equal("", output);
            Assert.Contains("no network named 'ResNet51'", error);
            Assert.Contains("ResNet50", error);
        }

        [Fact]
        public void Several_networks_and_none_named_is_a_usage_error()
        {
            var (code, _, error) = Run("graph", Arch("resnet.arch"));

            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains("--network", error);
        }

        [Fact]
        public void Unsupported_output_extension_is_a_usage_error()
        {
            var (code, _, error) = Run("graph", Arch("lenet.arch"), "-o", Path.Combine(folder, "x.txt"));

            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains(".svg", error);
        }

        [Fact]
        public void Errors_in_the_file_exit_1_with_diagnostics()
        {
            var path = Path.Combine(folder, "bad.arch");
            File.WriteAllText(path, "network N() {\n  input 3x8x8\n  conv(4, 3, groups: 3)\n}\n");
            var (code, _, error) = Run("graph", path);

            Assert.Equal(CliApp.SourceErrors, code);
            Assert.Contains("bad.arch(3,", error);
        }

        [Fact]
        public void Missing_dot_is_a_usage_error_that_says_how_to_install_it()
        {
            var before = Environment.GetEnvironmentVariable("ARCHDSL_DOT");
            Environment.SetEnvironmentVariable("ARCHDSL_DOT", Path.Combine(folder, "no-such-dot"));
            try
            {
                var svg = Path.Combine(folder, "x.svg");
                var (code, _, error) = Run("graph", Arch("lenet.arch"), "-o", svg);

                Assert.Equal(CliApp.UsageError, code);
                Assert.Contains("was not found", error);
                Assert.Contains("graphviz", error);
                Assert.False(File.Exists(svg));
            }
            finally
            {
                Environment.SetEnvironmentVariable("ARCHDSL_DOT", before);
            }
        }

        [Fact]
        public void Graph_has_help()
        {
            var (code, output, _) = Run("graph", "--help");

            Assert.Equal(0, code);
            Assert.Contains("--expand", output);
            Assert.Contains("--network", output);
            Assert.Contains("--input", output);
        }

        public static IEnumerable<object[]> Networks() =>
            Directory.EnumerateFiles(RepoPaths.Architectures, "*.arch").OrderBy(f => f, StringComparer.Ordinal)
                .SelectMany(f =>
                {
                    var result = Analyze(Path.GetFileName(f));
                    return result.Reports.Select((r, i) => new object[] { Path.GetFileName(f), r.Summary.Name, i == 0 });
                });

        /// <summary>Graphviz accepts every catalogue network's diagram (collapsed; expanded too for each file's first network).</summary>
        [Theory]
        [MemberData(nameof(Networks))]
        public void Dot_renders_every_catalogue_network(string file, string network, bool alsoExpanded)
        {
            foreach (var expand in alsoExpanded ? new[] { false, true } : new[] { false })
            {
                var graph = Graph(file, network, expand);
                Assert.Contains(graph.Nodes, n => n.Kind == NodeKind.Input);
                Assert.Contains(graph.Edges, e => e.To == "output");
                var ids = graph.Nodes.Select(n => n.Id).ToHashSet();
                Assert.All(graph.Edges, e => Assert.True(ids.Contains(e.From) && ids.Contains(e.To), e.ToString()));
                var svg = System.Text.Encoding.UTF8.GetString(GraphCommand.Render(DotWriter.Write(graph), "svg"));
                Assert.Contains("<svg", svg);
            }
        }

        // One analysis per file for the whole class: the theory has a case per network, and analysing a file
        // elaborates all of its variants.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<AnalysisResult>> Analyses = new();

        private static AnalysisResult Analyze(string file) =>
            Analyses.GetOrAdd(file, f => new Lazy<AnalysisResult>(() => ArchFrontEnd.Analyze(Source(f), ArchSources.Instance))).Value;

        internal static NetworkGraph Graph(string file, string network, bool expand = false)
        {
            var result = Analyze(file);
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            return GraphBuilder.Build(result.Reports.Single(r => r.Summary.Name == network), result.Program!.Definitions.Values, expand);
        }

        private static Analysis.NetworkReport Report(string file, string network) =>
            Analyze(file).Reports.Single(r => r.Summary.Name == network);

        private static SourceFile Source(string file) => ArchSources.Instance.Read(Arch(file));

        private static string Arch(string file) => Path.Combine(RepoPaths.Architectures, file);

        private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);
    }
}
