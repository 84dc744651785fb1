#!/usr/bin/env bash
# Performance of the generated C# on TorchSharp (libtorch 2.10, CPU) in its speed setups, with torchvision on
# Debian's torch 1.13 as a control, in interleaved processes; writes the tables into docs/performance.md.
# See docs/performance.md for what is measured.
# Usage: ./bench.sh [--threads N] [--rounds N] [--models ResNet50 ...] [--no-doc]   (bench/run.py --help)
#        ./bench.sh generator   BenchmarkDotNet runs of the generator (bench/ArchDsl.Generator.Bench)
set -euo pipefail
cd "$(dirname "$0")"
if [[ "${1:-}" == "generator" ]]; then
  shift
  exec dotnet run -c Release --project bench/ArchDsl.Generator.Bench -- "$@"
fi
dotnet build bench/ArchDsl.Bench/ArchDsl.Bench.csproj -c Release -nologo -v quiet -clp:NoSummary
exec /usr/bin/python3 bench/run.py "$@"
