/**
 * HDF5 through the maintained h5wasm (a wasm build of libhdf5; its Node build reads and writes
 * host paths). It is an ES module only, so it is imported at first use; the few calls used are
 * typed here.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ArgumentError, GruError } from '../errors';

export interface H5Dataset {
  readonly shape: number[];
  readonly dtype: string;
  readonly value: ArrayLike<number>;
}

export interface H5Group {
  keys(): string[];
  get(path: string): H5Group | H5Dataset | null;
  readonly attrs: Record<string, { value: unknown }>;
  create_group(name: string): H5Group;
  create_dataset(options: { name: string; data: Float32Array; shape: number[]; dtype: string }): H5Dataset;
  create_attribute(name: string, value: string | string[]): void;
}

export interface H5File extends H5Group {
  close(): void;
}

interface H5Module {
  ready: Promise<unknown>;
  File: new (path: string, mode: 'r' | 'w') => H5File;
}

let loading: Promise<H5Module> | null = null;

/** The directory of the installed h5wasm package (its exports map hides package.json from require.resolve). */
function h5wasmEntry(): string {
  for (const dir of require.resolve.paths('h5wasm') ?? []) {
    const entry = join(dir, 'h5wasm', 'dist', 'node', 'hdf5_hl.js');
    if (existsSync(entry)) return entry;
  }
  throw new ArgumentError(`h5wasm is not installed next to ${dirname(__dirname)}: reinstall gru-native's dependencies (npm install)`);
}

// A real dynamic import, which CommonJS output would otherwise turn into require().
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default?: H5Module } & H5Module>;

/** The module: required (Node 20.19+ loads ES modules so, test runners included), else imported. */
async function load(): Promise<H5Module> {
  const entry = h5wasmEntry();
  let m: { default?: H5Module } & H5Module;
  try {
    m = require(entry);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw err;
    m = await importModule(pathToFileURL(entry).href);
  }
  const h5 = m.default ?? m;
  await h5.ready;
  return h5;
}

export function hdf5(): Promise<H5Module> {
  loading ??= load();
  return loading;
}

/**
 * Opens an HDF5 file; libhdf5's own failures (not HDF5, truncated) become ArgumentErrors naming
 * `what`. Reads from the file go through readH5 for the same reason.
 */
export async function openH5(path: string, mode: 'r' | 'w', what: string): Promise<H5File> {
  const h5 = await hdf5();
  return readH5(what, () => new h5.File(path, mode));
}

/** Runs `fn`, turning libhdf5's errors into ArgumentErrors naming `what` (the library's own pass through). */
export function readH5<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GruError) throw err;
    throw new ArgumentError(`${what}: the HDF5 data cannot be read: not an HDF5 file, truncated or corrupt (${(err as Error)?.message ?? String(err)})`);
  }
}

export function isDataset(node: H5Group | H5Dataset | null): node is H5Dataset {
  return node !== null && 'shape' in node && 'value' in node;
}
