using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>The data configs the catalogue declares: carried by the registry's cards, and prepared exactly as
/// torchvision's eval transforms (Debian's torchvision 0.14: Resize, CenterCrop, Normalize on a tensor) prepare them.</summary>
public class DataConfigTests
{
    [Theory]
    [InlineData("ResNet50", 256, 224)]
    [InlineData("InceptionV3NoAux", 342, 299)]
    [InlineData("MobileNetV3Large", 256, 224)]
    [InlineData("RegNetY400MF", 256, 224)]
    public void Torchvision_families_declare_the_imagenet_preparation(string name, long resize, long crop)
    {
        var data = ArchModels.All.Single(c => c.Name == name).Data!;
        Assert.Equal(resize, data.Resize);
        Assert.Equal(new[] { crop, crop }, data.InputSize);
        Assert.Equal(new[] { 0.485, 0.456, 0.406 }, data.Mean);
        Assert.Equal(new[] { 0.229, 0.224, 0.225 }, data.Std);
        Assert.Equal("bilinear", data.Interpolation);
    }

    [Fact]
    public void A_family_without_a_clause_has_no_data_config() =>
        Assert.Null(ArchModels.All.Single(c => c.Name == "CliqueNetT15K80").Data);

    /// <summary>Both sides prepare the same deterministic image (odd sizes, landscape and portrait, so resize truncation
    /// and the half-to-even crop offsets matter); the tolerance is float32 rounding relative to the output's magnitude
    /// (1e-5 of its largest value): interpolation kernels may sum in another order, nothing else may differ.</summary>
    [Theory]
    [InlineData("ResNet50", 3, 333, 501, "bilinear")]
    [InlineData("InceptionV3NoAux", 2, 517, 389, "bilinear")]
    [InlineData("ResNet50", 1, 301, 301, "bicubic")]
    [InlineData("ResNet50", 1, 257, 300, "nearest")]
    public void Prepare_equals_torchvisions_eval_transform(string name, int batch, int height, int width, string interpolation)
    {
        if (Python.TorchUnavailableReason is { } why) throw new InvalidOperationException(why);
        var card = ArchModels.All.Single(c => c.Name == name);
        var data = card.Data! with { Interpolation = interpolation };
        using var scope = NewDisposeScope();
        var image = Image(batch, height, width);
        var ours = data.Prepare(image);
        Assert.Equal(new long[] { batch, 3 }.Concat(data.InputSize), ours.shape);

        var folder = Directory.CreateDirectory(ScratchFolder.ForThisProcess("archdsl-data")).FullName;
        var output = Path.Combine(folder, Guid.NewGuid().ToString("N") + ".bin");
        Python.RunCode(Script, batch.ToString(CultureInfo.InvariantCulture), height.ToString(CultureInfo.InvariantCulture), width.ToString(CultureInfo.InvariantCulture),
            data.Resize.ToString(CultureInfo.InvariantCulture), data.InputSize[0].ToString(CultureInfo.InvariantCulture), interpolation, output);
        var bytes = File.ReadAllBytes(output);
        File.Delete(output);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        var theirs = tensor(values).reshape(ours.shape);
        var magnitude = theirs.abs().max().item<float>();
        var difference = (ours - theirs).abs().max().item<float>();
        Assert.True(difference <= 1e-5 * magnitude, $"max |difference| {difference} against magnitude {magnitude}");
    }

    /// <summary>Values in [0, 1] that vary along both axes and across channels and images.</summary>
    static Tensor Image(int batch, int height, int width)
    {
        var n = arange(batch, dtype: ScalarType.Float32).reshape(batch, 1, 1, 1);
        var c = arange(3, dtype: ScalarType.Float32).reshape(1, 3, 1, 1);
        var i = arange(height, dtype: ScalarType.Float32).reshape(1, 1, height, 1);
        var j = arange(width, dtype: ScalarType.Float32).reshape(1, 1, 1, width);
        return (sin(i * 0.37f + j * 0.11f + c * 1.3f + n * 0.7f) + cos(j * 0.05f - i * 0.02f) * 0.5f + 1.5f) / 3f;
    }

    const string Script = @"
import sys, torch
from torchvision import transforms
from torchvision.transforms import InterpolationMode
batch, height, width, resize, crop = (int(v) for v in sys.argv[1:6])
mode = {'bilinear': InterpolationMode.BILINEAR, 'bicubic': InterpolationMode.BICUBIC, 'nearest': InterpolationMode.NEAREST}[sys.argv[6]]
n = torch.arange(batch, dtype=torch.float32).reshape(batch, 1, 1, 1)
c = torch.arange(3, dtype=torch.float32).reshape(1, 3, 1, 1)
i = torch.arange(height, dtype=torch.float32).reshape(1, 1, height, 1)
j = torch.arange(width, dtype=torch.float32).reshape(1, 1, 1, width)
image = (torch.sin(i * 0.37 + j * 0.11 + c * 1.3 + n * 0.7) + torch.cos(j * 0.05 - i * 0.02) * 0.5 + 1.5) / 3
prepare = transforms.Compose([
    transforms.Resize(resize, interpolation=mode),
    transforms.CenterCrop(crop),
    transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
])
out = prepare(image).contiguous()
open(sys.argv[7], 'wb').write(out.numpy().astype('<f4').tobytes())
";
}
