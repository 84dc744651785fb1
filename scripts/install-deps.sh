#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine, skipping what is present:
# torchvision for /usr/bin/python3 (the reference the tests compare with), g++ and patchelf (the build makes
# TorchSharp's native library loadable where libstdc++ predates GCC 13, as on Debian 12; see build/ArchDsl.Runtime.targets),
# graphviz (network diagrams), python3-onnx (a second reader of exported ONNX files). TorchSharp itself (TorchSharp-cpu, with libtorch) comes from NuGet at restore.
set -euo pipefail

need=()
dpkg -s python3-torchvision >/dev/null 2>&1 || need+=(python3-torchvision)
dpkg -s python3-onnx >/dev/null 2>&1 || need+=(python3-onnx)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v patchelf >/dev/null 2>&1 || need+=(patchelf)
command -v dot >/dev/null 2>&1 || need+=(graphviz)

if [ ${#need[@]} -gt 0 ]; then
  echo "Installing: ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

command -v dotnet >/dev/null 2>&1 || { echo "error: the .NET SDK (dotnet) is required" >&2; exit 1; }
