#!/usr/bin/env bash
# Run on the build machine before a GPU run: builds the addon (with the CUDA kernels: nvcc is
# here) and the TypeScript, then packs .gpu-kit/ (../shared/gpu/make-kit.sh: node and the
# OpenBLAS runtime) plus the node_modules the tests and bench need, compressed, so everything
# fits the device tool's 64 MiB carry limit. Then, with the device tool:
#
#   carry [".gpu-kit", "build/Release", "dist"], command:
#     source .gpu-kit/enter.sh && bash test/gpu/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -d node_modules ] || npm ci --ignore-scripts
npx cmake-js compile
npm run build:ts
kit_script=${GRU_NATIVE_MAKE_KIT:-../shared/gpu/make-kit.sh}
bash "$kit_script"
# typescript and the native build tools are not needed to run vitest and tsx.
tar -C . --exclude=node_modules/typescript --exclude=node_modules/node-gyp --exclude=node_modules/cmake-js \
  -cf - node_modules | xz -T0 -6 > .gpu-kit/node_modules.tar.xz
du -sh .gpu-kit build/Release dist
