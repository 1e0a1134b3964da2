#!/usr/bin/env node
// npm install hook: builds the native addon from source. cmake-js first (CPU + CUDA when nvcc
// exists); node-gyp (CPU only) when CMake is missing. Downloads nothing: Node-API headers come
// from the node-api-headers package and OpenBLAS from the system.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false });
  return result.status === 0;
}

function has(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

function findBin(name) {
  try {
    const pkg = require.resolve(`${name}/package.json`, { paths: [root] });
    const manifest = require(pkg);
    const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[name];
    return path.join(path.dirname(pkg), bin);
  } catch {
    return undefined;
  }
}

function openblasHint() {
  const headers = ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/cblas.h'];
  if (headers.some((h) => existsSync(h))) return '';
  return '\nOpenBLAS headers were not found. Install them with:\n    sudo apt-get install -y libopenblas-dev\n';
}

if (process.env.GRU_NATIVE_SKIP_BUILD) {
  console.log('gru-native: GRU_NATIVE_SKIP_BUILD is set, not building the native addon');
  process.exit(0);
}

const cmakeJs = findBin('cmake-js');
if (has('cmake') && cmakeJs) {
  if (run(process.execPath, [cmakeJs, 'compile'])) process.exit(0);
  console.error('gru-native: the cmake-js build failed.' + openblasHint());
  process.exit(1);
}

console.log('gru-native: cmake not found, building the CPU backend with node-gyp instead');
const nodeGyp = findBin('node-gyp') || path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
if (existsSync(nodeGyp) && run(process.execPath, [nodeGyp, 'rebuild'])) process.exit(0);
console.error('gru-native: the native build failed. Install a C++ toolchain, CMake and OpenBLAS:\n' +
  '    sudo apt-get install -y g++ cmake libopenblas-dev\nthen run `npm rebuild gru-native`.' + openblasHint());
process.exit(1);
