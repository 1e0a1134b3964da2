#!/usr/bin/env node
// Note [Prebuilt addon]
// The npm package carries one addon binary for linux-x64 with glibc, so installing it needs no
// compiler, no CMake and no OpenBLAS, and `npm install --ignore-scripts` works. This script builds
// it (run by `npm pack` through prepack, and by CI): a separate CMake build in build-prebuild/
// with GRU_NATIVE_STATIC=1 (OpenBLAS and libstdc++ linked in, so it needs glibc 2.34+ only; CUDA kernels with the
// static CUDA runtime when nvcc is here; cuDNN and cuBLAS stay dlopen'ed at run time), copied to
// lib/native/addon-location.ts's prebuilt path. The code is portable x86-64 with multiversioned
// hot loops (Note [CPU kernel variants]). It then checks what the binary needs from the system
// and that it loads, and skips the build when the sources have not changed since the last one.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const { PREBUILT_RELATIVE_PATH } = require(path.join(root, 'dist', 'cjs', 'native', 'addon-location.js'));
const target = path.join(root, PREBUILT_RELATIVE_PATH);
const buildDir = path.join(root, 'build-prebuild');
const stampFile = path.join(buildDir, 'sources.sha256');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`prebuild: the package carries a linux-x64 binary only; nothing to build on ${process.platform}-${process.arch}`);
  process.exit(0);
}

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

function sourcesHash() {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(path.join(root, 'native')), path.join(root, 'CMakeLists.txt')].sort()) {
    hash.update(path.relative(root, file)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

const stamp = sourcesHash();
if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log(`prebuild: ${PREBUILT_RELATIVE_PATH} is up to date`);
} else {
  if (!require('./cmake-build').cmakeBuild(buildDir, { GRU_NATIVE_STATIC: '1' })) {
    console.error('prebuild: the static build failed (output above)');
    process.exit(1);
  }
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join(buildDir, 'Release', 'gru_native.node'), target);
  writeFileSync(stampFile, stamp);
}

// What the binary needs from the machine: glibc (libc, libm, ...) and libgcc_s, nothing else.
const needed = execFileSync('readelf', ['-d', target], { encoding: 'utf8' })
  .split('\n').map((line) => /\(NEEDED\).*\[(.+)\]/.exec(line)?.[1]).filter(Boolean);
const unexpected = needed.filter((lib) => !/^(libc|libm|libdl|libpthread|librt|libgcc_s|ld-linux-x86-64)\.so/.test(lib));
if (unexpected.length > 0) {
  console.error(`prebuild: ${PREBUILT_RELATIVE_PATH} needs ${unexpected.join(', ')}; it must need only glibc and libgcc_s`);
  process.exit(1);
}
// Version strings in numeric order ("2.9" < "2.34").
const byVersion = (a, b) => a.localeCompare(b, undefined, { numeric: true });
const versions = execFileSync('objdump', ['-T', target], { encoding: 'utf8' }).match(/GLIBC_[0-9.]+/g) ?? [];
const newestGlibc = versions.map((v) => v.slice('GLIBC_'.length)).sort(byVersion).pop();
// The oldest glibc the binary must load on (Ubuntu 22.04, Debian 12, RHEL 9 have 2.34 or later).
const OLDEST_GLIBC = '2.34';
if (newestGlibc && byVersion(newestGlibc, OLDEST_GLIBC) > 0) {
  console.error(`prebuild: ${PREBUILT_RELATIVE_PATH} needs glibc ${newestGlibc}, newer than the ${OLDEST_GLIBC} it must load on`);
  process.exit(1);
}
const probe = spawnSync(process.execPath, ['-e',
  "const b = require(process.env.GRU_NATIVE_ADDON); console.log(JSON.stringify({ cpu: b.cpuInfo(), cuda: b.probeCuda().compiled }))"],
  { encoding: 'utf8', env: { ...process.env, GRU_NATIVE_ADDON: target } });
if (probe.status !== 0) {
  console.error(`prebuild: ${PREBUILT_RELATIVE_PATH} does not load:\n${probe.stderr}`);
  process.exit(1);
}
const { cpu, cuda } = JSON.parse(probe.stdout);
const size = (statSync(target).size / 2 ** 20).toFixed(1);
console.log(`prebuild: ${PREBUILT_RELATIVE_PATH}: ${size} MB, needs ${needed.join(' ')} (glibc >= ${newestGlibc}), ` +
  `CUDA kernels ${cuda ? 'included' : 'NOT included (no nvcc here)'}, OpenBLAS ${cpu.blasCore}, GRU loops ${cpu.kernels}`);
