#!/usr/bin/env bash
# From a fresh clone to a running demo: system packages (when missing), npm ci (which builds the
# native addon and the TypeScript), then the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: gru-native needs Node.js >= 20 (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# OpenBLAS (required), CMake and a C++ compiler for the build.
packages=(libopenblas-dev cmake g++ make pkg-config)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    echo "setup: missing system packages. Run this, then run setup again:" >&2
    echo "    sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# onnxruntime-node (a devDependency, for the ONNX tests) would download CUDA files at install;
# its CPU library ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci
npm run demo
