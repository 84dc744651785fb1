"""Data-parallel training of an emitted ArchDsl network with torch.distributed, exported for TorchSharp.

Launch with torchrun, one process per worker (CPU and the gloo backend here; NCCL on GPUs works the same):

    torchrun --standalone --nproc_per_node=2 --redirects 1 --tee 1 train_ddp.py --module cifar.py --cls CifarNet --steps 300 --out run

(--redirects 1 --tee 1: Debian's torch 1.13.1 torchrun fails on Python 3.11 with its default "0" for both,
since Python 3.11 no longer lists a zero-valued IntFlag member; any non-zero value avoids it.)

MODULE is `archdsl emit FILE --target pytorch` output and CLS a network class in it (built at its defaults).
The data set is synthetic and seeded: class k's images are noise around a fixed per-class pattern, so the
network has something to learn and every run sees the same data. Each worker trains on its own shard
(DistributedSampler); DistributedDataParallel averages the gradients, so the replicas stay identical.
Rank 0 writes into OUT:
  weights.dat          the trained state_dict in TorchSharp's format (load with model.load(path) in C#)
  heldout_input.bin    a held-out batch, float32 little-endian
  heldout_output.bin   the trained network's eval-mode output on it
  meta.json            shapes, steps, world size, first and last training loss, held-out accuracy, and
                       whether every replica ended with the same parameters
"""
import argparse
import importlib.util
import json
import os
import sys

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "weights"))
import torchsharp_format  # noqa: E402  (TorchSharp's weight format in plain Python)


def load_class(path, name):
    spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def synthetic(count, shape, classes, seed):
    """Images = 0.5 * pattern[label] + noise; the patterns are fixed by seed 0 whatever split is drawn."""
    patterns = torch.randn((classes,) + tuple(shape), generator=torch.Generator().manual_seed(0))
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, classes, (count,), generator=g)
    images = 0.5 * patterns[labels] + torch.randn((count,) + tuple(shape), generator=g)
    return images, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--module", required=True)
    parser.add_argument("--cls", required=True)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=32, help="per worker")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--heldout", type=int, default=64)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    dist.init_process_group("gloo")  # rank, world size and rendezvous come from torchrun's environment
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.set_num_threads(1)
    torch.manual_seed(0)  # the same initial weights on every rank (DDP also broadcasts rank 0's at wrap time)

    model = load_class(args.module, args.cls)()
    shape = (model.input_shape.channels, model.input_shape.height, model.input_shape.width)
    classes = model.output_shape.channels
    ddp = DistributedDataParallel(model)

    images, labels = synthetic(args.steps * args.batch * world, shape, classes, seed=1)
    sampler = DistributedSampler(TensorDataset(images, labels), num_replicas=world, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(TensorDataset(images, labels), batch_size=args.batch, sampler=sampler, drop_last=True)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=args.lr, momentum=0.9)
    losses = []
    ddp.train()
    step = 0
    while step < args.steps:
        sampler.set_epoch(step)
        for x, y in loader:
            loss = torch.nn.functional.cross_entropy(ddp(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            step += 1
            if rank == 0 and (step % 50 == 0 or step == args.steps):
                print(f"step {step}/{args.steps} loss {loss.item():.4f}", flush=True)
            if step == args.steps:
                break

    # Every replica must hold the same parameters: compare each rank's with rank 0's. (Batch-norm running
    # statistics are buffers: DDP copies rank 0's to the others before each forward, and rank 0's are exported.)
    flat = torch.cat([p.detach().reshape(-1).double() for p in model.parameters()])
    reference = flat.clone()
    dist.broadcast(reference, src=0)
    same = torch.tensor([1 if torch.equal(flat, reference) else 0])
    dist.all_reduce(same, op=dist.ReduceOp.MIN)

    if rank == 0:
        os.makedirs(args.out, exist_ok=True)
        torchsharp_format.write_state_dict(model.state_dict(), os.path.join(args.out, "weights.dat"))
        x, y = synthetic(args.heldout, shape, classes, seed=2)
        model.eval()
        with torch.no_grad():
            out = model(x)
        x.numpy().astype("<f4").tofile(os.path.join(args.out, "heldout_input.bin"))
        out.numpy().astype("<f4").tofile(os.path.join(args.out, "heldout_output.bin"))
        meta = {
            "class": args.cls, "steps": args.steps, "world_size": world, "batch_per_worker": args.batch,
            "input": list(x.shape), "output": list(out.shape),
            "first_loss": losses[0], "last_loss": sum(losses[-10:]) / len(losses[-10:]),
            "heldout_accuracy": float((out.argmax(1) == y).float().mean()),
            "replicas_equal": bool(same.item()),
        }
        with open(os.path.join(args.out, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
        print(json.dumps(meta), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
