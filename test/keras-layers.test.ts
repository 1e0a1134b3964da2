/**
 * The Keras face's layers and Sequential: Keras 3's parameter counts and summary, Keras-layout
 * weights that round-trip, and parity with TensorFlow.js 4.22 (pure JS): the same model with the
 * same weights predicts the same values.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { ArgumentError, ShapeError, Tensor, keras, memory, noGrad } from '../lib/index';
import { DEVICE_CODE } from '../lib/dtype';
import { native } from '../lib/native/binding';

const settled = () => {
  native.synchronize(DEVICE_CODE.cpu);
  return memory().tensors;
};

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) throw new Error(`[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('keras.sequential', () => {
  it("counts parameters as Keras does and prints Keras 3's summary", () => {
    const before = settled();
    const m = keras.sequential([
      keras.layers.gru({ units: 64, returnSequences: true, inputShape: [100, 128] }),
      keras.layers.gru({ units: 32 }),
      keras.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    expect(m.layers.map((l) => l.countParams())).toEqual([37248, 9408, 33]);
    const lines: string[] = [];
    m.summary((line) => lines.push(line));
    expect(lines[0]).toMatch(/^Model: "sequential(_\d+)?"$/);
    expect(lines.find((l) => l.includes('(GRU)') && l.includes('(None, 100, 64)') && l.includes('37,248'))).toBeDefined();
    expect(lines).toContain(' Total params: 46,689 (182.38 KB)');
    expect(lines).toContain(' Non-trainable params: 0 (0.00 B)');
    // A reset-before GRU has Keras's single bias: 3 (I U + U U + U).
    const before2 = keras.sequential([keras.layers.gru({ units: 4, resetAfter: false, inputShape: [5, 3] })]);
    expect(before2.countParams()).toBe(3 * (3 * 4 + 4 * 4 + 4));
    m.dispose();
    before2.dispose();
    expect(settled()).toBe(before);
  });

  it('round-trips weights in Keras layout and order, and names layers as Keras does', () => {
    const m = keras.sequential([keras.layers.gru({ units: 3, inputShape: [4, 2] }), keras.layers.dense({ units: 2 })]);
    expect(m.layers[0].name).toMatch(/^gru(_\d+)?$/);
    const weights = m.getWeights();
    expect(weights.map((w) => w.shape)).toEqual([[2, 9], [3, 9], [2, 9], [3, 2], [2]]);
    const x = Tensor.randn([5, 4, 2]);
    const y = m.predict(x);
    const other = keras.sequential([keras.layers.gru({ units: 3, inputShape: [4, 2] }), keras.layers.dense({ units: 2 })]);
    other.setWeights(weights);
    const y2 = other.predict(x, { batchSize: 2 });
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    expect(() => other.setWeights(weights.slice(1))).toThrow(/expected 5 weights/);
    expect(() => other.setWeights([weights[1], weights[0], ...weights.slice(2)])).toThrow(/kernel must have shape \[2, 9\], got \[3, 9\]/);
    expect(() => m.predict(Tensor.zeros([2, 4, 3]))).toThrow(ShapeError);
    expect(() => keras.layers.gru({ units: 3, dropout: 1.5 })).toThrow(/gru options.dropout must be a probability in \[0, 1\], got 1.5/);
    expect(() => keras.layers.gru({ units: 3, recurrentDropout: 1 })).toThrow(/recurrentDropout must be below 1/);
    expect(() => keras.layers.dense({ units: 2, activaton: 'relu' } as never)).toThrow(/did you mean "activation"/);
    expect(() => keras.layers.dense({ units: 2, activation: 'gelu' as never })).toThrow(ArgumentError);
    for (const t of [...weights, x, y, y2]) t.dispose();
    m.dispose();
    other.dispose();
  });

  it('predicts what TensorFlow.js predicts with the same weights (reset-before GRU, TF.js hard sigmoid, Dense)', () => {
    // TF.js's GRU is the reset-before form with its own hard sigmoid by default.
    const tfModel = tf.sequential();
    tfModel.add(tf.layers.gru({ units: 6, returnSequences: true, inputShape: [7, 3], recurrentActivation: 'hardSigmoid' }));
    tfModel.add(tf.layers.gru({ units: 5, activation: 'relu', recurrentActivation: 'sigmoid' }));
    tfModel.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    const ours = keras.sequential([
      keras.layers.gru({ units: 6, returnSequences: true, inputShape: [7, 3], resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' }),
      keras.layers.gru({ units: 5, resetAfter: false, activation: 'relu' }),
      keras.layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    expect(ours.countParams()).toBe(tfModel.countParams());
    const tfWeights = tfModel.getWeights().map((w) => Tensor.from(w.dataSync() as Float32Array, w.shape));
    ours.setWeights(tfWeights);
    const xValues = Float32Array.from({ length: 4 * 7 * 3 }, (_, i) => Math.sin(i * 0.7) * 2);
    const expected = (tfModel.predict(tf.tensor3d(xValues, [4, 7, 3])) as tf.Tensor).dataSync();
    const x = Tensor.from(xValues, [4, 7, 3]);
    const y = ours.predict(x);
    expectClose(y.dataSync(), expected, 1e-5);
    // Our weights read back in TF.js's layout give TF.js the same model.
    const back = ours.getWeights();
    expect(back.map((w) => w.shape)).toEqual(tfModel.getWeights().map((w) => w.shape));
    for (const t of [...tfWeights, ...back, x, y]) t.dispose();
    ours.dispose();
    tfModel.dispose();
  });

  it('goBackwards reads the sequence from its end, as Keras does', () => {
    const fwd = keras.sequential([keras.layers.gru({ units: 3, inputShape: [4, 2], returnSequences: false })]);
    const bwd = keras.sequential([keras.layers.gru({ units: 3, inputShape: [4, 2], goBackwards: true })]);
    const w = fwd.getWeights();
    bwd.setWeights(w);
    const x = Tensor.randn([2, 4, 2]);
    const reversed = noGrad(() => x.indexSelect(1, Tensor.from([3, 2, 1, 0], [4], { dtype: 'int32' })));
    const a = bwd.predict(x), b = fwd.predict(reversed);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    for (const t of [...w, x, reversed, a, b]) t.dispose();
    fwd.dispose();
    bwd.dispose();
  });
});

describe('keras.layers.bidirectional', () => {
  it('counts, merges and matches TensorFlow.js (reset-before GRU, concat and ave)', () => {
    for (const mergeMode of ['concat', 'ave'] as const) {
      const tfModel = tf.sequential();
      tfModel.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true, recurrentActivation: 'hardSigmoid' }) as never, mergeMode, inputShape: [6, 3] }));
      tfModel.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 3, recurrentActivation: 'hardSigmoid' }) as never, mergeMode }));
      const ours = keras.sequential([
        keras.layers.bidirectional({ layer: keras.layers.gru({ units: 4, returnSequences: true, resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' }), mergeMode, inputShape: [6, 3] }),
        keras.layers.bidirectional({ layer: keras.layers.gru({ units: 3, resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' }), mergeMode }),
      ]);
      expect(ours.countParams()).toBe(tfModel.countParams());
      expect(ours.layers[0].name).toMatch(/^bidirectional(_\d+)?$/);
      const weights = tfModel.getWeights().map((w) => Tensor.from(w.dataSync() as Float32Array, w.shape));
      ours.setWeights(weights);
      const xValues = Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i * 1.3));
      const expected = (tfModel.predict(tf.tensor3d(xValues, [2, 6, 3])) as tf.Tensor).dataSync();
      const x = Tensor.from(xValues, [2, 6, 3]);
      const y = ours.predict(x);
      expect(y.shape).toEqual([2, mergeMode === 'concat' ? 6 : 3]);
      expectClose(y.dataSync(), expected, 1e-5);
      for (const t of [...weights, x, y]) t.dispose();
      ours.dispose();
      tfModel.dispose();
    }
    expect(() => keras.layers.bidirectional({ layer: keras.layers.gru({ units: 2, goBackwards: true }) })).toThrow(/must not set goBackwards/);
    expect(() => keras.layers.bidirectional({ layer: keras.layers.dense({ units: 2 }) as never })).toThrow(/must be a keras.layers.gru/);
  });

  it('Keras 3 counts a bidirectional reset-after GRU twice: GRU(64) on 128 features gives 74,496', () => {
    const m = keras.sequential([keras.layers.bidirectional({ layer: keras.layers.gru({ units: 64 }), inputShape: [10, 128] })]);
    expect(m.countParams()).toBe(2 * 37248);
    m.dispose();
  });
});

describe('keras.layers.timeDistributed and one-batch calls', () => {
  it('applies a Dense to every step with one set of weights, as TensorFlow.js does', async () => {
    const tfModel = tf.sequential();
    tfModel.add(tf.layers.gru({ units: 4, returnSequences: true, inputShape: [5, 2], recurrentActivation: 'hardSigmoid' }));
    tfModel.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'softmax' }) }));
    const ours = keras.sequential([
      keras.layers.gru({ units: 4, returnSequences: true, inputShape: [5, 2], resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' }),
      keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 3, activation: 'softmax' }) }),
    ]);
    expect(ours.countParams()).toBe(tfModel.countParams());
    const weights = tfModel.getWeights().map((w) => Tensor.from(w.dataSync() as Float32Array, w.shape));
    ours.setWeights(weights);
    const xValues = Float32Array.from({ length: 3 * 5 * 2 }, (_, i) => Math.cos(i * 0.9));
    const expected = (tfModel.predict(tf.tensor3d(xValues, [3, 5, 2])) as tf.Tensor).dataSync();
    const x = Tensor.from(xValues, [3, 5, 2]);
    const y = ours.predictOnBatch(x);
    expect(y.shape).toEqual([3, 5, 3]);
    expectClose(y.dataSync(), expected, 1e-5);
    ours.compile({ optimizer: 'sgd', loss: 'mse' });
    const target = Tensor.zeros([3, 5, 3]);
    const first = await ours.trainOnBatch(x, target);
    const second = await ours.trainOnBatch(x, target);
    expect(second).toBeLessThan(first);
    for (const t of [...weights, x, y, target]) t.dispose();
    ours.dispose();
    tfModel.dispose();
  });
});
