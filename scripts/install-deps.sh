#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine, skipping what is present:
# libtorch (the engine underneath), torchvision for /usr/bin/python3 (the reference), cmake and g++
# (the native shim), graphviz (network diagrams).
set -euo pipefail

need=()
dpkg -s libtorch-dev >/dev/null 2>&1 || need+=(libtorch-dev)
dpkg -s python3-torchvision >/dev/null 2>&1 || need+=(python3-torchvision)
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
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
