#!/usr/bin/env node
// npm install hook. Where the package carries a prebuilt addon that fits this machine (Note
// [Prebuilt addon] in scripts/prebuild.js) and it loads, there is nothing to do, and
// `npm install --ignore-scripts` works just as well. Otherwise (other platforms, a clone of the
// repository, or GRU_NATIVE_BUILD_FROM_SOURCE=1) it builds from source: CMake first
// (scripts/cmake-build.js: CPU + CUDA when nvcc exists), node-gyp (CPU only) when CMake is missing. What a build needs is
// checked first, so a missing piece gives one message naming it and the command that fixes it.
// Downloads nothing: Node-API headers come from the node-api-headers package, OpenBLAS from the
// system.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const env = process.env;

const { cmakeBuild, has } = require('./cmake-build');

function run(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false }).status === 0;
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

/** The command that retries the build after a fix: in a clone, its own script; as a dependency, npm rebuild. */
function retryCommand() {
  return path.resolve(env.INIT_CWD || '') === root ? 'npm run build:native' : 'npm rebuild gru-native';
}

function aptCommand(packages) {
  const sudo = typeof process.getuid === 'function' && process.getuid() !== 0 ? 'sudo ' : '';
  return `${sudo}apt-get install -y ${packages.join(' ')}`;
}

function hasOpenblasHeaders() {
  const headers = ['/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h', '/usr/include/aarch64-linux-gnu/openblas-pthread/cblas.h',
    '/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/openblas/cblas.h', '/usr/include/cblas.h'];
  return headers.some((h) => existsSync(h)) || spawnSync('pkg-config', ['--exists', 'openblas'], { stdio: 'ignore' }).status === 0;
}

function fail(lines) {
  console.error(lines.join('\n'));
  process.exit(1);
}

if (env.GRU_NATIVE_SKIP_BUILD) {
  console.log('gru-native: GRU_NATIVE_SKIP_BUILD is set, not building the native addon');
  process.exit(0);
}

// ---- the prebuilt addon (absent in a clone of the repository, where dist/ is built later)
const locationModule = path.join(root, 'dist', 'cjs', 'native', 'addon-location.js');
if (!env.GRU_NATIVE_BUILD_FROM_SOURCE && existsSync(locationModule)) {
  const location = require(locationModule);
  const prebuilt = location.prebuiltPath(root);
  if (existsSync(prebuilt) && location.prebuiltFitsThisPlatform()) {
    const check = spawnSync(process.execPath, ['-e', 'require(process.argv[1]).cpuInfo()', prebuilt], { encoding: 'utf8' });
    if (check.status === 0) {
      console.log(`gru-native: using the prebuilt addon (${location.PREBUILT_RELATIVE_PATH}); nothing to build`);
      process.exit(0);
    }
    console.log(`gru-native: the prebuilt addon does not load here (${(check.stderr.trim().split('\n').find((l) => /Error/.test(l)) ?? 'unknown error').trim()}); building from source`);
  }
}

// ---- building from source
const nodeGyp = findBin('node-gyp') || path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
// CMake builds everything (CUDA too); node-gyp (CPU only) needs Python where CMake is missing.
const useCmake = has('cmake');
const canUseNodeGyp = existsSync(nodeGyp) && has('python3');
const missing = [];
if (!has('g++') && !has('c++')) missing.push(['a C++ compiler', 'g++']);
if (!useCmake && !canUseNodeGyp) missing.push(['CMake', 'cmake']);
if (!has('make') && !has('ninja')) missing.push(['make', 'make']);
if (!hasOpenblasHeaders()) missing.push(['the OpenBLAS headers', 'libopenblas-dev']);
if (missing.length > 0) {
  fail([
    `gru-native: cannot build the native addon from source here; missing: ${missing.map(([what]) => what).join(', ')}.`,
    'Install them (Debian/Ubuntu), then build again:',
    `    ${aptCommand(missing.map(([, pkg]) => pkg))}`,
    `    ${retryCommand()}`,
  ]);
}

if (useCmake) {
  if (cmakeBuild(path.join(root, 'build'))) process.exit(0);
} else {
  console.log('gru-native: CMake is missing; building the CPU backend with node-gyp instead');
  if (run(process.execPath, [nodeGyp, 'rebuild'])) process.exit(0);
}
fail([`gru-native: the native build failed (its output is above). Fix what it reports, then run: ${retryCommand()}`]);
