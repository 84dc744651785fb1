using System;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace ArchDsl.Weights.Tests;

/// <summary>A conv/bn/pool/linear network used across tests.</summary>
internal sealed class SmallNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(3, 8, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn1 = nn.BatchNorm2d(8);
    private readonly Sequential head;

    public SmallNet() : base(nameof(SmallNet))
    {
        head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4));
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("head", head);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.call(conv1.call(x)));
        y = nn.functional.max_pool2d(y, 2);
        return head.call(y).MoveToOuterDisposeScope();
    }
}
