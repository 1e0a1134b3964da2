/**
 * Keras masks: embedding({ maskZero }) and masking() mark padding, the GRU skips it (right-padded
 * masks as the engine's lengths, masks with holes through the step loop) and the loss and metrics
 * average over the real steps only. Checked against TensorFlow.js 4.22 and hand computations.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { ArgumentError, ShapeError, Tensor, keras, manualSeed } from '../lib/index';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) throw new Error(`[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Ids [rows, steps]: right-padded rows of lengths 7, 4, 1 and 5, or with holes (zeros inside). */
function ids(holes: boolean): Float32Array {
  const rows = holes
    ? [[3, 0, 2, 5, 0, 1, 4], [1, 2, 0, 0, 3, 0, 0], [0, 0, 4, 0, 0, 0, 0], [5, 4, 3, 0, 1, 0, 0]]
    : [[3, 1, 2, 5, 4, 1, 4], [1, 2, 5, 3, 0, 0, 0], [4, 0, 0, 0, 0, 0, 0], [5, 4, 3, 2, 1, 0, 0]];
  return Float32Array.from(rows.flat());
}

/** The same model in TF.js and here (TF.js's reset-before GRU with its hard sigmoid), our weights set from TF.js's. */
function twinModels(options: { returnSequences: boolean; goBackwards?: boolean; bidirectional?: boolean; raw?: boolean }) {
  const gruOptions = { units: 4, returnSequences: options.returnSequences, goBackwards: options.goBackwards ?? false };
  const tfModel = tf.sequential();
  tfModel.add(tf.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputLength: 7 }));
  const tfGru = () => tf.layers.gru({ ...gruOptions, recurrentActivation: 'hardSigmoid' });
  tfModel.add(options.bidirectional ? tf.layers.bidirectional({ layer: tfGru() as never }) : tfGru());
  if (options.returnSequences && !options.raw) tfModel.add(tf.layers.gru({ units: 3, recurrentActivation: 'hardSigmoid' }));
  if (!options.raw) tfModel.add(tf.layers.dense({ units: 2 }));
  const ourGru = () => keras.layers.gru({ ...gruOptions, resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' });
  const ours = keras.sequential([
    keras.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputShape: [7] }),
    options.bidirectional ? keras.layers.bidirectional({ layer: ourGru() }) : ourGru(),
    ...(options.returnSequences && !options.raw ? [keras.layers.gru({ units: 3, resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' })] : []),
    ...(options.raw ? [] : [keras.layers.dense({ units: 2 })]),
  ]);
  const weights = tfModel.getWeights().map((w) => Tensor.from(w.dataSync() as Float32Array, w.shape));
  ours.setWeights(weights);
  for (const w of weights) w.dispose();
  return { tfModel, ours };
}

describe('masks from embedding({ maskZero })', () => {
  for (const holes of [false, true]) {
    for (const variant of [{ returnSequences: false }, { returnSequences: true }, { returnSequences: false, goBackwards: true },
      { returnSequences: true, goBackwards: true }, { returnSequences: true, bidirectional: true }, { returnSequences: false, bidirectional: true },
      // The sequence outputs themselves, masked steps included.
      { returnSequences: true, raw: true }, { returnSequences: true, goBackwards: true, raw: true }, { returnSequences: true, bidirectional: true, raw: true }]) {
      it(`predict what TensorFlow.js predicts: ${holes ? 'masks with holes' : 'right-padded'}, ${JSON.stringify(variant)}`, () => {
        const { tfModel, ours } = twinModels(variant);
        const values = ids(holes);
        const expected = Float32Array.from((tfModel.predict(tf.tensor2d(values, [4, 7])) as tf.Tensor).dataSync());
        const x = Tensor.from(values, [4, 7]);
        const y = ours.predict(x);
        if (variant.raw && variant.bidirectional) {
          // Keras 3's Bidirectional zeroes masked steps (zero_output_for_mask = return_sequences);
          // TF.js repeats the last output there. The real steps agree.
          const width = y.shape[2];
          values.forEach((id, step) => {
            if (id === 0) for (let u = 0; u < width; u++) { expect(Math.abs(y.dataSync()[step * width + u])).toBe(0); expected[step * width + u] = 0; }
          });
        }
        expectClose(y.dataSync(), expected, 1e-5);
        for (const t of [x, y]) t.dispose();
        ours.dispose();
        tfModel.dispose();
      });
    }
  }

  it('a masked sequence output repeats the last real output over the padding (Keras 3: zero_output_for_mask=False)', () => {
    const gru = keras.layers.gru({ units: 3, returnSequences: true });
    const model = keras.sequential([keras.layers.embedding({ inputDim: 6, outputDim: 2, maskZero: true, inputShape: [7] }), gru]);
    const padded = Tensor.from(ids(false), [4, 7]);
    const out = model.predict(padded).dataSync();
    const lengths = [7, 4, 1, 5];
    for (let r = 0; r < 4; r++) {
      for (let t = lengths[r]; t < 7; t++) for (let u = 0; u < 3; u++) expect(out[(r * 7 + t) * 3 + u]).toBe(out[(r * 7 + lengths[r] - 1) * 3 + u]);
      for (let u = 0; u < 3; u++) expect(out[(r * 7 + lengths[r] - 1) * 3 + u]).not.toBe(0);
    }
    padded.dispose();
    model.dispose();
  });
});

describe('keras.layers.masking', () => {
  it('zeroes and masks the steps equal to maskValue, as TensorFlow.js does', () => {
    const tfModel = tf.sequential();
    tfModel.add(tf.layers.masking({ maskValue: -1, inputShape: [5, 2] }));
    tfModel.add(tf.layers.gru({ units: 3, recurrentActivation: 'hardSigmoid' }));
    const ours = keras.sequential([keras.layers.masking({ maskValue: -1, inputShape: [5, 2] }),
      keras.layers.gru({ units: 3, resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' })]);
    const weights = tfModel.getWeights().map((w) => Tensor.from(w.dataSync() as Float32Array, w.shape));
    ours.setWeights(weights);
    // Row 0 is right-padded, row 1 has a hole, row 2 has a -1 in one feature only (not masked).
    const values = Float32Array.from([0.5, 1, -0.2, 0.3, 0.9, -0.7, -1, -1, -1, -1, 0.1, 0.2, -1, -1, 0.4, 0.4, 0.8, 0.1, 0.2, 0.2,
      -1, 0.5, 0.5, 0.5, 0.1, 0.1, 0.9, 0.9, 0.3, 0.3]);
    const expected = (tfModel.predict(tf.tensor3d(values, [3, 5, 2])) as tf.Tensor).dataSync();
    const x = Tensor.from(values, [3, 5, 2]);
    const y = ours.predict(x);
    expectClose(y.dataSync(), expected, 1e-5);
    for (const t of [...weights, x, y]) t.dispose();
    ours.dispose();
    tfModel.dispose();
    expect(() => keras.layers.masking({ maskValue: 'x' as never })).toThrow(ArgumentError);
    expect(() => keras.layers.masking({ mask: 0 } as never)).toThrow(/unknown option 'mask'|mask/);
  });
});

describe('losses and metrics under a mask', () => {
  it('average over the real steps only (Keras divides by the unmasked count)', async () => {
    const model = keras.sequential([
      keras.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputShape: [7] }),
      keras.layers.gru({ units: 4, returnSequences: true }),
      keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 3, activation: 'softmax' }) }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy', 'perplexity'] });
    const x = Tensor.from(ids(false), [4, 7]);
    const labels = Float32Array.from({ length: 28 }, (_, i) => (i * 7) % 3);
    const y = Tensor.from(labels, [4, 7]);
    const p = model.predict(x).dataSync();
    const lengths = [7, 4, 1, 5];
    let ce = 0, correct = 0, real = 0;
    for (let r = 0; r < 4; r++) {
      for (let t = 0; t < lengths[r]; t++) {
        const row = p.subarray((r * 7 + t) * 3, (r * 7 + t) * 3 + 3);
        const label = labels[r * 7 + t];
        ce -= Math.log(Math.min(Math.max(row[label] / (row[0] + row[1] + row[2]), 1e-7), 1 - 1e-7));
        correct += row.indexOf(Math.max(...row)) === label ? 1 : 0;
        real++;
      }
    }
    const [loss, accuracy, perplexity] = await model.evaluate(x, y) as number[];
    expect(loss).toBeCloseTo(ce / real, 5);
    expect(accuracy).toBeCloseTo(correct / real, 6);
    expect(perplexity).toBeCloseTo(Math.exp(ce / real), 4);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });
});

describe('sample and class weights', () => {
  function regression() {
    const model = keras.sequential([keras.layers.gru({ units: 3, inputShape: [4, 2] }), keras.layers.dense({ units: 2, activation: 'softmax' })],);
    const x = Tensor.from(Float32Array.from({ length: 6 * 8 }, (_, i) => Math.sin(i * 1.3)), [6, 4, 2]);
    const y = Tensor.from(Float32Array.from({ length: 12 }, (_, i) => ((i >> 1) % 3 === 0) === (i % 2 === 0) ? 1 : 0), [6, 2]);
    return { model, x, y };
  }

  it('scale each sample\'s loss, summed over the batch size (Keras\'s sum_over_batch_size)', async () => {
    const { model, x, y } = regression();
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const p = model.predict(x).dataSync(), t = y.dataSync();
    const w = [1, 0, 2, 0.5, 3, 1];
    let weighted = 0;
    for (let r = 0; r < 6; r++) weighted -= w[r] * (t[2 * r] * Math.log(p[2 * r]) + t[2 * r + 1] * Math.log(p[2 * r + 1]));
    const loss = await model.evaluate(x, y, { sampleWeight: Tensor.from(Float32Array.from(w), [6]), batchSize: 6 });
    expect(loss).toBeCloseTo(weighted / 6, 5);
    await expect(model.evaluate(x, y, { sampleWeight: Tensor.zeros([5]) })).rejects.toThrow(ShapeError);
    for (const v of [x, y]) v.dispose();
    model.dispose();
  });

  it('classWeight trains exactly as the sample weights of each row\'s class', async () => {
    const histories: number[][] = [];
    for (const byClass of [true, false]) {
      manualSeed(11);  // the same initial weights both times
      const { model, x, y } = regression();
      model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
      const classes = Array.from({ length: 6 }, (_, r) => (y.dataSync()[2 * r + 1] > 0.5 ? 1 : 0));
      const weights = Tensor.from(Float32Array.from(classes, (c) => (c === 1 ? 3 : 1)), [6]);
      const options = byClass ? { classWeight: { 0: 1, 1: 3 } } : { sampleWeight: weights };
      const h = await model.fit(x, y, { epochs: 3, batchSize: 4, seed: 5, verbose: 0, ...options });
      histories.push(h.history.loss);
      for (const v of [x, y, weights]) v.dispose();
      model.dispose();
    }
    expect(histories[0]).toEqual(histories[1]);
  });

  it('refuse both at once, bad class weights and 3-D labels', async () => {
    const { model, x, y } = regression();
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    await expect(model.fit(x, y, { classWeight: { 0: 1 }, sampleWeight: Tensor.ones([6]), verbose: 0 })).rejects.toThrow(/not both/);
    await expect(model.fit(x, y, { classWeight: { a: 1 } as never, verbose: 0 })).rejects.toThrow(/class indices/);
    await expect(model.fit(x, y, { classWeight: { 0: -1 }, verbose: 0 })).rejects.toThrow(/must be a number >= 0/);
    for (const v of [x, y]) v.dispose();
    model.dispose();
  });
});
