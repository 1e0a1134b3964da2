/**
 * PyTorch reference fixtures (test/fixtures/gru, written by scripts/make_fixtures.py) and a
 * tolerance comparison that says where and by how much arrays differ.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { parseSafetensors, type RawTensor } from '../../lib/weights/safetensors-format';

export const GRU_FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'gru');
export const FIXTURE_FORMAT = 'gru-native-fixture';
export const FIXTURE_VERSION = '1';
const REGENERATE = 'regenerate with: /usr/bin/python3 scripts/make_fixtures.py (PyTorch from Debian: apt-get install -y python3-torch)';

/** The configuration a fixture was generated with (its `config` metadata). */
export interface GruFixtureConfig {
  kind: 'gru' | 'gru_cell' | 'gru_reset_before';
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  batchFirst: boolean;
  seqLen: number;
  batch: number;
  hasH0: boolean;
  lengths: number[] | null;
  dtype: 'float32' | 'float64';
}

export interface GruFixture {
  name: string;
  config: GruFixtureConfig;
  metadata: Record<string, string>;
  tensors: Record<string, RawTensor>;
}

/** Fixture names (file names without `.safetensors`), sorted, e.g. `basic-float64`. */
export function listGruFixtures(): string[] {
  if (!existsSync(GRU_FIXTURE_DIR)) throw new Error(`no GRU fixtures at ${GRU_FIXTURE_DIR}; ${REGENERATE}`);
  return readdirSync(GRU_FIXTURE_DIR)
    .filter((file) => file.endsWith('.safetensors'))
    .map((file) => file.slice(0, -'.safetensors'.length))
    .sort();
}

export function loadGruFixture(name: string): GruFixture {
  const file = join(GRU_FIXTURE_DIR, `${name}.safetensors`);
  if (!existsSync(file)) throw new Error(`GRU fixture "${name}" not found at ${file}; ${REGENERATE}`);
  const { metadata, entries } = parseSafetensors(readFileSync(file), file);
  if (metadata.format !== FIXTURE_FORMAT || metadata.version !== FIXTURE_VERSION) {
    throw new Error(
      `GRU fixture "${name}" has format ${JSON.stringify(metadata.format)} version ${JSON.stringify(metadata.version)}, ` +
        `expected ${JSON.stringify(FIXTURE_FORMAT)} version ${JSON.stringify(FIXTURE_VERSION)}; ${REGENERATE}`,
    );
  }
  let config: GruFixtureConfig;
  try {
    config = JSON.parse(metadata.config) as GruFixtureConfig;
  } catch (err) {
    throw new Error(`GRU fixture "${name}" has no valid config metadata (${(err as Error).message}); ${REGENERATE}`);
  }
  return { name, config, metadata, tensors: entries };
}

/** PyTorch's parameter names for a config, in PyTorch's order. */
export function parameterNames(config: GruFixtureConfig): string[] {
  const kinds = config.bias ? ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] : ['weight_ih', 'weight_hh'];
  if (config.kind === 'gru_cell') return kinds;
  const names: string[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const suffix of config.bidirectional ? ['', '_reverse'] : ['']) {
      for (const kind of kinds) names.push(`${kind}_l${layer}${suffix}`);
    }
  }
  return names;
}

/** The shape every tensor of a fixture must have, by name. */
export function expectedFixtureShapes(config: GruFixtureConfig): Record<string, number[]> {
  const { inputSize: I, hiddenSize: H, numLayers: L, seqLen: T, batch: B } = config;
  const D = config.bidirectional ? 2 : 1;
  const shapes: Record<string, number[]> = {};
  const cell = config.kind === 'gru_cell';
  shapes.x = cell ? [B, I] : config.batchFirst ? [B, T, I] : [T, B, I];
  shapes.output = cell ? [B, H] : config.batchFirst ? [B, T, D * H] : [T, B, D * H];
  shapes.dy = shapes.output;
  shapes['grad.x'] = shapes.x;
  if (!cell) shapes.h_n = shapes.dh_n = [L * D, B, H];
  if (config.hasH0) shapes.h0 = shapes['grad.h0'] = cell ? [B, H] : [L * D, B, H];
  if (config.lengths !== null) shapes.lengths = [B];
  for (const name of parameterNames(config)) {
    const layer = cell ? 0 : Number(/_l(\d+)/.exec(name)![1]);
    const columns = name.startsWith('weight_ih') ? (layer === 0 ? I : D * H) : H;
    shapes[name] = shapes[`grad.${name}`] = name.startsWith('weight') ? [3 * H, columns] : [3 * H];
  }
  return shapes;
}

export interface Tolerance {
  rtol: number;
  atol: number;
  /** When given, the worst index is also printed as a multi-index of this shape. */
  shape?: readonly number[];
}

export interface Difference {
  maxAbs: number;
  maxRel: number;
  /** The element closest to (or furthest past) the tolerance; -1 for empty arrays. */
  worstIndex: number;
}

/**
 * Checks |actual - expected| <= atol + rtol * |expected| elementwise (NaN matches only NaN) and
 * throws naming the max abs and rel differences and the worst element; returns them otherwise.
 */
export function compareArrays(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance): Difference {
  const { rtol, atol } = tolerance;
  if (actual.length !== expected.length) {
    throw new Error(`${name}: length ${actual.length} differs from the expected ${expected.length}`);
  }
  let maxAbs = 0;
  let maxRel = 0;
  let worstIndex = -1;
  let worstExcess = -Infinity;
  let failures = 0;
  for (let i = 0; i < actual.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const abs = a === e ? 0 : Math.abs(a - e); // a === e also covers equal infinities
    const rel = abs === 0 ? 0 : abs / Math.abs(e);
    const excess = Number.isNaN(abs) ? Infinity : abs - (atol + rtol * Math.abs(e));
    maxAbs = Math.max(maxAbs, Number.isNaN(abs) ? Infinity : abs);
    maxRel = Math.max(maxRel, Number.isNaN(rel) ? Infinity : rel);
    if (excess > 0) failures++;
    if (excess > worstExcess) [worstExcess, worstIndex] = [excess, i];
  }
  if (failures > 0) {
    const where = tolerance.shape ? ` ${formatIndex(worstIndex, tolerance.shape)}` : '';
    throw new Error(
      `${name}: ${failures} of ${actual.length} elements differ beyond atol ${atol}, rtol ${rtol}; ` +
        `max abs diff ${maxAbs.toExponential(3)}, max rel diff ${maxRel.toExponential(3)}; ` +
        `worst at [${worstIndex}]${where}: actual ${actual[worstIndex]}, expected ${expected[worstIndex]}`,
    );
  }
  return { maxAbs, maxRel, worstIndex };
}

/** Flat index 7 in shape [2, 4] -> "(1, 3)". */
function formatIndex(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(flat % shape[axis]);
    flat = Math.floor(flat / shape[axis]);
  }
  return `(${index.join(', ')})`;
}
