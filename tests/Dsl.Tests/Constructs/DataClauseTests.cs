using System.Linq;
using Xunit;

namespace ArchDsl.Dsl.Tests.Constructs
{
    /// <summary>A variant's <c>data</c> clause: how its input images are prepared (torchvision's eval transform: resize
    /// the shorter side, centre-crop the declared input, normalise). Presets fill what arguments do not give.</summary>
    public class DataClauseTests
    {
        const string Net = "network N(n: int = 10) {\n  input 3x224x224\n  adaptive_avgpool(1)\n  flatten\n  linear(n)\n}\n";

        static ArchDiagnostic Error(string variant)
        {
            var result = ArchFrontEnd.Analyze(new SourceFile("t.arch", Net + variant), NoImports.Instance);
            return Assert.Single(result.Diagnostics, d => d.Severity == ArchSeverity.Error);
        }

        [Fact]
        public void The_imagenet_preset_gives_torchvision_statistics_and_the_0_875_crop()
        {
            var data = ConstructTests.Report(Net + "variant V = N() data imagenet\n", "V").Summary.Data!;
            Assert.Equal(256, data.Resize);
            Assert.Equal(new[] { 0.485, 0.456, 0.406 }, data.Mean);
            Assert.Equal(new[] { 0.229, 0.224, 0.225 }, data.Std);
            Assert.Equal("bilinear", data.Interpolation);
            // 299 / 0.875 = 341.7: torchvision's Inception v3 resizes to 342.
            var inception = ConstructTests.Report(Net.Replace("224x224", "299x299") + "variant V = N() data imagenet\n", "V").Summary.Data!;
            Assert.Equal(342, inception.Resize);
        }

        [Fact]
        public void Arguments_override_the_preset_and_stand_alone()
        {
            var data = ConstructTests.Report(Net + "variant V = N() reference \"x()\" data imagenet(resize: 232, interpolation: \"bicubic\")\n", "V").Summary.Data!;
            Assert.Equal((232L, "bicubic"), (data.Resize, data.Interpolation));
            Assert.Equal(0.485, data.Mean[0]);
            var plain = ConstructTests.Report(Net + "variant V = N() data(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])\n", "V").Summary.Data!;
            Assert.Equal((224L, "bilinear"), (plain.Resize, plain.Interpolation));
            Assert.Equal(new[] { 0.5, 0.5, 0.5 }, plain.Std);
            Assert.Null(ConstructTests.Report(Net + "variant V = N()\n", "V").Summary.Data);
        }

        [Theory]
        [InlineData("variant V = N() data imagenet(resize: 200)", "ARCH0018", 7, 39, "data: resize must be at least the input's larger side (224) (got 200)")]
        [InlineData("variant V = N() data(mean: [0.5, 0.5], std: [1, 1, 1])", "ARCH0018", 7, 28, "data: mean needs one value per input channel (3) (got 2)")]
        [InlineData("variant V = N() data imagenet(std: [0.2, 0, 0.2])", "ARCH0018", 7, 36, "data: std must be finite and above 0 (got [0.2, 0, 0.2])")]
        [InlineData("variant V = N() data imagenet(interpolation: \"area\")", "ARCH0018", 7, 46, "data: interpolation must be nearest, bilinear, bicubic (got \"area\")")]
        [InlineData("variant V = N() data imagenett", "ARCH0018", 7, 22, "Unknown data preset 'imagenett' (presets: imagenet)")]
        [InlineData("variant V = N() data imagenet(crop: 224)", "ARCH0004", 7, 31, "'data' has no parameter named 'crop'")]
        [InlineData("variant V = N() data imagenet(resize: 2.5)", "ARCH0006", 7, 39, "'resize' of 'data' takes a int, not float")]
        [InlineData("variant V = N() data imagenet(256)", "ARCH0005", 7, 31, "data takes named arguments only (interpolation, mean, resize, std)")]
        public void Bad_values_are_located_at_the_argument(string variant, string id, int line, int column, string message)
        {
            var error = Error(variant + "\n");
            Assert.Equal((id, line, column, message), (error.Id, error.Line, error.Column, error.Message));
        }

        [Fact]
        public void The_formatter_keeps_the_clause()
        {
            const string text = "variant V = N()   reference \"x()\"  data   imagenet( resize:232 )\n";
            var formatted = ArchDsl.Syntax.ArchFormatter.Format(new SourceFile("t.arch", Net + text));
            Assert.False(formatted.HasErrors, string.Join("\n", formatted.Diagnostics));
            Assert.EndsWith("variant V = N() reference \"x()\" data imagenet(resize: 232)\n", formatted.Text);
        }
    }
}
