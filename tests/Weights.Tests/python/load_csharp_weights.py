"""Loads weights written by the C# engine into the equivalent torch module and checks outputs.

usage: load_csharp_weights.py WEIGHTS_FILE IO_FILE
IO_FILE holds {"input", "output"} computed in C#. Prints the max abs difference of torch's
output from C#'s; exits non-zero if the weights do not load strictly.
"""

import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402

torch.set_num_threads(1)
model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                      nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 5))
state = torchsharp_format.read_state_dict(sys.argv[1])
model.load_state_dict(state, strict=True)
model.eval()
io = torchsharp_format.read_state_dict(sys.argv[2])
with torch.no_grad():
    y = model(io["input"])
print(f"{(y - io['output']).abs().max().item():.9g}")
print("num_batches_tracked", int(state["1.num_batches_tracked"]))
