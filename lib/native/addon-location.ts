/**
 * Where the native addon can be: the prebuilt binary the npm package carries for linux-x64 with
 * glibc (Note [Prebuilt addon] in scripts/prebuild.js), and a local build (build/Release). Used
 * by binding.ts to load it and by scripts/install.js and scripts/prebuild.js, so the paths are
 * written once.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `prebuilds/<platform>-<arch>/gru_native.<libc>.node`, relative to the package root. */
export const PREBUILT_RELATIVE_PATH = join('prebuilds', 'linux-x64', 'gru_native.glibc.node');

/** Whether this process can run the prebuilt: Linux on x86-64 with glibc (not musl). */
export function prebuiltFitsThisPlatform(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return typeof header?.glibcVersionRuntime === 'string';
}

export function prebuiltPath(root: string): string {
  return join(root, PREBUILT_RELATIVE_PATH);
}

export function localBuildPaths(root: string): string[] {
  return [join(root, 'build', 'Release', 'gru_native.node'), join(root, 'build', 'Debug', 'gru_native.node')];
}

export interface AddonCandidate {
  path: string;
  prebuilt: boolean;
}

/**
 * The files to try, in order: GRU_NATIVE_ADDON alone when set; else the prebuilt (where it fits)
 * before a local build, or after it with GRU_NATIVE_BUILD_FROM_SOURCE=1.
 */
export function addonCandidates(root: string, env: NodeJS.ProcessEnv = process.env): AddonCandidate[] {
  if (env.GRU_NATIVE_ADDON) return [{ path: env.GRU_NATIVE_ADDON, prebuilt: resolve(env.GRU_NATIVE_ADDON) === prebuiltPath(root) }];
  const local = localBuildPaths(root).map((path) => ({ path, prebuilt: false }));
  const prebuilt = { path: prebuiltPath(root), prebuilt: true };
  // The libc check costs a few milliseconds: only where a prebuilt is there to be used.
  if (!existsSync(prebuilt.path) || !prebuiltFitsThisPlatform()) return local;
  return env.GRU_NATIVE_BUILD_FROM_SOURCE ? [...local, prebuilt] : [prebuilt, ...local];
}
