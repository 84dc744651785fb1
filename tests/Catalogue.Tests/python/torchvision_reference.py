"""Reference outputs from torchvision for the catalogue's parity tests.

Usage: torchvision_reference.py CONSTRUCTOR INPUT OUT_DIR [--train]

CONSTRUCTOR is the oracle's variant name, e.g. "resnet50()" or "mobilenet_v2(width_mult=0.5)".
INPUT is CxHxW. Writes into OUT_DIR:
  weights.dat   the model's state_dict in TorchSharp's weight format (the project's exporter)
  input.bin     float32 little-endian, shape 1xCxHxW (2xCxHxW with --train), seeded
  output.bin    float32 eval-mode outputs of the model on input.bin
  meta.json     shapes of the files above
With --train, outputs are the training-mode outputs (every head for auxiliary-output models),
computed with dropout disabled so they are deterministic.
"""
import json
import os
import re
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402  (the project's exporter)


def build(constructor: str) -> torch.nn.Module:
    m = re.fullmatch(r"(\w+)\((.*)\)", constructor)
    if not m:
        raise SystemExit(f"not a constructor: {constructor}")
    name, args = m.group(1), m.group(2)
    kwargs = {}
    for part in filter(None, (p.strip() for p in args.split(","))):
        key, value = part.split("=")
        kwargs[key] = eval(value, {"__builtins__": {}}, {"True": True, "False": False})  # literals only
    if name in ("googlenet", "inception_v3"):
        kwargs.setdefault("init_weights", True)
    torch.manual_seed(0)
    return getattr(torchvision.models, name)(weights=None, **kwargs)


def main() -> None:
    constructor, shape, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
    train = "--train" in sys.argv[4:]
    os.makedirs(out_dir, exist_ok=True)
    model = build(constructor)
    c, h, w = (int(v) for v in shape.split("x"))
    torch.manual_seed(1)
    x = torch.randn(2 if train else 1, c, h, w)  # batch 2 in training mode: batch norm needs it
    if train:
        model.train()
        for module in model.modules():  # deterministic training-mode forward
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.0
    else:
        model.eval()
    # Randomise BN statistics so eval mode exercises running_mean/var, not just the init values.
    with torch.no_grad():
        g = torch.Generator().manual_seed(2)
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.copy_(torch.rand(module.running_mean.shape, generator=g) * 0.2 - 0.1)
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=g) * 0.5 + 0.75)
    torchsharp_format.write_state_dict(model.state_dict(), os.path.join(out_dir, "weights.dat"))
    with torch.no_grad():
        y = model(x)
    outputs = list(y) if isinstance(y, tuple) else [y]
    outputs = [o for o in outputs if o is not None]
    x.numpy().astype("<f4").tofile(os.path.join(out_dir, "input.bin"))
    for i, o in enumerate(outputs):
        o.numpy().astype("<f4").tofile(os.path.join(out_dir, f"output{i}.bin"))
    meta = {"input": list(x.shape), "outputs": [list(o.shape) for o in outputs]}
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f)


if __name__ == "__main__":
    main()
