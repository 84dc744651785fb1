#!/usr/bin/python3
"""Reads a TorchSharp weight file back into torch.

Examples:
  import.py weights.dat --out weights.pt          # torch.save(state_dict)
  import.py weights.dat --torchvision resnet18    # load into torchvision's model, strict
  import.py weights.dat                           # list keys, dtypes and shapes
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torchsharp_format  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("weights", help="file written by TorchSharp's Module.save")
    parser.add_argument("--out", help="write torch.save(state_dict) here")
    parser.add_argument("--torchvision", metavar="NAME", help="check the file loads strictly into torchvision.models.NAME")
    parser.add_argument("--kwargs", default="{}", help="JSON keyword arguments for the torchvision builder")
    args = parser.parse_args(argv)

    state = torchsharp_format.read_state_dict(args.weights)
    if args.torchvision:
        import torchvision

        model = getattr(torchvision.models, args.torchvision)(**json.loads(args.kwargs))
        model.load_state_dict(state, strict=True)
        print(f"loaded {len(state)} tensors into {args.torchvision}")
    if args.out:
        torch.save(state, args.out)
        print(f"wrote {len(state)} tensors to {args.out}")
    if not args.out and not args.torchvision:
        for key, value in state.items():
            print(f"{key}\t{str(value.dtype).replace('torch.', '')}\t{list(value.shape)}")


if __name__ == "__main__":
    main()
