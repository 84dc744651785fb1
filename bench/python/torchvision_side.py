#!/usr/bin/python3
"""The Python side of ./bench.sh: one measurement process, torchvision eager on Debian's torch 1.13 (a control:
an older libtorch than the C# side's TorchSharp 0.107 / libtorch 2.10).

Usage: torchvision_side.py CONSTRUCTOR TASK WEIGHTS [--batches 1,8] [--warmup N] [--iters N,N] [--threads N]
                           [--setup shipped|retain|onednn+retain] [--kwargs JSON] [--size N]
  CONSTRUCTOR  torchvision builder, e.g. resnet50
  TASK         infer | train
  WEIGHTS      TorchSharp-format file written by tools/weights/export.py (the C# side loads the same file)
  --kwargs     the builder's keyword arguments, e.g. '{"aux_logits": false, "init_weights": true}'
  --size       input height and width (default 224; Inception v3: 299)
  --setup      shipped (default): torchvision as shipped. retain: glibc keeps freed memory (the mallopt settings
               of ArchDsl.Runtime's TensorMemory.Retain). onednn+retain: that, and every Conv2d calls
               torch.mkldnn_convolution — the configuration that reached ResNet-50's best one-thread figure on
               libtorch 1.13, kept as the target the C# side is compared with.
Prints one JSON line: per-iteration wall and process CPU milliseconds for each batch size (train: the first
only), peak resident memory (VmHWM), the libtorch mapped. Mirrors bench/ArchDsl.Bench/Program.cs.
"""
import argparse
import json
import os
import sys
import time

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402


def proc_status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def mapped_library(stem):
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6 and os.path.basename(parts[5]).startswith(stem):
                return parts[5]
    return "?"


def timed(warmup, iters, step):
    for _ in range(warmup):
        step()
    wall, cpu = [], []
    for _ in range(iters):
        cpu0 = time.process_time()
        start = time.perf_counter()
        step()
        wall.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - cpu0) * 1000.0)
    return {"wall_ms": wall, "cpu_ms": cpu}


def inference_step(model, x):
    def step():
        with torch.no_grad():
            model(x)
    return step


def training_step(model, x, optimizer):
    labels = torch.randint(0, 1000, (x.shape[0],))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        optimizer.step()
    return step


def use_onednn_convolutions():
    """Routes every zero-padded Conv2d through torch.mkldnn_convolution (oneDNN for every convolution)."""
    libtorch_forward = torch.nn.Conv2d._conv_forward

    def forward(self, input, weight, bias):
        if self.padding_mode != "zeros" or isinstance(self.padding, str) or input.dim() != 4:
            return libtorch_forward(self, input, weight, bias)
        return torch.mkldnn_convolution(input.contiguous(), weight.contiguous(), bias, self.padding, self.stride,
                                        self.dilation, self.groups)
    torch.nn.Conv2d._conv_forward = forward


def retain_freed_memory():
    """glibc: mmap threshold explicit at its 32 MiB maximum, no mmap for large blocks, no trimming — freed
    activations stay for the next pass (the same parameters as TensorMemory.Retain; this process computes on its
    main thread, whose arena can hold blocks of any size)."""
    import ctypes
    libc = ctypes.CDLL("libc.so.6")
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -3, -4
    if (libc.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) != 1 or libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1) != 1
            or libc.mallopt(M_MMAP_MAX, 0) != 1):
        raise RuntimeError("mallopt refused")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("constructor")
    p.add_argument("task", choices=["infer", "train"])
    p.add_argument("weights")
    p.add_argument("--batches", default="1")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--iters", default="5")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--setup", choices=["shipped", "retain", "onednn+retain"], default="shipped")
    p.add_argument("--kwargs", default="{}")
    p.add_argument("--size", type=int, default=224)
    a = p.parse_args()
    if a.setup == "onednn+retain":
        use_onednn_convolutions()
    if a.setup in ("retain", "onednn+retain"):
        retain_freed_memory()
    if a.threads:
        torch.set_num_threads(a.threads)
    batches = [int(b) for b in a.batches.split(",")]
    iters = [int(n) for n in a.iters.split(",")]

    model = getattr(torchvision.models, a.constructor)(weights=None, **json.loads(a.kwargs))
    if a.weights != "-":
        model.load_state_dict(torchsharp_format.read_state_dict(a.weights), strict=True)
    torch.manual_seed(1)
    if a.task == "infer":
        model.eval()
    else:
        model.train()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    runs = {}
    for i, b in enumerate(batches):
        x = torch.randn(b, 3, a.size, a.size)
        step = inference_step(model, x) if a.task == "infer" else training_step(model, x, optimizer)
        runs[f"b{b}"] = timed(a.warmup, iters[min(i, len(iters) - 1)], step)
    print(json.dumps({
        "side": "python", "model": a.constructor, "task": a.task, "setup": a.setup, "runs": runs,
        "vmhwm_kb": proc_status("VmHWM"), "libtorch": mapped_library("libtorch_cpu"),
        "threads": torch.get_num_threads(), "torch": torch.__version__, "torchvision": torchvision.__version__,
    }))


if __name__ == "__main__":
    main()
