#!/usr/bin/env bash
# Performance of the generated C# classes on TorchSharp (libtorch 2.10, CPU) against TorchSharp's hand-written
# TorchVision models on the same engine and weights, in interleaved processes; writes the tables into
# docs/performance.md. See docs/performance.md for what is measured.
# Usage: ./bench.sh [--rounds N] [--models ResNet50 ...] [--full] [--no-doc]   (bench/rival.py --help)
#        ./bench.sh setups ...      the runtime's speed settings against torchvision on Debian's torch 1.13
#                                   (bench/run.py --help)
#        ./bench.sh generator ...   BenchmarkDotNet runs of the generator (bench/ArchDsl.Generator.Bench)
set -euo pipefail
cd "$(dirname "$0")"
if [[ "${1:-}" == "generator" ]]; then
  shift
  exec dotnet run -c Release --project bench/ArchDsl.Generator.Bench -- "$@"
fi
driver=bench/rival.py
if [[ "${1:-}" == "setups" ]]; then
  shift
  driver=bench/run.py
fi
dotnet build bench/ArchDsl.Bench/ArchDsl.Bench.csproj -c Release -nologo -v quiet -clp:NoSummary
exec /usr/bin/python3 "$driver" "$@"
