#!/usr/bin/env bash
# The main job: installs what is missing, builds the tour sample (which compiles every
# architectures/*.arch into C# classes at build time) and runs it: the catalogue's static
# costs, a forward pass of every network, and a small network trained, saved and reloaded.
# Usage: ./run.sh [OUTPUT_DIR]   (weights are written there; default artifacts/tour)
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh

echo "Building samples/Tour (Release; the first build restores TorchSharp-cpu from NuGet)..."
dotnet build samples/Tour/ArchDsl.Tour.csproj -c Release -nologo -v minimal -clp:NoSummary
dotnet run --project samples/Tour/ArchDsl.Tour.csproj -c Release --no-build -- "${1:-artifacts/tour}"
