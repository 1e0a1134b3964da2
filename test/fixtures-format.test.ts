import { describe, expect, it } from 'vitest';

import type { RawTensor } from '../lib/weights/safetensors-format';
import {
  FIXTURE_FORMAT,
  FIXTURE_VERSION,
  compareArrays,
  expectedFixtureShapes,
  listGruFixtures,
  loadGruFixture,
  parameterNames,
  type GruFixtureConfig,
} from './helpers/fixtures';

/** The cases scripts/make_fixtures.py must produce; other tests rely on these names. */
const REQUIRED = [
  ...['basic', 'bidir2', 'varlen_bidir', 'cell', 'reset_before_bidir'].map((c) => `${c}-float32`),
  ...[
    'basic', 'batch_first_h0', 'bidir2', 'three_layers', 'hidden1', 'seq1_bidir', 'batch1', 'no_bias',
    'varlen_bidir', 'varlen_uni', 'cell', 'cell_no_h', 'reset_before_uni', 'reset_before_bidir',
  ].map((c) => `${c}-float64`),
];

/** Element (t, b, k) of a [T, B, K] (or [B, T, K] when batchFirst) tensor. */
function at(t: RawTensor, config: GruFixtureConfig, step: number, row: number, k: number): number {
  const [, second, K] = t.shape;
  const [i, j] = config.batchFirst ? [row, step] : [step, row];
  return t.data[(i * second + j) * K + k];
}

function lengthsOf(config: GruFixtureConfig): number[] {
  return config.lengths ?? Array.from({ length: config.batch }, () => config.seqLen);
}

describe('GRU fixtures (test/fixtures/gru)', () => {
  const names = listGruFixtures();

  it('include every required case', () => {
    expect(names).toEqual(expect.arrayContaining(REQUIRED));
  });

  for (const name of names) {
    describe(name, () => {
      const fixture = loadGruFixture(name);
      const { config, metadata, tensors } = fixture;

      it('has the right metadata and config', () => {
        expect(metadata.format).toBe(FIXTURE_FORMAT);
        expect(metadata.version).toBe(FIXTURE_VERSION);
        expect(metadata.generator).toBe('scripts/make_fixtures.py');
        expect(metadata.torch).toMatch(/^\d+\.\d+/);
        expect(name.endsWith(`-${config.dtype}`)).toBe(true);
        expect(['gru', 'gru_cell', 'gru_reset_before']).toContain(config.kind);
        for (const key of ['inputSize', 'hiddenSize', 'numLayers', 'seqLen', 'batch'] as const) {
          expect(Number.isInteger(config[key]) && config[key] > 0, key).toBe(true);
        }
        if (config.kind === 'gru_cell') {
          expect([config.numLayers, config.seqLen, config.bidirectional, config.lengths]).toEqual([1, 1, false, null]);
        }
        if (config.lengths !== null) {
          expect(config.lengths).toHaveLength(config.batch);
          expect(Math.max(...config.lengths)).toBeLessThanOrEqual(config.seqLen);
          expect(Math.min(...config.lengths)).toBeGreaterThanOrEqual(1);
        }
      });

      it('has exactly the expected tensors, shapes and dtypes', () => {
        const expected = expectedFixtureShapes(config);
        expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected).sort());
        for (const [tensorName, tensor] of Object.entries(tensors)) {
          expect(tensor.shape, tensorName).toEqual(expected[tensorName]);
          expect(tensor.dtype, tensorName).toBe(tensorName === 'lengths' ? 'int32' : config.dtype);
          expect(tensor.data.every(Number.isFinite), tensorName).toBe(true);
        }
        if (config.lengths !== null) expect(Array.from(tensors.lengths.data)).toEqual(config.lengths);
        // With no h0 and one step the state multiplied by weight_hh is always 0, so its gradient is too.
        const stateAlwaysZero = !config.hasH0 && config.seqLen === 1;
        for (const p of parameterNames(config)) {
          const nonZero = tensors[`grad.${p}`].data.some((v) => v !== 0);
          expect(nonZero, p).toBe(!(stateAlwaysZero && p.startsWith('weight_hh')));
        }
      });

      if (config.kind === 'gru_cell') return;

      it('is zero at padded steps in output, dy and grad.x', () => {
        const lengths = lengthsOf(config);
        for (const tensorName of ['output', 'dy', 'grad.x']) {
          const t = tensors[tensorName];
          for (let b = 0; b < config.batch; b++) {
            for (let step = 0; step < config.seqLen; step++) {
              const values = Array.from({ length: t.shape[2] }, (_, k) => at(t, config, step, b, k));
              if (step >= lengths[b]) expect(values.every((v) => v === 0), `${tensorName} row ${b} step ${step}`).toBe(true);
              else expect(values.some((v) => v !== 0), `${tensorName} row ${b} step ${step}`).toBe(true);
            }
          }
        }
      });

      it("has h_n = the forward output at each row's last valid step and the reverse output at step 0", () => {
        const { hiddenSize: H, numLayers: L, bidirectional } = config;
        const D = bidirectional ? 2 : 1;
        const lengths = lengthsOf(config);
        const { output, h_n: hN } = tensors;
        for (let b = 0; b < config.batch; b++) {
          for (let k = 0; k < H; k++) {
            expect(hN.data[((L - 1) * D * config.batch + b) * H + k]).toBe(at(output, config, lengths[b] - 1, b, k));
            if (bidirectional) expect(hN.data[((L * D - 1) * config.batch + b) * H + k]).toBe(at(output, config, 0, b, H + k));
          }
        }
      });
    });
  }

  it('float32 fixtures are their float64 twins computed in float32', () => {
    for (const name of names.filter((n) => n.endsWith('-float32'))) {
      const single = loadGruFixture(name).tensors;
      const double = loadGruFixture(name.replace(/-float32$/, '-float64')).tensors;
      for (const tensorName of ['x', 'weight_ih_l0', 'weight_ih', 'dy']) {
        if (!single[tensorName]) continue;
        expect(single[tensorName].data, `${name} ${tensorName}`).toEqual(Float32Array.from(double[tensorName].data));
      }
      compareArrays(`${name} output`, single.output.data, double.output.data, { rtol: 1e-4, atol: 1e-5 });
    }
  });
});

describe('loadGruFixture', () => {
  it('says how to regenerate a missing fixture', () => {
    expect(() => loadGruFixture('no-such-case-float64')).toThrow(/regenerate with: \/usr\/bin\/python3 scripts\/make_fixtures\.py/);
  });
});

describe('compareArrays', () => {
  it('passes within tolerance, treating NaN as equal to NaN and equal infinities as equal', () => {
    const result = compareArrays('ok', [1, 2.0000001, NaN, Infinity, 0], Float64Array.from([1, 2, NaN, Infinity, 1e-9]), { rtol: 1e-6, atol: 1e-8 });
    expect(result.maxAbs).toBeCloseTo(1e-7, 12);
    expect(result.worstIndex).toBe(4); // closest to its tolerance, not the largest difference
  });

  it('throws with the max abs and rel difference and the worst index', () => {
    const actual = Float32Array.from([1, 2, 3, 4.5, 5, 6]);
    const expected = [1, 2.01, 3, 4, 5, 6];
    expect(() => compareArrays('output', actual, expected, { rtol: 1e-3, atol: 1e-6, shape: [2, 3] })).toThrow(
      'output: 2 of 6 elements differ beyond atol 0.000001, rtol 0.001; max abs diff 5.000e-1, max rel diff 1.250e-1; worst at [3] (1, 0): actual 4.5, expected 4',
    );
    expect(() => compareArrays('n', [NaN], [1], { rtol: 0, atol: 0 })).toThrow(/worst at \[0\]: actual NaN, expected 1/);
    expect(() => compareArrays('len', [1, 2], [1], { rtol: 0, atol: 0 })).toThrow('len: length 2 differs from the expected 1');
  });
});
