"""torchvision's resnet18 output for the weights in a TorchSharp-format file.

usage: resnet18_reference.py WEIGHTS_FILE OUT_FILE
Loads WEIGHTS_FILE strictly into torchvision.models.resnet18 (eval mode), runs a fixed random
batch (seed 1) and writes {"input", "output"} to OUT_FILE in the same format.
"""

import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402

torch.set_num_threads(1)
model = torchvision.models.resnet18()
model.load_state_dict(torchsharp_format.read_state_dict(sys.argv[1]), strict=True)
model.eval()
torch.manual_seed(1)
x = torch.randn(2, 3, 224, 224)
with torch.no_grad():
    y = model(x)
torchsharp_format.write_state_dict({"input": x, "output": y}, sys.argv[2])
