/**
 * The one place that loads the native addon. Everything else imports `native` from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import * as errors from '../errors';
import { addonCandidates, type AddonCandidate } from './addon-location';
import { applyOpenblasCoreDefault } from './openblas-core';
import type { NativeBinding, NativeConstants } from './types';

/** The gru-native package root: the nearest folder above this file with our package.json. */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'gru-native') return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return join(__dirname, '..', '..');
    dir = parent;
  }
}

type ErrorClass = new (message: string, code: string) => Error;

/** The error class of each native ErrorKind: the addon names each kind's JS class (native/core/errors.h). */
function errorClassesOf(binding: NativeBinding): ErrorClass[] {
  const classes: ErrorClass[] = [];
  for (const [name, kind] of Object.entries(binding.constants().errorKinds)) {
    const found = (errors as Record<string, unknown>)[name];
    classes[kind] = typeof found === 'function' ? (found as ErrorClass) : errors.GruError;
  }
  return classes;
}

/** GRU_NATIVE_SGEMM, read by the addon (native/cpu/sgemm.cc): a misspelt value would be ignored there. */
export function checkSgemmChoice(env: NodeJS.ProcessEnv): void {
  const choice = env.GRU_NATIVE_SGEMM;
  if (choice === undefined || choice === '' || choice === 'openblas' || choice === 'native') return;
  throw new errors.ArgumentError(`GRU_NATIVE_SGEMM must be 'openblas' or 'native' (or unset), got ${JSON.stringify(choice)}`);
}

function load(): { binding: NativeBinding; candidate: AddonCandidate } {
  checkSgemmChoice(process.env);
  applyOpenblasCoreDefault(); // before OpenBLAS loads with the addon: Note [OpenBLAS kernel choice]
  const root = packageRoot();
  const requireAddon = createRequire(join(root, 'package.json'));
  const attempts: string[] = [];
  for (const candidate of addonCandidates(root)) {
    const { path } = candidate;
    if (!existsSync(path)) {
      attempts.push(`  ${path}: not found`);
      continue;
    }
    try {
      const binding = requireAddon(path) as NativeBinding;
      const classes = errorClassesOf(binding);
      binding.setErrorFactory((kind, message, code) => new (classes[kind] ?? errors.GruError)(message, code));
      return { binding, candidate };
    } catch (error) {
      attempts.push(`  ${path}: ${(error as Error).message}`);
    }
  }
  throw new errors.GruError(
    'gru-native: the native addon could not be loaded. Tried:\n' +
      attempts.join('\n') +
      '\nTo build it from source: install OpenBLAS and a C++ toolchain (Debian/Ubuntu: ' +
      '`apt-get install -y libopenblas-dev cmake g++`, with sudo when not root), then run `npm rebuild gru-native` ' +
      `(in a clone of the repository: \`npm run build:native\` in ${root}). Set GRU_NATIVE_ADDON to load a specific file.`,
    'ADDON_NOT_FOUND',
  );
}

const { binding, candidate } = load();

export const native: NativeBinding = binding;

/** The addon file that was loaded, and whether it is the prebuilt one the package carries. */
export const loadedAddon: Readonly<AddonCandidate> = Object.freeze(candidate);

/** The addon's code tables (Note [op codes] in native/ops/op_codes.h), read once. */
export const nativeConstants: NativeConstants = native.constants();
