#!/usr/bin/env node
// Builds the native addon with plain CMake (no cmake-js, so installing from source needs no npm
// build tool beyond the two header packages): configure into a build folder, then build, with
// Ninja when it is there and make otherwise. The addon lands in <build folder>/Release.
//   node scripts/cmake-build.js [build folder, default build]
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');

/** Whether `command` runs (`command --version` succeeds). */
function has(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Configures and builds into `buildDir`; returns true on success. `env` adds to process.env. */
function cmakeBuild(buildDir, env = {}) {
  const options = { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } };
  const generator = existsSync(path.join(buildDir, 'CMakeCache.txt')) ? [] : has('ninja') ? ['-G', 'Ninja'] : ['-G', 'Unix Makefiles'];
  const configure = spawnSync('cmake', ['-S', root, '-B', buildDir, ...generator, '-DCMAKE_BUILD_TYPE=Release',
    `-DNODE_EXECUTABLE=${process.execPath}`, `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${path.join(buildDir, 'Release')}`], options);
  if (configure.status !== 0) return false;
  const jobs = String(Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length));
  return spawnSync('cmake', ['--build', buildDir, '--parallel', jobs], options).status === 0;
}

module.exports = { cmakeBuild, has };

if (require.main === module) {
  const buildDir = path.resolve(root, process.argv[2] ?? 'build');
  process.exit(cmakeBuild(buildDir) ? 0 : 1);
}
