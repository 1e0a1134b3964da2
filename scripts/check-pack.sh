#!/usr/bin/env bash
# Packs gru-native, installs the tarball into an empty project (building the addon from source)
# and uses it from CommonJS and from an ES module.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund "$work/$tarball"
node -e "const g = require('gru-native'); const t = g.Tensor.ones([2, 2]); if (t.dataSync().reduce((a, b) => a + b) !== 4) process.exit(1); console.log('check-pack: CommonJS ok', g.backends().map((b) => b.name + ':' + b.available).join(' '))"
node --input-type=module -e "import { Tensor } from 'gru-native'; const t = Tensor.zeros([3]); if (t.numel !== 3) process.exit(1); console.log('check-pack: ES module ok')"
