#!/usr/bin/env bash
# The GPU machine's run: the CUDA backend tests and the op-case table's rows on CUDA against the
# CPU backend (twice: cuDNN reading our weight buffer directly where its layout allows, then with
# packing forced), the PyTorch GRU and training fixtures, and the GPU benchmarks against torch
# (bench/gru.ts and bench/train.ts). Results
# go to bench/results/ (and to $OUT when set). Prepare on the build machine with
# test/gpu/prepare.sh (builds, packs node, OpenBLAS and node_modules into .gpu-kit/), bring the
# repository with build/Release, dist and .gpu-kit to the GPU machine, then there:
#
#   source .gpu-kit/enter.sh && bash test/gpu/run.sh
#
# Exits non-zero when CUDA is unavailable there (every CUDA test would be skipped, which is not
# a pass on a GPU machine) or when a test or the benchmark fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
results=bench/results
mkdir -p "$results"
status=0

section() { printf '\n==== %s ====\n' "$*"; }

section "machine"
nvidia-smi || echo "nvidia-smi failed (no driver on PATH?)"
echo "node $(node --version 2>/dev/null || echo missing)"
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
library_path="${LD_LIBRARY_PATH:-}"
for lib in libcudnn.so.9 libcudnn.so.8 libcublas.so.13 libcublas.so.12; do
  found=""
  for dir in ${library_path//:/ }; do [ -e "$dir/$lib" ] && found="$dir/$lib" && break; done
  echo "$lib: ${found:-not on LD_LIBRARY_PATH}"
done

if [ ! -f build/Release/gru_native.node ]; then
  echo "build/Release/gru_native.node is missing: build here with \`npm run build:native\` and carry build/" >&2
  exit 1
fi
vitest=node_modules/.bin/vitest
if [ ! -x "$vitest" ] && [ -f .gpu-kit/node_modules.tar.xz ]; then
  xz -dc .gpu-kit/node_modules.tar.xz | tar -xf -
fi
if [ ! -x "$vitest" ]; then
  echo "$vitest is missing: run test/gpu/prepare.sh on the build machine and carry .gpu-kit" >&2
  exit 1
fi

section "our cuDNN/cuBLAS declarations against this machine's headers"
# Enum values and function signatures (native/cuda/*_api_check.cc); compile-only, no GPU needed.
site=$(ls -d /opt/torch/.venv/lib/python3*/site-packages 2>/dev/null | head -1)
includes=()
for dir in "$site"/nvidia/*/include /usr/local/cuda/include; do [ -d "$dir" ] && includes+=("-I$dir"); done
if command -v g++ > /dev/null && [ ${#includes[@]} -gt 0 ]; then
  for name in cudnn cublas; do
    if g++ -std=c++17 -fsyntax-only "${includes[@]}" "native/cuda/${name}_api_check.cc"; then
      echo "${name}_api_check.cc: matches the headers under ${includes[*]}"
    else
      echo "${name}_api_check.cc: does not compile against ${includes[*]} (mismatch, or a header is missing)"; status=1
    fi
  done
else
  echo "skipped: no g++ or no CUDA headers under ${site:-/opt/torch/.venv}"
fi

section "backends()"
node --import tsx -e "
  const { backends } = require('./lib/index');
  const info = backends();
  console.log(JSON.stringify(info, null, 2));
  const cuda = info.find((b) => b.name === 'cuda');
  if (!cuda.available) { console.error('CUDA is unavailable on this GPU machine: ' + cuda.reason); process.exit(3); }
" | tee "$results/gpu-backends.json"
if [ "${PIPESTATUS[0]}" -ne 0 ]; then
  echo "stopping: the CUDA tests would all be skipped" >&2
  exit 1
fi

section "tests: CUDA backend, op-case table, GRU and training fixtures, training errors, Keras optimizers, word LM on cuda"
"$vitest" run test/cuda.test.ts test/ops/op-table.test.ts test/gru-fixtures.test.ts test/training-fixtures.test.ts \
  test/training-errors.test.ts test/keras-optimizers.test.ts test/keras-gru-options.test.ts test/gru-composed.test.ts test/word-lm.test.ts \
  --reporter=default --reporter=json --outputFile.json="$results/gpu-tests.json" 2>&1 | tee "$results/gpu-tests.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

section "tests: the cuDNN GRU with weight packing forced (GRU_NATIVE_CUDNN_PACK_WEIGHTS=1)"
GRU_NATIVE_CUDNN_PACK_WEIGHTS=1 "$vitest" run test/cuda.test.ts -t "GRU" \
  --reporter=default --reporter=json --outputFile.json="$results/gpu-tests-packed.json" 2>&1 | tee "$results/gpu-tests-packed.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

section "examples (quick sizes) and the CLI demo on cuda"
examples_out=$(mktemp -d)
for example in sequence-classification binary-relu stacked-binary sine word-lm; do
  node --import tsx "examples/$example.ts" --device cuda --quick --out "$examples_out/$example" > "$examples_out/$example.log" 2>&1 \
    && echo "$example: $(tail -n 1 "$examples_out/$example.log")" || { echo "$example failed:"; tail -n 20 "$examples_out/$example.log"; status=1; }
done
node dist/cjs/cli/main.js demo --device cuda --epochs 2 --chars 60000 --out "$examples_out/demo" 2>&1 | tee "$results/gpu-demo.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

section "benchmark: bench/gru.ts --device cuda"
node --import tsx bench/gru.ts --device cuda ${GRU_BENCH_QUICK:+--quick} --out "$results/gru-cuda.json" 2>&1 | tee "$results/gru-cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

section "benchmark: bench/train.ts --device cuda (training steps W and C against torch on this GPU)"
node --import tsx bench/train.ts --device cuda ${GRU_BENCH_QUICK:+--quick} --out "$results/train-cuda.json" 2>&1 | tee "$results/train-cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

if [ -n "${OUT:-}" ]; then
  for file in "$results"/gpu-* "$results"/gru-cuda.* "$results"/train-cuda.*; do [ -f "$file" ] && cp "$file" "$OUT/"; done
fi
section "done (status $status)"
exit "$status"
