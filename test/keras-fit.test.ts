/**
 * The Keras face's training: compile/fit/evaluate on the tutorial models (reduced), against
 * TensorFlow.js's losses for the same model and weights, seeded repeatability, validationSplit,
 * abort and callbacks, bad inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { ArgumentError, ShapeError, Tensor, keras, manualSeed, memory } from '../lib/index';
import { DEVICE_CODE } from '../lib/dtype';
import { native } from '../lib/native/binding';
import { buildOptimizer } from '../lib/keras/optimizers';

const settled = () => {
  native.synchronize(DEVICE_CODE.cpu);
  return memory().tensors;
};

/** Tutorial 4: x = sin over [0, 4 pi] (100 points, each a length-1 sequence), y = x^2. */
function sineData(): { x: Tensor; y: Tensor } {
  const xs = Float32Array.from({ length: 100 }, (_, i) => Math.sin((4 * Math.PI * i) / 99));
  return { x: Tensor.from(xs, [100, 1, 1]), y: Tensor.from(xs.map((v) => v * v), [100, 1]) };
}

describe('keras fit', () => {
  it('tutorial 4 (GRU(64) -> Dense(1), adam, mse, batch 1) learns y = x^2 and evaluates', async () => {
    manualSeed(123);
    const before = settled();
    const { x, y } = sineData();
    const model = keras.sequential([keras.layers.gru({ units: 64, inputShape: [1, 1] }), keras.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    // 20 of the tutorial's 100 epochs: the loss falls from about 0.17 to under 0.01 here.
    const history = await model.fit(x, y, { epochs: 20, batchSize: 1, verbose: 0, seed: 1 });
    expect(history.epoch).toHaveLength(20);
    const losses = history.history.loss;
    expect(losses[19]).toBeLessThan(losses[0] / 20);
    const score = await model.evaluate(x, y);
    expect(typeof score).toBe('number');
    expect(score as number).toBeLessThan(0.01);
    model.dispose();
    for (const t of [x, y]) t.dispose();
    expect(settled()).toBe(before);
  });

  it('tutorial 2 (relu GRUs, binaryCrossentropy, accuracy) learns a sign task with validationData', async () => {
    manualSeed(5);
    const n = 256, T = 12;
    const values = Float32Array.from({ length: n * T }, (_, i) => Math.sin(i * 12.9898) * 0.5);
    const labels = Float32Array.from({ length: n }, (_, b) => (values.slice(b * T, b * T + T).reduce((a, v) => a + v, 0) > 0 ? 1 : 0));
    const x = Tensor.from(values, [n, T, 1]), y = Tensor.from(labels, [n, 1]);
    const model = keras.sequential([
      keras.layers.gru({ units: 16, activation: 'relu', returnSequences: true, inputShape: [T, 1] }),
      keras.layers.gru({ units: 16, activation: 'relu' }),
      keras.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: keras.optimizers.adam({ learningRate: 0.01 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 12, batchSize: 32, verbose: 0, seed: 2, validationSplit: 0.25 });
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.history.val_accuracy[11]).toBeGreaterThan(0.85);
    model.dispose();
    for (const t of [x, y]) t.dispose();
  });

  it('a seeded CPU fit repeats bit for bit, shuffling included', async () => {
    const run = async () => {
      manualSeed(9);
      const { x, y } = sineData();
      const model = keras.sequential([keras.layers.gru({ units: 8, inputShape: [1, 1] }), keras.layers.dense({ units: 1 })]);
      model.compile({ optimizer: 'rmsprop', loss: 'mse' });
      const h = await model.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, seed: 4 });
      const weights = model.getWeights().map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; });
      model.dispose();
      for (const t of [x, y]) t.dispose();
      return { losses: h.history.loss, weights };
    };
    const a = await run(), b = await run();
    expect(b).toEqual(a);
  });

  // TF.js's Adam puts epsilon where torch does; Keras's placement differs by far less than the tolerance.
  for (const [optimizer, regularized] of [['sgd', false], ['adam', false], ['sgd', true]] as const) {
    it(`gives the losses TensorFlow.js gives for the same model, weights and batches (${optimizer}${regularized ? ', regularizers' : ''}, no shuffling)`, async () => {
      const n = 48, T = 5;
      const xs = Float32Array.from({ length: n * T * 2 }, (_, i) => Math.cos(i * 0.37));
      const ys = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.2));
      const tfModel = tf.sequential();
      // Keras adds the regularizers' penalties to the loss it trains on and logs. (TF.js's GRU
      // drops its regularizers; the GRU's are checked by hand below.)
      tfModel.add(tf.layers.gru({ units: 6, inputShape: [T, 2], recurrentActivation: 'hardSigmoid' }));
      tfModel.add(tf.layers.dense({ units: 1, ...(regularized ? { kernelRegularizer: tf.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) } : {}) }));
      tfModel.compile({ optimizer: optimizer === 'sgd' ? tf.train.sgd(0.05) : tf.train.adam(0.01), loss: 'meanSquaredError' });
      const ours = keras.sequential([
        keras.layers.gru({ units: 6, inputShape: [T, 2], resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' }),
        keras.layers.dense({ units: 1, ...(regularized ? { kernelRegularizer: keras.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) } : {}) }),
      ]);
      const weights = tfModel.getWeights().map((w) => Tensor.from(w.dataSync() as Float32Array, w.shape));
      ours.setWeights(weights);
      ours.compile({ optimizer: keras.optimizers[optimizer]({ learningRate: optimizer === 'sgd' ? 0.05 : 0.01 }), loss: 'meanSquaredError' });
      const tfHistory = await tfModel.fit(tf.tensor3d(xs, [n, T, 2]), tf.tensor2d(ys, [n, 1]), { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
      const x = Tensor.from(xs, [n, T, 2]), y = Tensor.from(ys, [n, 1]);
      const history = await ours.fit(x, y, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
      if (regularized) {
        // TF.js logs the loss without the penalties (Keras 3 logs them in); the trained weights agree.
        const trained = ours.getWeights();
        tfModel.getWeights().forEach((w, i) => {
          const want = w.dataSync(), got = trained[i].dataSync();
          for (let k = 0; k < want.length; k++) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-4);
        });
        const penalty = ours.regularizationLoss()!;
        const logged = (tfModel.evaluate(tf.tensor3d(xs, [n, T, 2]), tf.tensor2d(ys, [n, 1]), { batchSize: n }) as tf.Scalar).dataSync()[0];
        expect(await ours.evaluate(x, y, { batchSize: n })).toBeCloseTo(logged + penalty.itemSync(), 4);
        for (const t of [...trained, penalty]) t.dispose();
      } else {
        const expected = tfHistory.history.loss as number[];
        history.history.loss.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(expected[i]))));
      }
      for (const t of [...weights, x, y]) t.dispose();
      ours.dispose();
      tfModel.dispose();
    });
  }

  it("GRU regularizers add their penalty's gradient: l1 sign(w), 2 l2 w (Keras 3; TF.js's GRU drops them)", async () => {
    const x = Tensor.from(Float64Array.from({ length: 4 * 3 * 2 }, (_, i) => Math.cos(i)), [4, 3, 2], { dtype: 'float64' });
    const y = Tensor.from(Float64Array.from([0.5, -0.2, 0.1, 0.3]), [4, 1], { dtype: 'float64' });
    const stepped = async (regularized: boolean) => {
      manualSeed(9);
      const reg = regularized ? { kernelRegularizer: keras.regularizers.l2({ l2: 0.3 }), recurrentRegularizer: keras.regularizers.l1({ l1: 0.2 }),
        biasRegularizer: 'l2' as const } : {};
      const model = keras.sequential({ dtype: 'float64', layers: [keras.layers.gru({ units: 3, inputShape: [3, 2], biasInitializer: 'ones', ...reg }), keras.layers.dense({ units: 1 })] });
      model.compile({ optimizer: keras.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
      const before = model.getWeights().map((w) => Array.from(w.dataSync()));
      await model.trainOnBatch(x, y);
      const after = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return { before, after };
    };
    const plain = await stepped(false), regularized = await stepped(true);
    const penaltyGradient = [(w: number) => 2 * 0.3 * w, (w: number) => 0.2 * Math.sign(w), (w: number) => 2 * 0.01 * w, () => 0, () => 0];
    plain.before.forEach((weights, i) => weights.forEach((w, k) => {
      expect(regularized.before[i][k]).toBe(w);
      expect(plain.after[i][k] - regularized.after[i][k]).toBeCloseTo(0.1 * penaltyGradient[i](w), 12);
    }));
    expect(() => keras.layers.dense({ units: 1, kernelRegularizer: 'l3' as never })).toThrow(/must be keras.regularizers/);
    expect(() => keras.regularizers.l2({ l2: -1 })).toThrow(/must be a number >= 0/);
    for (const t of [x, y]) t.dispose();
  });

  it('stops after the current batch on abort: rejects with the reason and the history so far; the model stays usable', async () => {
    const { x, y } = sineData();
    const model = keras.sequential([keras.layers.gru({ units: 4, inputShape: [1, 1] }), keras.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const controller = new AbortController();
    let batches = 0;
    const fit = model.fit(x, y, {
      epochs: 50, batchSize: 10, verbose: 0, signal: controller.signal,
      callbacks: { onBatchEnd: () => { if (++batches === 13) controller.abort(new Error('stop now')); } },
    });
    const error = await fit.then(() => null, (e: Error & { history?: { epoch: number[] } }) => e);
    expect(error?.message).toBe('stop now');
    expect(error?.history?.epoch).toEqual([0]);
    expect(batches).toBe(13);
    const p = model.predict(x);
    expect(p.shape).toEqual([100, 1]);
    expect(Array.from(p.dataSync()).every(Number.isFinite)).toBe(true);
    for (const t of [p, x, y]) t.dispose();
    model.dispose();
  });

  it('stopTraining from a callback ends after the epoch; bad inputs are typed errors', async () => {
    const { x, y } = sineData();
    const model = keras.sequential([keras.layers.gru({ units: 4, inputShape: [1, 1] }), keras.layers.dense({ units: 1 })]);
    await expect(model.fit(x, y)).rejects.toThrow(/compile\(\) the model first/);
    expect(() => model.compile({ optimizer: 'adadelta' as never, loss: 'mse' })).toThrow(/must be one of 'adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'/);
    expect(() => model.compile({ optimizer: 'adam', loss: 'msee' })).toThrow(/loss must be one of .*'meanSquaredError'/);
    model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mae'] });
    const h = await model.fit(x, y, { epochs: 5, verbose: 0, callbacks: { onEpochEnd: (epoch: number) => { if (epoch === 1) model.stopTraining = true; } } });
    expect(h.epoch).toEqual([0, 1]);
    expect(Object.keys(h.history).sort()).toEqual(['loss', 'mae']);
    const short = Tensor.zeros([99, 1]);
    await expect(model.fit(x, short)).rejects.toThrow(ShapeError);
    await expect(model.fit(x, y, { epochz: 2 } as never)).rejects.toThrow(ArgumentError);
    await expect(model.fit(x, y, { validationSplit: 1.5 })).rejects.toThrow(/validationSplit must be in \(0, 1\)/);
    for (const t of [x, y, short]) t.dispose();
    model.dispose();
  });
});

describe('keras optimizers', () => {
  it("Adam and RMSprop follow Keras 3's formulas (epsilon on the uncorrected root; inside the root), checked by hand", () => {
    const step = (name: 'adam' | 'rmsprop', options: object) => {
      const p = Tensor.from([1, -2], undefined, { dtype: 'float64' }).requiresGrad_();
      const model = { p };
      const opt = buildOptimizerFor(name, [model.p], options);
      for (let i = 0; i < 3; i++) {
        p.grad?.dispose();
        p.grad = Tensor.from([0.5, -0.25], undefined, { dtype: 'float64' });
        opt.step();
      }
      const values = Array.from(p.dataSync());
      opt.dispose();
      p.grad!.dispose();
      p.dispose();
      return values;
    };
    const g = [0.5, -0.25];
    // Keras Adam: m += (g - m)(1 - b1), v += (g^2 - v)(1 - b2), p -= lr sqrt(1 - b2^t)/(1 - b1^t) m / (sqrt(v) + eps).
    const adam = [1, -2].map((p0, k) => {
      let p = p0, m = 0, v = 0;
      for (let t = 1; t <= 3; t++) {
        m += (g[k] - m) * 0.1;
        v += (g[k] * g[k] - v) * 0.001;
        p -= ((0.01 * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t)) * (m / (Math.sqrt(v) + 1e-7));
      }
      return p;
    });
    step('adam', { learningRate: 0.01 }).forEach((v, i) => expect(v).toBeCloseTo(adam[i], 12));
    // Keras RMSprop: v = rho v + (1 - rho) g^2, p -= lr g / sqrt(v + eps).
    const rms = [1, -2].map((p0, k) => {
      let p = p0, v = 0;
      for (let t = 1; t <= 3; t++) {
        v = 0.9 * v + 0.1 * g[k] * g[k];
        p -= (0.001 * g[k]) / Math.sqrt(v + 1e-7);
      }
      return p;
    });
    step('rmsprop', {}).forEach((v, i) => expect(v).toBeCloseTo(rms[i], 12));
  });
});

function buildOptimizerFor(name: 'adam' | 'rmsprop', params: Tensor[], options: object) {
  return buildOptimizer(keras.optimizers[name](options), params);
}

describe('keras tutorial 1 and callbacks', () => {
  it('tutorial 1 (GRU returning sequences -> GRU -> Dense softmax, categorical cross-entropy, validationData) learns which pattern comes first', async () => {
    manualSeed(11);
    // Each sequence holds two markers (1 and 2) at random steps; the class is the one that comes first.
    const make = (n: number, seed: number) => {
      let s = seed;
      const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
      const T = 10, x = new Float32Array(n * T * 3), y = new Float32Array(n * 2);
      for (let b = 0; b < n; b++) {
        const a = Math.floor(rnd() * T);
        let c = Math.floor(rnd() * T);
        if (c === a) c = (c + 1) % T;
        x[(b * T + a) * 3] = 1;
        x[(b * T + c) * 3 + 1] = 1;
        for (let t = 0; t < T; t++) x[(b * T + t) * 3 + 2] = rnd() * 0.1;
        y[b * 2 + (a < c ? 0 : 1)] = 1;
      }
      return { x: Tensor.from(x, [n, T, 3]), y: Tensor.from(y, [n, 2]) };
    };
    const train = make(512, 1), val = make(128, 2);
    const model = keras.sequential([
      keras.layers.gru({ units: 24, returnSequences: true, inputShape: [10, 3] }),
      keras.layers.gru({ units: 24 }),
      keras.layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: keras.optimizers.adam({ learningRate: 0.01 }), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const h = await model.fit(train.x, train.y, { batchSize: 64, epochs: 15, validationData: [val.x, val.y], verbose: 0, seed: 3 });
    expect(h.history.val_accuracy[14]).toBeGreaterThan(0.9);
    model.dispose();
    for (const t of [train.x, train.y, val.x, val.y]) t.dispose();
  });

  it('tutorial 3 (GRU(64) on (100, 128) returning sequences -> GRU(32) -> Dense(1, sigmoid)) learns, at a reduced size', async () => {
    manualSeed(4);
    // The tutorial's shapes scaled down (20 steps of 16 features): the label is whether feature 0's sum is positive.
    const n = 192, T = 20, F = 16;
    const values = Float32Array.from({ length: n * T * F }, (_, i) => Math.sin(i * 0.731 + Math.floor(i / (T * F))));
    const labels = Float32Array.from({ length: n }, (_, b) => {
      let total = 0;
      for (let t = 0; t < T; t++) total += values[(b * T + t) * F];
      return total > 0 ? 1 : 0;
    });
    const model = keras.sequential([
      keras.layers.gru({ units: 64, inputShape: [T, F], returnSequences: true }),
      keras.layers.gru({ units: 32 }),
      keras.layers.dense({ units: 1, activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const x = Tensor.from(values, [n, T, F]), y = Tensor.from(labels, [n, 1]);
    const h = await model.fit(x, y, { epochs: 10, batchSize: 32, verbose: 0, seed: 7 });
    expect(h.history.accuracy[9]).toBeGreaterThan(0.9);
    model.dispose();
    for (const t of [x, y]) t.dispose();
  });

  it('an embedding feeds a GRU (integer word ids, sparse categorical cross-entropy)', async () => {
    manualSeed(2);
    const n = 128, T = 6, V = 12;
    const ids = Int32Array.from({ length: n * T }, (_, i) => (i * 7 + Math.floor(i / T)) % V);
    const labels = Float32Array.from({ length: n }, (_, b) => ids[b * T + T - 1] % 3);
    const model = keras.sequential([
      keras.layers.embedding({ inputDim: V, outputDim: 8, inputShape: [T] }),
      keras.layers.gru({ units: 16 }),
      keras.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    expect(model.layers[0].countParams()).toBe(V * 8);
    model.compile({ optimizer: keras.optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = Tensor.from(ids, [n, T], { dtype: 'int32' }), y = Tensor.from(labels, [n]);
    const h = await model.fit(x, y, { epochs: 25, batchSize: 32, verbose: 0, seed: 1 });
    expect(h.history.accuracy[24]).toBeGreaterThan(0.9);
    expect(() => keras.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: 'yes' as never })).toThrow(/maskZero must be a boolean/);
    model.dispose();
    for (const t of [x, y]) t.dispose();
  });

  it("earlyStopping stops with Keras 3's rule and restores the best weights at the end", async () => {
    const { x, y } = sineData();
    const model = keras.sequential([keras.layers.gru({ units: 4, inputShape: [1, 1] }), keras.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    let firstEpochWeights: number[][] = [];
    const capture = { onEpochEnd: (epoch: number) => {
      if (epoch !== 0) return;
      firstEpochWeights = model.getWeights().map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; });
    } };
    // A minDelta no change can beat: epoch 0 improves on +inf, epoch 1 does not, so it stops there.
    const stop = keras.callbacks.earlyStopping({ monitor: 'loss', minDelta: 1e9, patience: 1, restoreBestWeights: true });
    const h = await model.fit(x, y, { epochs: 10, batchSize: 20, verbose: 0, shuffle: false, callbacks: [capture, stop] });
    expect(h.epoch).toEqual([0, 1]);
    expect(stop.stoppedEpoch).toBe(1);
    const restored = model.getWeights().map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; });
    expect(restored).toEqual(firstEpochWeights);
    expect(() => keras.callbacks.earlyStopping({ patience: -1 })).toThrow(/patience must be a number >= 0/);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it("reduceLROnPlateau follows Keras's rule (reduce when bad epochs reach patience, cooldown) and logs learning_rate", async () => {
    const { x, y } = sineData();
    const model = keras.sequential([keras.layers.gru({ units: 4, inputShape: [1, 1] }), keras.layers.dense({ units: 1 })]);
    model.compile({ optimizer: keras.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    // Nothing beats the first epoch by 1e9: epochs 1 and 2 are bad, so the rate halves after epoch 2;
    // epoch 3 is cooldown, epochs 3 and 4 count again, so it halves after epoch 4.
    const plateau = keras.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, minDelta: 1e9, cooldown: 1 });
    const h = await model.fit(x, y, { epochs: 6, batchSize: 50, verbose: 0, shuffle: false, callbacks: plateau });
    expect(h.history.learning_rate).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(() => keras.callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor must be below 1/);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });
});
