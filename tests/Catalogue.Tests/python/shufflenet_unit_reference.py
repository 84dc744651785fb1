"""One torchvision ShuffleNet V2 unit in training mode, for the catalogue's channel-shuffle test.

Usage: shufflenet_unit_reference.py IN_CHANNELS OUT_CHANNELS STRIDE SIZE OUT_DIR

Builds torchvision's InvertedResidual(IN_CHANNELS, OUT_CHANNELS, STRIDE) with seeded random weights and
writes, in the layout of torchvision_reference.py:
  weights.dat   its state_dict in TorchSharp's weight format (the project's exporter)
  input.bin     float32, shape 4 x IN_CHANNELS x SIZE x SIZE (seeded)
  output0.bin   the unit's training-mode output (batch statistics; nothing random)
  meta.json     shapes of the files above
"""
import json
import os
import sys

import torch
from torchvision.models.shufflenetv2 import InvertedResidual

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402  (the project's exporter)


def main() -> None:
    inp, oup, stride, size = (int(v) for v in sys.argv[1:5])
    out_dir = sys.argv[5]
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    unit = InvertedResidual(inp, oup, stride)
    # BatchNorm starts at weight 1, bias 0; random affine parameters make every channel distinguishable.
    with torch.no_grad():
        for module in unit.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
    unit.train()
    x = torch.randn(4, inp, size, size)
    with torch.no_grad():
        y = unit(x)
    torchsharp_format.write_state_dict(unit.state_dict(), os.path.join(out_dir, "weights.dat"))
    x.numpy().astype("<f4").tofile(os.path.join(out_dir, "input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(out_dir, "output0.bin"))
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump({"input": list(x.shape), "outputs": [list(y.shape)]}, f)


if __name__ == "__main__":
    main()
