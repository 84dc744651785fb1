using System.IO;
using System.Linq;
using ArchDsl.Testing;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Catalogue.Tests;

/// <summary>A training step's gradients: the generated class against torchvision on the same weights and input, in
/// training mode (batch norms on the batch's statistics), both in float64. The generated ResNets add every residual's shortcut into
/// the body's result in place and run the ReLU after it in place, as torchvision's do; an in-place write autograd
/// still needed would raise at backward or change these gradients.</summary>
public class TrainingParityTests
{
    [PythonTheory]
    [InlineData("ResNet18")]
    [InlineData("ResNet50")]
    public void Training_gradients_equal_torchvision_on_its_weights(string name)
    {
        var net = CatalogueVariants.Get(name);
        var dir = Reference.Produce(net.Reference!, net.Input, train: true, grads: true);
        using var model = CatalogueVariants.Create(name);
        model.load(Path.Combine(dir, "weights.dat"), strict: true);
        model.train();
        model.to(ScalarType.Float64);   // as the reference's gradients (GradientTolerance says why)
        using var scope = NewDisposeScope();
        var x = Reference.ReadTensor(dir, "input").to(ScalarType.Float64);
        var y = model.call(x);
        OutputTolerance.AssertClose(Reference.ReadTensor(dir, "output0"), y.to(ScalarType.Float32), name + " training output, C# against torchvision");
        y.square().mean().backward();

        // The reference gradients, loaded by name into a second instance's parameters (grads.dat holds no buffers).
        using var reference = CatalogueVariants.Create(name);
        reference.to(ScalarType.Float64);
        reference.load(Path.Combine(dir, "grads.dat"), strict: false);
        var expected = reference.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (parameter, p) in model.named_parameters())
            GradientTolerance.AssertClose(expected[parameter], p.grad!, name + " gradient of " + parameter);
    }
}
