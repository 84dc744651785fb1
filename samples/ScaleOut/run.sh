#!/usr/bin/env bash
# The scale-out example end to end (docs/scale-out.md): one .arch file, trained by PyTorch's DDP on two CPU
# processes, checked in .NET; then trained in .NET and checked in PyTorch. Usage: samples/ScaleOut/run.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
steps="${1:-300}"
work="${TMPDIR:-/tmp}/archdsl-scaleout"
mkdir -p "$work"
export OMP_NUM_THREADS=1

echo "== 1. emit samples/Tour/cifar.arch as a PyTorch module"
dotnet run --project src/Cli -- emit samples/Tour/cifar.arch --target pytorch --output "$work/cifar.py"

echo "== 2. train with DistributedDataParallel: 2 processes, gloo, $steps steps"
/usr/bin/python3 -m torch.distributed.run --standalone --nproc_per_node=2 --redirects 1 --tee 1 \
  samples/ScaleOut/train_ddp.py --module "$work/cifar.py" --cls CifarNet --steps "$steps" --out "$work/ddp"

echo "== 3. load the DDP weights into the generated C# CifarNet; compare on the held-out batch"
dotnet run --project samples/ScaleOut -- check "$work/ddp"

echo "== 4. the reverse: train in C#, load into the PyTorch module, compare"
dotnet run --project samples/ScaleOut -- train "$work/cs" 50
/usr/bin/python3 tests/Catalogue.Tests/python/pytorch_parity.py "$work/cifar.py" CifarNet "$work/cs/weights.dat" \
  "$work/cs/input.bin" "$work/cs/output.bin" 16x3x32x32 "$work/cs/report.json"
/usr/bin/python3 -c "import json, sys; r = json.load(open(sys.argv[1])); d = r['csharp_max_diff']; \
print('PyTorch CifarNet on the C# weights: max |PyTorch - C#| = %.2e' % d); sys.exit(0 if d <= 1e-4 else 1)" "$work/cs/report.json"
