"""Reference outputs from torchvision for the catalogue's parity tests.

Usage: torchvision_reference.py CONSTRUCTOR INPUT OUT_DIR [--train]

CONSTRUCTOR is the oracle's variant name, e.g. "resnet50()" or "mobilenet_v2(width_mult=0.5)".
INPUT is CxHxW. Writes into OUT_DIR:
  weights.dat   the model's state_dict in TorchSharp's weight format (the project's exporter)
  input.bin     float32 little-endian, shape 1xCxHxW (2xCxHxW with --train), seeded
  output.bin    float32 eval-mode outputs of the model on input.bin
  meta.json     shapes of the files above
With --checkpoints, also the same weights as PyTorch and safetensors files for the loaders' tests:
  weights.pth            torch.save(model.state_dict())
  weights.safetensors    the safetensors format (written here from its specification)
  weights-nofc.pth       the state dict without fc.weight and fc.bias
  checkpoint.pth         torch.save({"epoch": 3, "state_dict": ...}): not a bare state dict
With --train, outputs are the training-mode outputs (every head for auxiliary-output models),
computed with dropout disabled so they are deterministic.
With --train --grads, also:
  grads.dat     the gradient of every parameter, under its state-dict name (TorchSharp's weight format), of the
                loss sum over outputs of mean(output^2), from a training-mode forward on input.bin, all in float64
"""
import copy
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


SAFETENSORS_TYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32"}


def write_safetensors(state_dict, path: str) -> None:
    """8-byte little-endian header length, a JSON header (dtype, shape, data_offsets per tensor), the data."""
    header, blobs, offset = {}, [], 0
    for key, t in state_dict.items():
        data = t.detach().contiguous().numpy().tobytes()
        header[key] = {"dtype": SAFETENSORS_TYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def write_checkpoints(state_dict, out_dir: str) -> None:
    torch.save(state_dict, os.path.join(out_dir, "weights.pth"))
    write_safetensors(state_dict, os.path.join(out_dir, "weights.safetensors"))
    headless = {k: v for k, v in state_dict.items() if not k.startswith("fc.")}
    torch.save(headless, os.path.join(out_dir, "weights-nofc.pth"))
    torch.save({"epoch": 3, "state_dict": state_dict}, os.path.join(out_dir, "checkpoint.pth"))


def write_gradients(model: torch.nn.Module, x: torch.Tensor, path: str) -> None:
    """Training-mode forward and backward of sum(mean(o^2)) in float64 (in float32, training-mode batch norms at
    batch 2 leave a ResNet-18's gradients within only about 4e-2 of the exact ones); batch norms normalise by the
    batch, so the running statistics the no-grad forward above moved do not enter."""
    model = copy.deepcopy(model).double()
    x = x.double()
    model.zero_grad()
    y = model(x)
    outputs = [o for o in (list(y) if isinstance(y, tuple) else [y]) if o is not None]
    sum(o.square().mean() for o in outputs).backward()
    torchsharp_format.write_state_dict({name: p.grad for name, p in model.named_parameters()}, path)


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
        # Layer norms start at weight 1, bias 0 and ConvNeXt's layer scale at 1e-6, which would hide a swapped
        # weight and bias, or a whole residual branch: give them values of their own.
        for module in model.modules():
            if isinstance(module, torch.nn.LayerNorm):
                module.weight.copy_(torch.rand(module.weight.shape, generator=g) * 0.5 + 0.75)
                module.bias.copy_(torch.rand(module.bias.shape, generator=g) * 0.2 - 0.1)
        for name, p in model.named_parameters():
            if name.endswith("layer_scale"):
                p.copy_(torch.rand(p.shape, generator=g) * 0.5 + 0.25)
    torchsharp_format.write_state_dict(model.state_dict(), os.path.join(out_dir, "weights.dat"))
    if "--checkpoints" in sys.argv[4:]:
        write_checkpoints(model.state_dict(), out_dir)
    with torch.no_grad():
        y = model(x)
    outputs = list(y) if isinstance(y, tuple) else [y]
    outputs = [o for o in outputs if o is not None]
    x.numpy().astype("<f4").tofile(os.path.join(out_dir, "input.bin"))
    for i, o in enumerate(outputs):
        o.numpy().astype("<f4").tofile(os.path.join(out_dir, f"output{i}.bin"))
    if train and "--grads" in sys.argv[4:]:
        write_gradients(model, x, os.path.join(out_dir, "grads.dat"))
    meta = {"input": list(x.shape), "outputs": [list(o.shape) for o in outputs]}
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f)


if __name__ == "__main__":
    main()
