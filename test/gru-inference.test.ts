/**
 * GRU inference copies (GRU.inferenceCopy, Note [Inference weight copies]): the float32 copy
 * against the GRU's own forward, the bfloat16 copy against the same GRU with its weights rounded
 * to bfloat16 (what the copy computes, exactly up to float32 summation order) and against float32
 * within the bound the README states, streaming steps against forward, snapshots, and errors.
 */
import { describe, expect, it, onTestFinished } from 'vitest';

import { GRU, Tensor, getNumThreads, keep, manualSeed, memory, noGrad, scope, setNumThreads, type GRUOptions } from '../lib/index';
import { native } from '../lib/native/binding';
import { ArgumentError, DisposedError, DTypeError, ShapeError } from '../lib/errors';

/** float32 -> bfloat16 -> float32, rounding to nearest, ties to even (as the native packing does). */
function roundToBfloat16(values: Float32Array): Float32Array {
  const out = new Float32Array(values);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    bits[i] = (((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) << 16) >>> 0;
  }
  return out;
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = a.dataSync(), y = b.dataSync();
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

/** The same GRU with every weight (not the biases, which the copy keeps in float32) rounded to bfloat16. */
function roundedTwin(gru: GRU, options: GRUOptions): GRU {
  const twin = new GRU(options);
  const state: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(gru.stateDict())) {
    state[name] = name.startsWith('weight') ? Tensor.from(roundToBfloat16(t.dataSync() as Float32Array), t.shape) : t;
  }
  twin.loadStateDict(state);
  return twin;
}

const I = 37, H = 50;
// Every code path of the packed forward: layers, directions, both reset forms, no bias, batch-first,
// other activations, and batch sizes that reach each row kernel (8, 4 and 1 rows) and their tails.
const CASES: { name: string; options: Partial<GRUOptions>; batch: number; seq: number; lengths?: number[] }[] = [
  { name: 'one layer, batch 1', options: {}, batch: 1, seq: 9 },
  { name: 'batch 13 (8 + 4 + 1 rows)', options: {}, batch: 13, seq: 6 },
  { name: 'two layers, bidirectional', options: { numLayers: 2, bidirectional: true }, batch: 5, seq: 7 },
  { name: 'reset-before', options: { resetAfter: false }, batch: 3, seq: 8 },
  { name: 'reset-before, two layers', options: { resetAfter: false, numLayers: 2 }, batch: 4, seq: 5 },
  { name: 'no bias', options: { bias: false }, batch: 2, seq: 6 },
  { name: 'batch-first, lengths', options: { batchFirst: true }, batch: 4, seq: 7, lengths: [7, 3, 1, 5] },
  { name: 'relu and hardSigmoid', options: { activation: 'relu', recurrentActivation: 'hardSigmoid' }, batch: 6, seq: 5 },
  { name: 'three layers, hidden 64', options: { numLayers: 3, hiddenSize: 64 }, batch: 9, seq: 4 },
];

describe('GRU.inferenceCopy', () => {
  for (const c of CASES) {
    it(`matches the GRU: ${c.name}`, () => {
      manualSeed(11);
      const options = { inputSize: I, hiddenSize: H, ...c.options } as GRUOptions;
      const gru = new GRU(options);
      const batchFirst = options.batchFirst ?? false;
      const x = Tensor.randn(batchFirst ? [c.batch, c.seq, I] : [c.seq, c.batch, I]);
      const states = (options.numLayers ?? 1) * (options.bidirectional ? 2 : 1);
      const h0 = Tensor.randn([states, c.batch, options.hiddenSize]);
      const call = { h0, lengths: c.lengths };
      const exact = noGrad(() => gru.forward(x, call));
      const float32 = gru.inferenceCopy({ weights: 'float32' });
      const packed = noGrad(() => float32.forward(x, call));
      expect(maxAbsDiff(packed.output, exact.output)).toBeLessThan(2e-6);
      expect(maxAbsDiff(packed.hN, exact.hN)).toBeLessThan(2e-6);

      const twin = roundedTwin(gru, options);
      const rounded = noGrad(() => twin.forward(x, call));
      const bfloat16 = gru.inferenceCopy({ weights: 'bfloat16' });
      const half = noGrad(() => bfloat16.forward(x, call));
      expect(maxAbsDiff(half.output, rounded.output)).toBeLessThan(2e-6);
      expect(maxAbsDiff(half.hN, rounded.hN)).toBeLessThan(2e-6);
      // Rounding is not nothing: the copy differs from float32 by more than summation order would.
      expect(maxAbsDiff(half.output, exact.output)).toBeGreaterThan(1e-5);
      expect(bfloat16.bytes).toBeLessThan(0.6 * float32.bytes);
    });
  }

  it('gives the same results at 2 threads, where a team of threads shares the steps (batch 1 and 3, both reset forms)', () => {
    const before = getNumThreads();
    onTestFinished(() => setNumThreads(before));
    for (const [batch, resetAfter] of [[1, true], [3, false]] as const) {
      manualSeed(5);
      // Hidden 224: seven panels a gate block, so the members' shares of 3H end mid-block.
      const options = { inputSize: 64, hiddenSize: 224, resetAfter } as GRUOptions;
      const gru = new GRU(options);
      const x = Tensor.randn([30, batch, 64]);
      for (const weights of ['float32', 'bfloat16'] as const) {
        const copy = gru.inferenceCopy({ weights });
        const at = (threads: number) => {
          setNumThreads(threads);
          return noGrad(() => copy.forward(x));
        };
        const one = at(1);
        const runs = native.cpuInfo().sideBySideRuns;
        const two = at(2);
        // The input projection's rows split too, so a row may take another row kernel: last bits.
        expect(maxAbsDiff(two.output, one.output), `batch ${batch} ${weights} output`).toBeLessThan(1e-6);
        expect(native.cpuInfo().sideBySideRuns, `batch ${batch} ${weights}: split`).toBeGreaterThan(runs);
        expect(maxAbsDiff(two.hN, one.hN), `batch ${batch} ${weights} hN`).toBeLessThan(1e-6);
        for (const t of [one.output, one.hN, two.output, two.hN, copy]) t.dispose();
      }
      x.dispose();
      gru.dispose();
    }
  });

  it('streams steps equal to forward over the sequence, unbatched too', () => {
    manualSeed(3);
    const gru = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2 });
    for (const weights of ['float32', 'bfloat16'] as const) {
      const copy = gru.inferenceCopy({ weights });
      const x = Tensor.randn([6, 2, I]);
      const whole = noGrad(() => copy.forward(x));
      let state: Tensor | undefined;
      const last = [];
      for (let t = 0; t < 6; t++) {
        const r = noGrad(() => copy.step(x.select(0, t), state));
        state = r.state;
        last.push(r.output);
      }
      expect(maxAbsDiff(last[5], whole.output.select(0, 5))).toBeLessThan(1e-6);
      expect(maxAbsDiff(state!, whole.hN)).toBeLessThan(1e-6);
      const single = noGrad(() => copy.step(x.select(0, 0).select(0, 1)));
      expect(single.output.shape).toEqual([H]);
      expect(single.state.shape).toEqual([2, H]);
      expect(maxAbsDiff(single.output, last[0].select(0, 1))).toBeLessThan(1e-6);
      const unbatched = noGrad(() => copy.forward(x.select(1, 0)));
      expect(unbatched.output.shape).toEqual([6, H]);
      expect(maxAbsDiff(unbatched.output, whole.output.select(1, 0))).toBeLessThan(1e-6);
    }
  });

  it('keeps bfloat16 within the README bound of float32 over 100 steps at hidden 256', () => {
    manualSeed(5);
    const gru = new GRU({ inputSize: 256, hiddenSize: 256 });
    const x = Tensor.randn([100, 4, 256]);
    const exact = noGrad(() => gru.forward(x));
    const half = noGrad(() => gru.inferenceCopy({ weights: 'bfloat16' }).forward(x));
    const error = maxAbsDiff(half.output, exact.output);
    expect(error).toBeGreaterThan(1e-4);
    expect(error).toBeLessThan(1e-2);
  });

  it('is a snapshot: later changes of the GRU do not reach it', () => {
    manualSeed(8);
    const gru = new GRU({ inputSize: I, hiddenSize: H });
    const copy = gru.inferenceCopy({ weights: 'float32' });
    const x = Tensor.randn([3, 2, I]);
    const before = noGrad(() => copy.forward(x)).output;
    noGrad(() => gru.flatWeights.fill_(0));
    expect(maxAbsDiff(noGrad(() => copy.forward(x)).output, before)).toBe(0);
    gru.dispose();
    expect(maxAbsDiff(noGrad(() => copy.forward(x)).output, before)).toBe(0);
  });

  it('survives the scope it is made in, and frees its memory on dispose', () => {
    const gru = new GRU({ inputSize: 8, hiddenSize: 16 });
    const x = keep(Tensor.randn([2, 1, 8]));
    const baseline = memory().tensors;
    const copy = scope(() => gru.inferenceCopy({ weights: 'bfloat16' }));
    expect(noGrad(() => copy.forward(x)).output.shape).toEqual([2, 1, 16]);
    for (let i = 0; i < 200; i++) gru.inferenceCopy({ weights: i % 2 ? 'float32' : 'bfloat16' }).dispose();
    copy.dispose();
    expect(copy.isDisposed).toBe(true);
    expect(memory().tensors).toBeLessThanOrEqual(baseline + 2);
    expect(() => copy.step(x.select(0, 0))).toThrow(DisposedError);
  });

  it('refuses bad options, GRUs it cannot pack, gradients and bad inputs with typed errors', () => {
    const gru = new GRU({ inputSize: I, hiddenSize: H });
    expect(() => gru.inferenceCopy({ weights: 'float16' as 'float32' })).toThrow(/options.weights must be one of 'float32', 'bfloat16', got "float16"/);
    expect(() => gru.inferenceCopy({ weights: 'float32', fast: true } as never)).toThrow(ArgumentError);
    expect(() => gru.inferenceCopy(undefined as never)).toThrow(ArgumentError);
    expect(() => new GRU({ inputSize: 4, hiddenSize: 4, dtype: 'float64' }).inferenceCopy({ weights: 'float32' })).toThrow(DTypeError);
    const copy = gru.inferenceCopy({ weights: 'bfloat16' });
    const x = Tensor.randn([3, 2, I]).requiresGrad_();
    expect(() => copy.forward(x)).toThrow(/computes no gradients, but x requires grad/);
    expect(() => noGrad(() => copy.forward(Tensor.randn([3, 2, I + 1])))).toThrow(ShapeError);
    expect(() => noGrad(() => copy.forward(Tensor.randn([3, 2, I]), { h0: Tensor.randn([1, 3, H]) }))).toThrow(/GRUInference.forward options.h0/);
    expect(() => noGrad(() => copy.forward(Tensor.randn([3, 2, I]).double()))).toThrow(DTypeError);
    expect(() => noGrad(() => copy.forward(Tensor.randn([3, 2, I]), { lengths: [4, 1] }))).toThrow(/lengths/);
    const bidirectional = new GRU({ inputSize: I, hiddenSize: H, bidirectional: true }).inferenceCopy({ weights: 'float32' });
    expect(() => noGrad(() => bidirectional.step(Tensor.randn([2, I])))).toThrow(/bidirectional GRU needs the whole sequence/);
  });
});
