using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ArchDsl.Weights.Tests;

/// <summary>torchvision's BasicBlock, written by hand against the TorchSharp API.</summary>
internal sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    public BasicBlock(long inplanes, long planes, long stride) : base(nameof(BasicBlock))
    {
        conv1 = nn.Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(planes);
        relu = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(planes, planes, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(planes);
        if (stride != 1 || inplanes != planes)
            downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride: stride, bias: false), nn.BatchNorm2d(planes));
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("relu", relu);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        if (downsample is not null) register_module("downsample", downsample);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var identity = downsample is null ? x : downsample.call(x);
        var y = relu.call(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        y.add_(identity);
        return relu.call(y).MoveToOuterDisposeScope();
    }
}

/// <summary>torchvision's resnet18 layout, so its state dict keys and shapes match exactly.</summary>
internal sealed class ResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(64);
    private readonly ReLU relu = nn.ReLU(inplace: true);
    private readonly MaxPool2d maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly AdaptiveAvgPool2d avgpool = nn.AdaptiveAvgPool2d((1, 1));
    private readonly Linear fc;

    public ResNet18(long numClasses = 1000) : base(nameof(ResNet18))
    {
        layer1 = nn.Sequential(new BasicBlock(64, 64, 1), new BasicBlock(64, 64, 1));
        layer2 = nn.Sequential(new BasicBlock(64, 128, 2), new BasicBlock(128, 128, 1));
        layer3 = nn.Sequential(new BasicBlock(128, 256, 2), new BasicBlock(256, 256, 1));
        layer4 = nn.Sequential(new BasicBlock(256, 512, 2), new BasicBlock(512, 512, 1));
        fc = nn.Linear(512, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = maxpool.call(relu.call(bn1.call(conv1.call(x))));
        y = layer4.call(layer3.call(layer2.call(layer1.call(y))));
        y = avgpool.call(y).flatten(1);
        return fc.call(y).MoveToOuterDisposeScope();
    }
}
