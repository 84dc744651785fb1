// The program of docs/getting-started.md: a network from tinynet.arch, and ResNet-18 from the catalogue
// loaded with PyTorch weights when a file is given (dotnet run --project samples/Hello -- resnet18.dat).
using System;
using System.Linq;
using ArchDsl.Runtime;
using TorchSharp;
using Hello;

Console.WriteLine(TinyNet.Summary());   // the summary table, from static metadata
Console.WriteLine($"TinyNetSmall: {TinyNetSmall.ParameterCount:N0} parameters, {TinyNetSmall.MultiplyAccumulates:N0} MACs");

using var model = new TinyNet(numClasses: 5);   // .arch parameters are constructor parameters
model.eval();
using var x = torch.randn(2, 3, 64, 64);
using var y = model.call(x);
Console.WriteLine("output " + string.Join("x", y.shape));   // output 2x5

// Backbones and models by name (docs/backbones.md): TinyNet's stage features, then fine-tuning on 3 classes with the
// body frozen and a fresh classifier.
foreach (var card in ArchModels.List("tiny*")) Console.WriteLine(card);
using (var scope = torch.NewDisposeScope())
{
    var net = (TinyNet)ArchModels.Create("tinynet");
    foreach (var f in net.Features(x)) Console.WriteLine($"feature {f.Tap.Module}: {string.Join("x", f.Tensor.shape)} (reduction {f.Tap.Reduction})");
    net.ResetClassifier(3);
    foreach (var (name, p) in net.named_parameters()) p.requires_grad = name.StartsWith(net.ClassifierPath + ".");
    var optimizer = torch.optim.SGD(net.parameters().Where(p => p.requires_grad), 0.05);
    var images = torch.randn(8, 3, 64, 64);
    var labels = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
    net.train();
    for (int step = 0; step < 3; step++)
    {
        optimizer.zero_grad();
        var loss = torch.nn.functional.cross_entropy(net.call(images), labels);
        loss.backward();
        optimizer.step();
        Console.WriteLine($"fine-tune step {step}: loss {loss.item<float>():F4}");
    }
}

if (args.Length > 0)
{
    using var resnet = new ResNet18();
    resnet.LoadWeights(args[0]);   // strict, all or nothing: a file that does not fit names every bad key
    resnet.eval();
    using var image = torch.ones(1, 3, 224, 224);
    using var logits = resnet.call(image);
    Console.WriteLine($"ResNet18 logits[0, :3] = {logits[0, 0].item<float>():F5} {logits[0, 1].item<float>():F5} {logits[0, 2].item<float>():F5}");
}
