/**
 * Keras GRU options beyond the fused engine call: the step loop (recurrent dropout, masks with
 * holes, variants on CUDA) against the engine and by float64 gradchecks, input and recurrent
 * dropout, returnState / initialState / stateful, and fit() over iterables of batches.
 */
import { describe, expect, it } from 'vitest';

import { ArgumentError, ShapeError, Tensor, backends, keras, manualSeed, noGrad, type Device } from '../lib/index';
import { GRU as GruModule } from '../lib/nn/gru';
import type { GRUActivation } from '../lib/nn/gru-options';
import { gruLoop } from '../lib/ops/gru-loop';
import { sum } from '../lib/ops/reduce';
import { mul } from '../lib/ops/arithmetic';
import { gradcheck } from './helpers/gradcheck';

const cuda = backends().find((b) => b.name === 'cuda')!;
const DEVICES: Device[] = ['cpu', 'cuda'];

function values(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.91 + seed) * 0.8);
}

const VARIANTS: { activation: GRUActivation; recurrentActivation: GRUActivation; resetAfter: boolean }[] = [
  { activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: true },
  { activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false },
  { activation: 'relu', recurrentActivation: 'sigmoid', resetAfter: true },
  { activation: 'linear', recurrentActivation: 'hardSigmoid', resetAfter: false },
  { activation: 'sigmoid', recurrentActivation: 'hardSigmoidTfjs', resetAfter: true },
  { activation: 'tanh', recurrentActivation: 'relu', resetAfter: false },
];

function loopWeights(gru: GruModule) {
  const p = new Map(gru.namedParameters());
  return { weightIh: p.get('weight_ih_l0')!, weightHh: p.get('weight_hh_l0')!, biasIh: p.get('bias_ih_l0')!, biasHh: p.get('bias_hh_l0')! };
}

describe('the step loop (gru-loop.ts)', () => {
  for (const v of VARIANTS) {
    it(`computes what the engine computes: ${JSON.stringify(v)}`, () => {
      const gru = new GruModule({ inputSize: 3, hiddenSize: 4, batchFirst: true, dtype: 'float64', ...v });
      const x = Tensor.from(values(2 * 5 * 3, 1), [2, 5, 3]);
      const h0 = Tensor.from(values(2 * 4, 2), [1, 2, 4]);
      const engine = noGrad(() => gru.forward(x, { h0 }));
      const loop = noGrad(() => gruLoop(x, loopWeights(gru), { ...v, h0: h0.select(0, 0), inputMasks: null, stateMasks: null, stepMask: null }));
      const a = loop.output.dataSync(), b = engine.output.dataSync();
      for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i], 12);
      const last = loop.last.dataSync(), hN = engine.hN.dataSync();
      for (let i = 0; i < hN.length; i++) expect(last[i]).toBeCloseTo(hN[i], 12);
      for (const t of [x, h0, engine.output, engine.hN, loop.output, loop.last]) t.dispose();
      gru.dispose();
    });

    it(`passes a float64 gradcheck with dropout masks and a mask with holes: ${JSON.stringify(v)}`, () => {
      const gru = new GruModule({ inputSize: 2, hiddenSize: 3, batchFirst: true, dtype: 'float64', ...v });
      const w = loopWeights(gru);
      const mask = (shape: number[], seed: number) => Tensor.from(Float64Array.from(values(shape[0] * shape[1], seed), (x) => (x > -0.2 ? 1.25 : 0)), shape, { dtype: 'float64' });
      const inputMasks = [mask([2, 2], 3), mask([2, 2], 4), mask([2, 2], 5)] as const;
      const stateMasks = [mask([2, 3], 6), mask([2, 3], 7), mask([2, 3], 8)] as const;
      const stepMask = Tensor.from(Float64Array.from([1, 0, 1, 1, 0, 1, 1, 0]), [2, 4], { dtype: 'float64' });
      const weight = Tensor.from(values(2 * 4 * 3, 9), [2, 4, 3], { dtype: 'float64' });
      // Away from relu's and hard sigmoid's kinks, where finite differences are not derivatives.
      gradcheck(([x, h0, weightIh, weightHh, biasIh, biasHh]) => {
        const { output, last } = gruLoop(x, { weightIh, weightHh, biasIh, biasHh }, { ...v, h0, inputMasks, stateMasks, stepMask });
        return sum(mul(output, weight)).add(sum(last));
      }, [Tensor.from(values(2 * 4 * 2, 10), [2, 4, 2], { dtype: 'float64' }), Tensor.from(values(6, 11), [2, 3], { dtype: 'float64' }),
        w.weightIh, w.weightHh, w.biasIh, w.biasHh], { atol: 1e-6, rtol: 1e-4 });
      for (const t of [...inputMasks, ...stateMasks, stepMask, weight]) t.dispose();
      gru.dispose();
    });
  }
});

describe.each(DEVICES)('keras GRU variants on %s', (device) => {
  it.skipIf(device === 'cuda' && !cuda.available)(`train and predict (GRU(relu), resetAfter: false, hard sigmoid)${cuda.available ? '' : ` [cuda: ${cuda.reason}]`}`, async () => {
    manualSeed(3);
    const model = keras.sequential({ device, layers: [
      keras.layers.gru({ units: 8, activation: 'relu', inputShape: [6, 2], returnSequences: true }),
      keras.layers.gru({ units: 4, resetAfter: false, recurrentActivation: 'hardSigmoid' }),
      keras.layers.dense({ units: 1, activation: 'sigmoid' }),
    ] });
    model.compile({ optimizer: keras.optimizers.adam({ learningRate: 0.02 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const xs = values(64 * 12, 4).map((v, i) => v + ((i / 12) % 2 < 1 ? 0.5 : -0.5));
    const x = Tensor.from(Float32Array.from(xs), [64, 6, 2], { device });
    const y = Tensor.from(Float32Array.from({ length: 64 }, (_, i) => i % 2), [64, 1], { device });
    const h = await model.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0, seed: 1 });
    expect(h.history.loss[29]).toBeLessThan(h.history.loss[0] * 0.5);
    expect(h.history.accuracy[29]).toBeGreaterThan(0.9);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });
});

describe('GRU dropout and recurrentDropout', () => {
  for (const options of [{ dropout: 0.4 }, { recurrentDropout: 0.4 }, { dropout: 0.3, recurrentDropout: 0.3 }]) {
    it(`are on in training only, and the model still learns: ${JSON.stringify(options)}`, async () => {
      manualSeed(5);
      const gru = keras.layers.gru({ units: 6, inputShape: [5, 3], ...options });
      const plain = keras.layers.gru({ units: 6, inputShape: [5, 3] });
      keras.sequential([gru]);
      const twin = keras.sequential([plain]);
      const weights = gruWeights(gru);
      twin.setWeights(weights);
      for (const w of weights) w.dispose();
      const x = Tensor.from(Float32Array.from(values(4 * 15, 6)), [4, 5, 3]);
      const inference = gru.apply(x) as Tensor, reference = plain.apply(x) as Tensor;
      expect(Array.from(inference.dataSync())).toEqual(Array.from(reference.dataSync()));
      const a = gru.apply(x, { training: true }) as Tensor, b = gru.apply(x, { training: true }) as Tensor;
      expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
      expect(Array.from(a.dataSync())).not.toEqual(Array.from(inference.dataSync()));
      for (const t of [x, inference, reference, a, b]) t.dispose();
      twin.dispose();

      const model = keras.sequential([keras.layers.gru({ units: 8, inputShape: [6, 2], ...options }), keras.layers.dense({ units: 1 })]);
      model.compile({ optimizer: keras.optimizers.adam({ learningRate: 0.02 }), loss: 'mse' });
      const xt = Tensor.from(Float32Array.from(values(32 * 12, 7)), [32, 6, 2]);
      const yt = Tensor.from(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [32, 1]);
      const h = await model.fit(xt, yt, { epochs: 25, batchSize: 8, verbose: 0, seed: 2 });
      expect(h.history.loss.every(Number.isFinite)).toBe(true);
      expect(h.history.loss[24]).toBeLessThan(h.history.loss[0]);
      for (const t of [xt, yt]) t.dispose();
      model.dispose();
    });
  }
});

function gruWeights(layer: InstanceType<typeof keras.GRU>): Tensor[] {
  return layer.getWeights().map((w) => w.tensor);
}

describe('returnState, initialState and stateful', () => {
  it('returnState gives the last state; initialState continues a sequence where it stopped', () => {
    const whole = keras.layers.gru({ units: 3, inputShape: [6, 2], returnSequences: true, returnState: true });
    const x = Tensor.from(Float32Array.from(values(2 * 12, 8)), [2, 6, 2]);
    const [output, state] = whole.apply(x) as Tensor[];
    expect(output.shape).toEqual([2, 6, 3]);
    expect(state.shape).toEqual([2, 3]);
    expect(Array.from(state.dataSync())).toEqual(Array.from(output.select(1, 5).dataSync()));
    const first = x.narrow(1, 0, 3), second = x.narrow(1, 3, 3);
    const [, middle] = whole.apply(first) as Tensor[];
    const [rest, end] = whole.apply(second, { initialState: middle }) as Tensor[];
    expectAllClose(end.dataSync(), state.dataSync());
    expectAllClose(rest.dataSync(), output.narrow(1, 3, 3).dataSync());
    expect(() => whole.apply(x, { initialState: Tensor.zeros([3, 3]) })).toThrow(ShapeError);
    expect(() => keras.sequential([whole])).toThrow(/returnState/);
    for (const t of [x, output, state, first, second, middle, rest, end]) t.dispose();
    whole.module!.dispose();
  });

  it('a stateful GRU starts each batch from the last one, until resetStates()', () => {
    const layer = keras.layers.gru({ units: 3, stateful: true, batchInputShape: [2, 3, 2] });
    const model = keras.sequential([layer]);
    const reference = keras.sequential([keras.layers.gru({ units: 3, inputShape: [6, 2] })]);
    const short = keras.sequential([keras.layers.gru({ units: 3, inputShape: [3, 2] })]);
    const weights = model.getWeights();
    reference.setWeights(weights);
    short.setWeights(weights);
    for (const w of weights) w.dispose();
    const x = Tensor.from(Float32Array.from(values(2 * 12, 9)), [2, 6, 2]);
    const first = x.narrow(1, 0, 3), second = x.narrow(1, 3, 3);
    model.predict(first).dispose();
    const carried = model.predict(second);
    const whole = reference.predict(x);
    expectAllClose(carried.dataSync(), whole.dataSync());
    model.resetStates();
    const fresh = model.predict(first), again = short.predict(first);
    expectAllClose(fresh.dataSync(), again.dataSync());
    expect(() => model.predict(Tensor.zeros([3, 3, 2]))).toThrow(/keeps its batch size/);
    expect(() => keras.layers.gru({ units: 2 }).resetStates()).toThrow(ArgumentError);
    for (const t of [x, first, second, carried, whole, fresh, again]) t.dispose();
    for (const m of [model, reference, short]) m.dispose();
  });
});

function expectAllClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
}

describe('fit() over iterables of batches', () => {
  function data() {
    const x = Tensor.from(Float32Array.from(values(12 * 8, 10)), [12, 4, 2]);
    const y = Tensor.from(Float32Array.from({ length: 12 }, (_, i) => Math.cos(i)), [12, 1]);
    return { x, y };
  }
  function model() {
    manualSeed(21);
    const m = keras.sequential([keras.input({ shape: [4, 2] }), keras.layers.gru({ units: 4 }), keras.layers.dense({ units: 1 })]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    return m;
  }

  it('train exactly as the same batches from tensors, sync and async, { xs, ys } or [x, y]', async () => {
    const { x, y } = data();
    const batches = [0, 4, 8].map((s) => [x.narrow(0, s, 4), y.narrow(0, s, 4)] as [Tensor, Tensor]);
    const reference = model();
    const expected = (await reference.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 })).history.loss;
    const fromArray = model();
    const h1 = await fromArray.fit(batches, undefined, { epochs: 3, verbose: 0 });
    const fromAsync = model();
    const stream = { async *[Symbol.asyncIterator]() { for (const [xs, ys] of batches) yield { xs, ys }; } };
    const h2 = await fromAsync.fitDataset(stream, { epochs: 3, verbose: 0, validationData: batches });
    expect(h1.history.loss).toEqual(expected);
    expect(h2.history.loss).toEqual(expected);
    expect(h2.history.val_loss).toHaveLength(3);
    expect(await fromArray.evaluate(batches)).toBeCloseTo(await reference.evaluate(x, y, { batchSize: 4 }) as number, 6);
    const used = (function* () { for (const b of batches) yield b; })();
    await expect(model().fit(used, undefined, { epochs: 2, verbose: 0 })).rejects.toThrow(/gave no batches/);
    await expect(model().fit(batches, y, { verbose: 0 })).rejects.toThrow(/y must be undefined/);
    await expect(model().fit([[x]] as never, undefined, { verbose: 0 })).rejects.toThrow();
    await expect(model().fit(batches, undefined, { validationSplit: 0.5, verbose: 0 })).rejects.toThrow(/validationSplit needs tensors/);
    for (const [a, b] of batches) { a.dispose(); b.dispose(); }
    for (const m of [reference, fromArray, fromAsync]) m.dispose();
    for (const t of [x, y]) t.dispose();
  });
});
