using System.IO;
using System.Linq;
using ArchDsl.Catalogue.Tests;
using ArchDsl.Cli;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;

namespace ArchDsl.Onnx.Tests;

/// <summary><c>archdsl export-onnx</c>, run in-process.</summary>
public class CliExportTests
{
    static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    static string Temp(string name) => Path.Combine(Path.GetTempPath(), "archdsl-cli-" + System.Environment.ProcessId + "-" + name);

    [Fact]
    public void Weights_from_a_file_give_the_generated_class_outputs()
    {
        var net = Networks.Get("LeNet5");
        using var model = Networks.Create("LeNet5");
        var weights = Temp("lenet.dat");
        var onnx = Temp("lenet.onnx");
        try
        {
            model.SaveWeights(weights);
            var (code, output, error) = Run("export-onnx", net.File, "--network", "LeNet5", "--weights", weights, "--dynamic-batch", "-o", onnx);
            Assert.True(code == CliApp.Success, error);
            Assert.Contains("weights from " + weights, output);
            Assert.Contains("input [batch, 1, 32, 32]", output);
            torch.manual_seed(4);
            using var input = torch.randn(2, 1, 32, 32);
            using var expected = model.call(input);
            using var actual = Networks.ToTensor(Networks.RunOnnx(File.ReadAllBytes(onnx), input)[OnnxLowering.OutputName]);
            OutputTolerance.AssertClose(expected, actual, "LeNet5 through the CLI");
        }
        finally
        {
            File.Delete(weights);
            File.Delete(onnx);
        }
    }

    [Fact]
    public void Without_weights_it_says_it_writes_the_default_initialisation()
    {
        var onnx = Temp("resnet18.onnx");
        try
        {
            var (code, output, error) = Run("export-onnx", Path.Combine(RepoPaths.Architectures, "resnet.arch"), "--network", "ResNet18", "--seed", "3", "-o", onnx);
            Assert.True(code == CliApp.Success, error);
            Assert.Contains("default initialisation, seed 3", output);
            var model = OnnxSerializer.Read(File.ReadAllBytes(onnx));
            Assert.Empty(OnnxChecker.Check(model));
            Assert.Contains(model.Graph.Initializers, t => t.Name == "layer1.0.conv1.weight");
            Assert.Equal(new[] { "output" }, model.Graph.Outputs.Select(o => o.Name));
        }
        finally
        {
            File.Delete(onnx);
        }
    }

    [Fact]
    public void An_error_in_the_description_is_located_and_writes_no_file()
    {
        var arch = Temp("bad.arch");
        var onnx = Temp("bad.onnx");
        try
        {
            File.WriteAllText(arch, "network Bad() {\n  input 3x8x8\n  conv(4, 3, stride: 0)\n}\n");
            var (code, _, error) = Run("export-onnx", arch, "--network", "Bad", "-o", onnx);
            Assert.Equal(CliApp.SourceErrors, code);
            Assert.Contains("bad.arch(3,", error);
            Assert.Contains("error ARCH", error);
            Assert.False(File.Exists(onnx));
        }
        finally
        {
            File.Delete(arch);
        }
    }

    [Fact]
    public void Weights_of_another_network_are_refused_with_their_keys()
    {
        using var other = Networks.Create("ResNet18");
        var weights = Temp("resnet18.dat");
        try
        {
            other.SaveWeights(weights);
            var (code, _, error) = Run("export-onnx", Networks.Get("LeNet5").File, "--network", "LeNet5", "--weights", weights, "-o", Temp("never.onnx"));
            Assert.Equal(CliApp.UsageError, code);
            Assert.Contains("layer1.0.conv1.weight", error);
        }
        finally
        {
            File.Delete(weights);
        }
    }
}
