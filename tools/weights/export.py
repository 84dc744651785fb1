#!/usr/bin/python3
"""Writes a torch state dict in TorchSharp's weight format.

Examples:
  export.py --torchvision resnet18 --seed 0 --out resnet18.dat
  export.py --torchvision mobilenet_v2 --kwargs '{"width_mult": 0.5}' --out m.dat
  export.py --state-dict weights.pt --out weights.dat
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchsharp_format  # noqa: E402


def torchvision_model(name, kwargs, seed):
    import torchvision

    torch.manual_seed(seed)
    builder = getattr(torchvision.models, name, None)
    if builder is None:
        raise SystemExit(f"torchvision.models has no '{name}'")
    return builder(**kwargs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--torchvision", metavar="NAME", help="build torchvision.models.NAME (random weights)")
    source.add_argument("--state-dict", metavar="FILE", help="a file written by torch.save(state_dict)")
    parser.add_argument("--kwargs", default="{}", help="JSON keyword arguments for the torchvision builder")
    parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed before building (default 0)")
    parser.add_argument("--eval", action="store_true", help="no effect on weights; accepted for symmetry with scripts")
    parser.add_argument("--out", required=True, help="output file")
    args = parser.parse_args(argv)

    if args.torchvision:
        model = torchvision_model(args.torchvision, json.loads(args.kwargs), args.seed)
        state = model.state_dict()
    else:
        state = torch.load(args.state_dict, map_location="cpu")
        if not isinstance(state, dict):
            state = state.state_dict()
    torchsharp_format.write_state_dict(state, args.out)
    print(f"wrote {len(state)} tensors to {args.out}")


if __name__ == "__main__":
    main()
