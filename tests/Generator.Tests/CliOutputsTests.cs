using System.IO;
using System.Linq;
using System.Text.Json;
using ArchDsl.Testing;
using Xunit;

namespace ArchDsl.Generator.Tests
{
    /// <summary><c>archdsl summary</c> lists a network's named outputs with their shapes, in the table
    /// and in JSON, <c>graph</c> draws them; <c>export-onnx</c> refuses an up-sampling to another tensor's size at its place.</summary>
    public class CliOutputsTests
    {
        private static readonly string Sample = Path.Combine(RepoPaths.Root, "samples", "DensePrediction", "tiny_fpn.arch");

        [Fact]
        public void Summary_lists_every_named_output_with_its_shape()
        {
            var (code, table, error) = CliRunner.Run("summary", Sample, "--network", "TinyFpn");
            Assert.True(code == 0, error);
            Assert.Contains("Output p1: 8x45x45\nOutput coarse: 5x12x12\n", table);
            Assert.Contains("upsample_bilinear to 45x45", table);

            var (jsonCode, output, jsonError) = CliRunner.Run("summary", Sample, "--network", "TinyFpn3", "--format", "json");
            Assert.True(jsonCode == 0, jsonError);
            using var json = JsonDocument.Parse(output);
            var outputs = json.RootElement.EnumerateArray().Single().GetProperty("outputs").EnumerateArray().ToList();
            Assert.Equal(new[] { "p1", "coarse" }, outputs.Select(o => o.GetProperty("name").GetString()));
            Assert.Equal(new long[] { 3, 12, 12 }, outputs[1].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        }

        [Fact]
        public void Graph_draws_each_named_output_fed_by_its_producer()
        {
            var (code, dot, error) = CliRunner.Run("graph", Sample, "--network", "TinyFpn");
            Assert.True(code == 0, error);
            Assert.Contains("\"named1\" [label=\"coarse (output)\\n5x12x12\"", dot);
            Assert.Contains("upsample_bilinear to 45x45", dot);
            var feeds = dot.Split('\n').Single(l => l.Contains("-> \"named1\""));
            Assert.Contains("5x12x12", feeds);
        }

        [Fact]
        public void Onnx_export_writes_each_named_output_under_its_name()
        {
            var dir = Directory.CreateTempSubdirectory("archdsl-outputs-").FullName;
            try
            {
                var file = Path.Combine(dir, "n.arch");
                File.WriteAllText(file, "network N() {\n  input 3x16x16\n  c = input |> conv(4, 3, stride: 2, padding: 1)\n"
                    + "  output side = c |> conv(2, 1)\n  c |> upsample(2) |> conv(2, 1)\n}\n");
                var (code, output, error) = CliRunner.Run("export-onnx", file, "--network", "N", "-o", Path.Combine(dir, "n.onnx"));
                Assert.True(code == 0, error);
                Assert.Contains("outputs output [1, 2, 16, 16], side [1, 2, 8, 8]", output);
            }
            finally { Directory.Delete(dir, true); }
        }

        [Fact]
        public void Onnx_export_refuses_up_sampling_to_a_tensors_size_at_the_layer()
        {
            var (code, _, error) = CliRunner.Run("export-onnx", Sample, "--network", "TinyFpn", "-o", Path.Combine(Path.GetTempPath(), "archdsl-never.onnx"));
            Assert.NotEqual(0, code);
            Assert.Contains("tiny_fpn.arch(19,20): error", error);
            Assert.Contains("does not write up-sampling to another tensor's size", error);
        }
    }
}
