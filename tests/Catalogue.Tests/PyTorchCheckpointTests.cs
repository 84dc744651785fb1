using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ArchDsl.Runtime;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>PyTorch's own weight files (torch.save, safetensors) load into a generated network with no Python at run
/// time: Debian's torch 1.13 writes them, the runtime reads them.</summary>
public class PyTorchCheckpointTests
{
    const string Network = "ResNet50";

    static string Files() => Reference.Produce(CatalogueVariants.Get(Network).Reference!, CatalogueVariants.Get(Network).Input,
        train: false, checkpoints: true);

    [PythonTheory]
    [InlineData("weights.pth", WeightFormat.PyTorch)]
    [InlineData("weights.safetensors", WeightFormat.Safetensors)]
    public void Torchvision_weights_from_PyTorch_files_reproduce_torchvision(string file, WeightFormat format)
    {
        var dir = Files();
        var path = Path.Combine(dir, file);
        Assert.Equal(format, WeightFile.FormatOf(path));
        using var model = CatalogueVariants.Create(Network);
        model.LoadWeights(path);   // strict
        model.eval();
        using var _ = no_grad();
        using var x = Reference.ReadTensor(dir, "input");
        using var y = model.call(x);
        using var expected = Reference.ReadTensor(dir, "output0");
        OutputTolerance.AssertClose(expected, y, $"{Network} loaded from {file}, C# against torchvision");
    }

    [PythonFact]
    public void The_three_formats_hold_the_same_state_dict_exactly()
    {
        var dir = Files();
        var ours = WeightFile.Read(Path.Combine(dir, "weights.dat"));
        foreach (var file in new[] { "weights.pth", "weights.safetensors" }) {
            var theirs = WeightFile.Read(Path.Combine(dir, file));
            Assert.Equal(ours.Keys.OrderBy(k => k, StringComparer.Ordinal), theirs.Keys.OrderBy(k => k, StringComparer.Ordinal));
            foreach (var (key, t) in ours) {
                Assert.True(t.dtype == theirs[key].dtype && t.shape.SequenceEqual(theirs[key].shape), $"{file}: {key}");
                Assert.True(Same(t, theirs[key]), $"{file}: {key} differs");
            }
            foreach (var t in theirs.Values) t.Dispose();
        }
        foreach (var t in ours.Values) t.Dispose();
    }

    [PythonFact]
    public void A_state_dict_without_the_head_names_its_missing_keys_and_loads_when_not_strict()
    {
        var path = Path.Combine(Files(), "weights-nofc.pth");
        using var model = CatalogueVariants.Create(Network);
        using var before = model.state_dict()["conv1.weight"].clone();
        var ex = Assert.Throws<WeightMismatchException>(() => model.LoadWeights(path));
        Assert.Equal(new[] { "fc.weight", "fc.bias" }.OrderBy(k => k), ex.Missing.OrderBy(k => k));
        Assert.Empty(ex.Unexpected);
        Assert.True(Same(before, model.state_dict()["conv1.weight"]), "a refused load changed the model");

        var (missing, unexpected) = WeightFile.Load(model, path, strict: false);
        Assert.Equal(new[] { "fc.bias", "fc.weight" }, missing.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Empty(unexpected);
        Assert.False(Same(before, model.state_dict()["conv1.weight"]), "the body was not loaded");
    }

    [PythonFact]
    public void A_training_checkpoint_is_refused_with_what_to_save_instead()
    {
        using var model = CatalogueVariants.Create(Network);
        var ex = Assert.Throws<InvalidDataException>(() => model.LoadWeights(Path.Combine(Files(), "checkpoint.pth")));
        Assert.Contains("model.state_dict()", ex.Message);
    }

    [PythonFact]
    public void A_truncated_archive_is_invalid_data_and_leaves_the_model_alone()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Files(), "weights.pth"));
        using var model = CatalogueVariants.Create(Network);
        using var before = model.state_dict()["fc.weight"].clone();
        var ex = Assert.Throws<InvalidDataException>(() => model.LoadWeights(new MemoryStream(bytes[..(bytes.Length / 2)])));
        Assert.Contains("torch.save", ex.Message);
        Assert.True(Same(before, model.state_dict()["fc.weight"]));
    }

    [Fact]
    public void A_safetensors_header_claiming_more_than_the_file_holds_is_refused_before_allocating()
    {
        // 2^40 float32 elements claimed, 16 bytes present.
        var file = Safetensors("""{"w":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,4398046511104]}}""", 16);
        var ex = Assert.Throws<InvalidDataException>(() => WeightFile.Read(new MemoryStream(file)));
        Assert.Contains("'w' claims shape [1048576, 1048576]", ex.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", "do not hold")]
    [InlineData("""{"w":{"dtype":"U4","shape":[2],"data_offsets":[0,8]}}""", "element type U4")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "appears twice")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2]}}""", "malformed safetensors header")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "do not hold")]
    public void Malformed_safetensors_headers_are_invalid_data(string header, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => WeightFile.Read(new MemoryStream(Safetensors(header, 8))));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void A_safetensors_file_round_trips_every_element_type_it_names()
    {
        var header = """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}""";
        var data = BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).Concat(BitConverter.GetBytes(7L)).ToArray();
        var read = WeightFile.Read(new MemoryStream(Safetensors(header, data)));
        Assert.Equal(new[] { 1.5f, -2f }, read["a"].data<float>().ToArray());
        Assert.Empty(read["b"].shape);
        Assert.Equal(7L, read["b"].item<long>());
    }

    [Fact]
    public void A_pickle_from_before_PyTorch_1_6_says_how_to_save_it_again()
    {
        var ex = Assert.Throws<InvalidDataException>(() => WeightFile.Read(new MemoryStream(new byte[] { 0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc })));
        Assert.Contains("before 1.6", ex.Message);
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static byte[] Safetensors(string header, int dataBytes) => Safetensors(header, new byte[dataBytes]);

    static byte[] Safetensors(string header, byte[] data)
    {
        var text = Encoding.UTF8.GetBytes(header);
        return BitConverter.GetBytes((ulong)text.Length).Concat(text).Concat(data).ToArray();
    }
}
