// The program of docs/getting-started.md: a network from tinynet.arch, and ResNet-18 from the catalogue
// loaded with PyTorch weights when a file is given (dotnet run --project samples/Hello -- resnet18.dat).
using System;
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

if (args.Length > 0)
{
    using var resnet = new ResNet18();
    resnet.LoadWeights(args[0]);   // strict, all or nothing: a file that does not fit names every bad key
    resnet.eval();
    using var image = torch.ones(1, 3, 224, 224);
    using var logits = resnet.call(image);
    Console.WriteLine($"ResNet18 logits[0, :3] = {logits[0, 0].item<float>():F5} {logits[0, 1].item<float>():F5} {logits[0, 2].item<float>():F5}");
}
