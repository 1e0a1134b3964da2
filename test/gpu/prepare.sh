#!/usr/bin/env bash
# Run on the build machine before a GPU run (DEVELOPERS.md, "The GPU suite"). Builds the addon
# (with the CUDA kernels: nvcc is here) and the TypeScript, then packs into .gpu-kit/ what a bare
# GPU machine lacks to run them: this machine's node binary, the OpenBLAS runtime libraries the
# addon links, and the node_modules the tests and the bench need, compressed so that the kit,
# build/Release and dist fit a 64 MiB transfer. On the GPU machine, from the repository root:
#
#   source .gpu-kit/enter.sh && bash test/gpu/run.sh
#
# The CUDA kernels are built for the GPU's architecture alone (GRU_NATIVE_CUDA_ARCHS, default
# 90-real: H100 and H200), which keeps the addon under 6 MB instead of 14 with every architecture.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -d node_modules ] || npm ci --ignore-scripts
GRU_NATIVE_CUDA_ARCHS="${GRU_NATIVE_CUDA_ARCHS:-90-real}" npm run build:native
npm run build:ts

kit=.gpu-kit
rm -rf "$kit" && mkdir -p "$kit/stage/bin" "$kit/stage/lib"
cp "$(readlink -f "$(command -v node)")" "$kit/stage/bin/node"
# The shared libraries the addon needs beyond glibc and libstdc++: OpenBLAS and what it links.
ldd build/Release/gru_native.node | awk '/=> \// { print $3 }' | grep -E 'openblas|gfortran|quadmath|blas|lapack' |
  while read -r lib; do cp "$(readlink -f "$lib")" "$kit/stage/lib/$(basename "$lib")"; done
tar -C "$kit/stage" -cf - . | xz -T0 -6 > "$kit/runtime.tar.xz"
rm -rf "$kit/stage"
# The compilers and build tools are not needed to run vitest and tsx there, nor the peers that no
# GPU test loads (onnxruntime and TF.js: 560 MB; the one TF.js comparison in a GPU test file skips).
tar -cf - --exclude=node_modules/typescript --exclude=node_modules/typescript7 --exclude='node_modules/@typescript' \
  --exclude=node_modules/node-gyp --exclude=node_modules/.cache --exclude=node_modules/onnxruntime-node \
  --exclude=node_modules/onnxruntime-common --exclude='node_modules/@tensorflow' node_modules |
  xz -T0 -6 > "$kit/node_modules.tar.xz"
cat > "$kit/enter.sh" <<'ENTER'
# Sourced on the GPU machine from the repository root: node and OpenBLAS from the kit on PATH and
# LD_LIBRARY_PATH, node_modules unpacked, and cuDNN/cuBLAS from NVIDIA's Python wheels where a
# Python environment has them (or from GRU_NATIVE_CUDA_LIBS).
kit_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runtime=/tmp/gru-native-gpu-runtime
if [ ! -x "$runtime/bin/node" ]; then
  mkdir -p "$runtime" && xz -dc "$kit_dir/runtime.tar.xz" | tar -C "$runtime" -xf -
fi
[ -d node_modules ] || xz -dc "$kit_dir/node_modules.tar.xz" | tar -xf -
cuda_libs="${GRU_NATIVE_CUDA_LIBS:-}"
for dir in /opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib /usr/local/lib/python3*/dist-packages/nvidia/*/lib; do
  [ -d "$dir" ] && cuda_libs="${cuda_libs:+$cuda_libs:}$dir"
done
export PATH="$runtime/bin:$PATH"
export LD_LIBRARY_PATH="$runtime/lib${cuda_libs:+:$cuda_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "gpu kit: node $(node --version); cuDNN/cuBLAS from: ${cuda_libs:-LD_LIBRARY_PATH only}"
ENTER
du -sh "$kit" build/Release dist
total=$(du -cb "$kit" build/Release dist | tail -1 | cut -f1)
echo "carry: $((total / 1024 / 1024)) MiB of the 64 MiB limit"
[ "$total" -le $((64 * 1024 * 1024)) ] || { echo "prepare.sh: the kit, build/Release and dist are over 64 MiB" >&2; exit 1; }
