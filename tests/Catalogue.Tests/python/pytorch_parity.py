"""Loads weights saved by a generated C# class into the emitted PyTorch class and compares the two.

Usage: pytorch_parity.py MODULE.py CLASS WEIGHTS.dat INPUT.bin OUTPUT.bin NxCxHxW REPORT.json [REFERENCE_DIR]

MODULE.py is `archdsl emit --target pytorch` output; CLASS is built with its default arguments. WEIGHTS.dat is
the C# model's `save()` (TorchSharp's format); INPUT.bin and OUTPUT.bin are float32 little-endian, the C#
model's input and eval-mode output. REFERENCE_DIR, for a network that mirrors torchvision, is what
torchvision_reference.py wrote (torchvision's weights, input and eval output). REPORT.json gets:
  params            the Python module's parameter count
  keys              [key, shape] for every state-dict entry, in order
  output_shape      the Python output's shape on INPUT.bin
  csharp_max_diff   max |Python - C#| on INPUT.bin with the C# weights (csharp_magnitude: max |C#|)
  torchvision_max_diff, torchvision_magnitude, torchvision_output_shape   the same against torchvision on its weights
                    (with REFERENCE_DIR)
"""
import importlib.util
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402  (the project's reader)


def skip_initialisation():
    # Every weight is overwritten by the loaded file, so the random initialisation is wasted time.
    for cls in (nn.Conv2d, nn.Linear):
        cls.reset_parameters = lambda self: None


def load_module(path):
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_floats(path, shape):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    return torch.frombuffer(data, dtype=torch.float32).clone().reshape(shape)


def run(model, weights, x):
    model.load_state_dict(weights, strict=True)
    model.eval()
    with torch.no_grad():
        return model(x)


def main():
    module_path, cls_name, weights_path, input_path, output_path, shape_text, report_path = sys.argv[1:8]
    reference = sys.argv[8] if len(sys.argv) > 8 else None
    torch.set_num_threads(1)
    skip_initialisation()
    cls = getattr(load_module(module_path), cls_name)
    model = cls()
    report = {
        "params": sum(p.numel() for p in model.parameters()),
        "keys": [[k, list(v.shape)] for k, v in model.state_dict().items()],
    }
    shape = [int(s) for s in shape_text.split("x")]
    x = read_floats(input_path, shape)
    y = run(model, torchsharp_format.read_state_dict(weights_path), x)
    expected = read_floats(output_path, list(y.shape)) if y.numel() * 4 == os.path.getsize(output_path) else None
    report["output_shape"] = list(y.shape)
    report["csharp_max_diff"] = None if expected is None else float((y - expected).abs().max())
    report["csharp_magnitude"] = None if expected is None else float(expected.abs().max())
    if reference is not None:
        with open(os.path.join(reference, "meta.json")) as f:
            meta = json.load(f)
        rx = read_floats(os.path.join(reference, "input.bin"), meta["input"])
        ry = run(model, torchsharp_format.read_state_dict(os.path.join(reference, "weights.dat")), rx)
        expected = read_floats(os.path.join(reference, "output0.bin"), meta["outputs"][0])
        report["torchvision_output_shape"] = list(ry.shape)
        report["torchvision_max_diff"] = float((ry - expected).abs().max()) if ry.shape == expected.shape else None
        report["torchvision_magnitude"] = float(expected.abs().max())
    with open(report_path, "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main()
