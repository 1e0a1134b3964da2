#!/usr/bin/env bash
# The package as a user gets it: packs gru-native (the prebuilt addon inside, Note [Prebuilt
# addon] in scripts/prebuild.js) and installs the tarball into empty projects on a PATH with only
# Node and a shell (no g++, cmake or make), once normally and once with --ignore-scripts. In each,
# require() and import work, a GRU forward equals a PyTorch fixture, a GRU trains (the loss
# falls), backends() reports the prebuilt, and no OpenBLAS library is mapped into the process.
# Prints the install times.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
echo "check-pack: $tarball, $(du -h "$work/$tarball" | cut -f1)"

# A PATH with node, npm and the basic shell tools npm needs, and no compiler or build tool.
bare="$work/bare-bin"
mkdir -p "$bare"
for tool in node npm npx sh bash env cat mkdir rm cp mv ln chmod ls sed grep tar gzip uname; do
  found=$(command -v "$tool" || true)
  [ -n "$found" ] && ln -s "$(readlink -f "$found")" "$bare/$tool"
done
# npm and npx are scripts that find their JS relative to themselves: link the real files.
ln -sf "$(readlink -f "$(command -v npm)")" "$bare/npm"
ln -sf "$(readlink -f "$(command -v npx)")" "$bare/npx"
for tool in g++ c++ cmake make ninja; do
  if PATH="$bare" command -v "$tool" > /dev/null; then echo "check-pack: $tool is still on the bare PATH" >&2; exit 1; fi
done

use_package=$(cat <<'JS'
const gn = require('gru-native');
const info = gn.backends()[0];
if (!info.binary.prebuilt) throw new Error('not the prebuilt addon: ' + JSON.stringify(info.binary));
const f = gn.readSafetensorsWithMetadata(process.argv[1]);
const config = JSON.parse(f.metadata.config);
const gru = new gn.GRU({ inputSize: config.inputSize, hiddenSize: config.hiddenSize });
gru.loadStateDict({ weight_ih_l0: f.tensors.weight_ih_l0, weight_hh_l0: f.tensors.weight_hh_l0, bias_ih_l0: f.tensors.bias_ih_l0, bias_hh_l0: f.tensors.bias_hh_l0 });
const out = gn.noGrad(() => gru.forward(f.tensors.x)).output.dataSync();
const want = f.tensors.output.dataSync();
const worst = want.reduce((m, v, i) => Math.max(m, Math.abs(v - out[i])), 0);
if (!(worst < 1e-5)) throw new Error('GRU forward differs from PyTorch by ' + worst);
// Training: SGD through autograd from a fresh GRU toward the fixture's outputs; the loss must fall.
const student = new gn.GRU({ inputSize: config.inputSize, hiddenSize: config.hiddenSize, generator: new gn.Generator(1) });
const lossAt = () => gn.scope(() => {
  const l = gn.losses.mse(student.forward(f.tensors.x).output, f.tensors.output);
  l.backward();
  gn.noGrad(() => { for (const p of student.parameters()) p.add_(p.grad, -0.5); student.zeroGrad(); });
  return l.itemSync();
});
const first = lossAt();
let last = first;
for (let step = 0; step < 30; step++) last = lossAt();
if (!(last < first / 2)) throw new Error(`training did not reduce the loss: ${first} -> ${last}`);
const maps = require('fs').readFileSync('/proc/self/maps', 'utf8');
if (/libopenblas|libgfortran/.test(maps)) throw new Error('an OpenBLAS library is mapped into the process');
console.log(`CommonJS ok: prebuilt, GRU forward = PyTorch (max diff ${worst.toExponential(1)}), training loss ${first.toExponential(2)} -> ${last.toExponential(2)}, kernels ${info.kernels.gru} / OpenBLAS ${info.kernels.openblas}, no libopenblas mapped`);
JS
)
fixture="$root/test/fixtures/gru/basic-float32.safetensors"

for mode in scripts ignore-scripts; do
  project="$work/project-$mode"
  mkdir -p "$project" && cd "$project"
  PATH="$bare" npm init -y > /dev/null
  flags=(--no-audit --no-fund)
  [ "$mode" = ignore-scripts ] && flags+=(--ignore-scripts)
  started=$(date +%s%N)
  PATH="$bare" npm install "${flags[@]}" "$work/$tarball" > "$work/install-$mode.log" 2>&1 || { cat "$work/install-$mode.log"; exit 1; }
  elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  echo "check-pack: npm install ${flags[*]}: $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s"
  # With the prebuilt there, the install step builds nothing.
  if [ -e node_modules/gru-native/build ]; then echo "check-pack: the install step built the addon" >&2; exit 1; fi
  PATH="$bare" node -e "$use_package" "$fixture" | sed 's/^/check-pack: /'
  PATH="$bare" node --input-type=module -e "import gn, { Tensor } from 'gru-native'; if (Tensor.zeros([3]).numel !== 3 || gn.Tensor !== Tensor) process.exit(1); console.log('check-pack: ES module ok')"
done
