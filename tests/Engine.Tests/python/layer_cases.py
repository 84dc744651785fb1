"""Reference results for every layer the engine provides, computed by PyTorch.

For each case: build the layer with a fixed seed (randomising BatchNorm's affine parameters and
running statistics so they matter), run forward on a random input, backpropagate a random output
gradient, and record input, output, output gradient, input gradient, parameters (before the
step), parameter gradients and buffers before and after. Everything goes into one file in
TorchSharp's weight format under keys "<case>.<what>[.<name>]".

usage: layer_cases.py OUT_FILE
"""

import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402

torch.set_num_threads(1)


def randomise_bn(m):
    with torch.no_grad():
        if m.weight is not None:
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.5, 0.5)
        m.running_mean.uniform_(-0.5, 0.5)
        m.running_var.uniform_(0.5, 2.0)


def bn(factory, train):
    def build():
        m = factory()
        randomise_bn(m)
        m.train(train)
        return m
    return build


def module_case(build, shape, train=False):
    return ("module", build, shape, train)


CASES = OrderedDict([
    ("conv3x3", module_case(lambda: nn.Conv2d(4, 6, 3, padding=1), (2, 4, 9, 9))),
    ("conv_strided_dilated", module_case(lambda: nn.Conv2d(4, 6, 3, stride=2, padding=2, dilation=2, bias=False), (2, 4, 11, 11))),
    ("conv_grouped", module_case(lambda: nn.Conv2d(6, 9, 3, padding=1, groups=3), (2, 6, 7, 7))),
    ("conv_depthwise", module_case(lambda: nn.Conv2d(6, 6, 5, stride=2, padding=2, groups=6), (2, 6, 9, 9))),
    ("conv_1x7", module_case(lambda: nn.Conv2d(4, 6, (1, 7), padding=(0, 3)), (2, 4, 8, 8))),
    ("conv_same", module_case(lambda: nn.Conv2d(4, 6, 3, padding="same", dilation=2), (2, 4, 8, 8))),
    ("bn2d_train", module_case(bn(lambda: nn.BatchNorm2d(6), True), (4, 6, 5, 5), train=True)),
    ("bn2d_eval", module_case(bn(lambda: nn.BatchNorm2d(6), False), (4, 6, 5, 5))),
    ("bn2d_momentum", module_case(bn(lambda: nn.BatchNorm2d(6, eps=1e-3, momentum=0.01), True), (4, 6, 5, 5), train=True)),
    ("bn1d_train", module_case(bn(lambda: nn.BatchNorm1d(6), True), (8, 6), train=True)),
    ("linear", module_case(lambda: nn.Linear(10, 5), (3, 10))),
    ("linear_nobias", module_case(lambda: nn.Linear(10, 5, bias=False), (2, 3, 10))),
    ("relu", module_case(lambda: nn.ReLU(), (2, 3, 4, 4))),
    ("relu6", module_case(lambda: nn.ReLU6(), (2, 3, 4, 4))),
    ("silu", module_case(lambda: nn.SiLU(), (2, 3, 4, 4))),
    ("sigmoid", module_case(lambda: nn.Sigmoid(), (2, 3, 4, 4))),
    ("tanh", module_case(lambda: nn.Tanh(), (2, 3, 4, 4))),
    ("hardswish", module_case(lambda: nn.Hardswish(), (2, 3, 4, 4))),
    ("hardsigmoid", module_case(lambda: nn.Hardsigmoid(), (2, 3, 4, 4))),
    ("gelu", module_case(lambda: nn.GELU(), (2, 3, 4, 4))),
    ("leaky_relu", module_case(lambda: nn.LeakyReLU(0.2), (2, 3, 4, 4))),
    ("softmax", module_case(lambda: nn.Softmax(dim=1), (2, 5, 3))),
    ("maxpool", module_case(lambda: nn.MaxPool2d(3, 2, 1), (2, 3, 9, 9))),
    ("maxpool_ceil", module_case(lambda: nn.MaxPool2d(3, 2, ceil_mode=True), (2, 3, 10, 10))),
    ("avgpool", module_case(lambda: nn.AvgPool2d(3, 2, 1), (2, 3, 9, 9))),
    ("avgpool_nopad_ceil", module_case(lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 3, 10, 10))),
    ("adaptive_avg1", module_case(lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 7, 7))),
    ("adaptive_avg32", module_case(lambda: nn.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 7))),
    ("adaptive_max2", module_case(lambda: nn.AdaptiveMaxPool2d(2), (2, 3, 7, 7))),
    ("dropout_eval", module_case(lambda: nn.Dropout(0.3).eval(), (2, 3, 4, 4))),
    ("dropout2d_eval", module_case(lambda: nn.Dropout2d(0.3).eval(), (2, 3, 4, 4))),
    ("flatten", module_case(lambda: nn.Flatten(), (2, 3, 4, 4))),
    ("identity", module_case(lambda: nn.Identity(), (2, 3, 4, 4))),
    ("lrn", module_case(lambda: nn.LocalResponseNorm(5, alpha=1e-2, beta=0.75, k=2.0), (2, 7, 4, 4))),
    ("channel_shuffle", module_case(lambda: nn.ChannelShuffle(3), (2, 6, 3, 3))),
    ("sequential", module_case(lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                                                     nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 3)).eval(), (2, 3, 4, 4))),
])


# PyTorch 1.13 has no derivative for channel_shuffle; its forward is still compared.
FORWARD_ONLY = {"channel_shuffle"}


def record(out, case, build, shape, train):
    torch.manual_seed(1234)
    m = build()
    m.train(train)
    for name, t in m.state_dict().items():
        out[f"{case}.before.{name}"] = t.detach().clone()
    x = torch.randn(*shape, requires_grad=True)
    y = m(x)
    gy = torch.randn_like(y)
    out[f"{case}.in"] = x.detach().clone()
    out[f"{case}.out"] = y.detach().clone()
    out[f"{case}.gout"] = gy
    if case in FORWARD_ONLY:
        return
    y.backward(gy)
    out[f"{case}.gin"] = x.grad.detach().clone()
    for name, p in m.named_parameters():
        out[f"{case}.grad.{name}"] = p.grad.detach().clone()
    for name, t in m.state_dict().items():
        out[f"{case}.after.{name}"] = t.detach().clone()


def record_losses(out):
    torch.manual_seed(99)
    logits = torch.randn(6, 5, requires_grad=True)
    target = torch.randint(0, 5, (6,))
    loss = F.cross_entropy(logits, target)
    loss.backward()
    out["cross_entropy.in"] = logits.detach().clone()
    out["cross_entropy.target"] = target
    out["cross_entropy.out"] = loss.detach().clone()
    out["cross_entropy.gin"] = logits.grad.detach().clone()

    a = torch.randn(4, 3, requires_grad=True)
    b = torch.randn(4, 3)
    loss = F.mse_loss(a, b)
    loss.backward()
    out["mse.in"] = a.detach().clone()
    out["mse.target"] = b
    out["mse.out"] = loss.detach().clone()
    out["mse.gin"] = a.grad.detach().clone()


def record_sgd(out):
    """Three SGD steps with momentum, dampening, weight decay and Nesterov on a fixed quadratic."""
    for variant, kwargs in [("plain", dict(lr=0.1)),
                            ("momentum", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
                            ("nesterov", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001))]:
        torch.manual_seed(7)
        w = torch.randn(5, requires_grad=True)
        target = torch.randn(5)
        out[f"sgd_{variant}.w0"] = w.detach().clone()
        out[f"sgd_{variant}.target"] = target
        opt = torch.optim.SGD([w], **kwargs)
        for step in range(3):
            opt.zero_grad()
            loss = ((w - target) ** 2).sum()
            loss.backward()
            opt.step()
        out[f"sgd_{variant}.w3"] = w.detach().clone()


def main():
    out = OrderedDict()
    for case, (_, build, shape, train) in CASES.items():
        record(out, case, build, shape, train)
    record_losses(out)
    record_sgd(out)
    torchsharp_format.write_state_dict(out, sys.argv[1])


if __name__ == "__main__":
    main()
