/**
 * keras.optimizers against hand computations in float64: Adagrad's Keras 3 rule (epsilon inside
 * the root, decoupled weight decay, Keras's defaults; also against TensorFlow.js 4.22 in
 * float32), and the clipping options clipnorm, clipvalue and globalClipnorm on every optimizer,
 * non-finite norms included; bad options. Every case runs on the CPU, and on CUDA where it is
 * available (skipped here with the probe's reason).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ArgumentError, Tensor, backends, keras, type Device } from '../lib/index';
import { buildOptimizer, checkOptimizer } from '../lib/keras/optimizers';

// TF.js is a devDependency, always here; the GPU machine's kit leaves it out (270 MB), so there
// the one comparison with it is skipped and the rest of the file still runs on CUDA.
const tfjsInstalled = existsSync(join(__dirname, '..', 'node_modules', '@tensorflow', 'tfjs', 'package.json'));
const noTfjs = tfjsInstalled ? '' : ' [skipped: @tensorflow/tfjs is not installed]';

const cuda = backends().find((b) => b.name === 'cuda')!;
if (!cuda.available) console.log(`keras optimizers on CUDA skipped: ${cuda.reason}`);
const DEVICES: Device[] = cuda.available ? ['cpu', 'cuda'] : ['cpu'];

type Spec = ReturnType<typeof keras.optimizers.adam>;
const NAMES = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'] as const;

function hostValues(t: Tensor): number[] {
  const onCpu = t.device === 'cpu' ? t : t.to('cpu');
  const values = Array.from(onCpu.dataSync());
  if (onCpu !== t) onCpu.dispose();
  return values;
}

/** Relative 1e-13: the kernels may fuse a multiply-add where the reference rounds twice. */
function expectClose(actual: number[], expected: number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  actual.forEach((a, i) => {
    if (Number.isNaN(expected[i])) expect(a, `${what}[${i}]`).toBeNaN();
    else if (!(Math.abs(a - expected[i]) <= 1e-13 * Math.max(1, Math.abs(expected[i])))) throw new Error(`${what}[${i}]: ${a} vs ${expected[i]}`);
  });
}

for (const device of DEVICES) {
  const f64 = (values: number[]) => Tensor.from(values, [values.length], { dtype: 'float64', device });

  /** Parameters from `start`, stepped once per entry of `grads` by the optimizer `spec` builds; the parameters and last gradients after. */
  function run(spec: Spec, start: number[][], grads: number[][][]): { params: number[][]; grads: number[][] } {
    const params = start.map((v) => f64(v).requiresGrad_());
    const opt = buildOptimizer(spec, params);
    for (const step of grads) {
      params.forEach((p, i) => {
        p.grad?.dispose();
        p.grad = f64(step[i]);
      });
      opt.step();
    }
    const result = { params: params.map(hostValues), grads: params.map((p) => hostValues(p.grad!)) };
    opt.dispose();
    for (const p of params) {
      p.grad!.dispose();
      p.dispose();
    }
    return result;
  }

  describe(`${device}: keras.optimizers.adagrad`, () => {
    const start = [[1, -2, 0.5], [0.25]];
    const grads = [[[0.5, -0.25, 0], [1]], [[-0.3, 0.1, 2], [0.5]], [[0.2, 0.2, -1], [-4]], [[1e-3, -3, 0.7], [0]]];

    /** Keras 3: p -= lr wd p; a += g^2; p -= lr g / sqrt(a + eps). */
    function reference(lr: number, initial: number, eps: number, wd: number): number[][] {
      return start.map((values, i) => values.map((p0, k) => {
        let p = p0, a = initial;
        for (const step of grads) {
          const g = step[i][k];
          p *= 1 - lr * wd;
          a += g * g;
          p -= (lr * g) / Math.sqrt(a + eps);
        }
        return p;
      }));
    }

    it("follows Keras 3's rule with its defaults (learningRate 1e-3, initialAccumulatorValue 0.1, epsilon 1e-7 inside the root)", () => {
      run(keras.optimizers.adagrad(), start, grads).params.forEach((p, i) => expectClose(p, reference(1e-3, 0.1, 1e-7, 0)[i], `parameter ${i}`));
    });

    it('takes learningRate, initialAccumulatorValue, epsilon and a decoupled weightDecay', () => {
      const spec = keras.optimizers.adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.5, epsilon: 1e-3, weightDecay: 0.2 });
      const expected = reference(0.1, 0.5, 1e-3, 0.2);
      run(spec, start, grads).params.forEach((p, i) => expectClose(p, expected[i], `parameter ${i}`));
    });

    it.skipIf(!tfjsInstalled)(`gives TensorFlow.js's Adagrad in float32 (same rule, epsilon 1e-7, starting accumulator 0.1)${noTfjs}`, async () => {
      const tf = await import('@tensorflow/tfjs');
      const ours = start.map((v) => Tensor.from(v, [v.length], { device }).requiresGrad_());
      const opt = buildOptimizer(keras.optimizers.adagrad({ learningRate: 0.05 }), ours);
      const theirs = start.map((v, i) => tf.variable(tf.tensor1d(v), true, `w${i}`));
      const tfOpt = tf.train.adagrad(0.05);
      for (const step of grads) {
        ours.forEach((p, i) => {
          p.grad?.dispose();
          p.grad = Tensor.from(step[i], [step[i].length], { device });
        });
        opt.step();
        tf.tidy(() => tfOpt.applyGradients(step.map((g, i) => ({ name: `w${i}`, tensor: tf.tensor1d(g) }))));
      }
      ours.forEach((p, i) => hostValues(p).forEach((v, k) => expect(Math.abs(v - theirs[i].dataSync()[k])).toBeLessThan(1e-6)));
      opt.dispose();
      tfOpt.dispose();
      for (const p of ours) {
        p.grad!.dispose();
        p.dispose();
      }
      for (const v of theirs) v.dispose();
    });

    it("is compile()'s 'adagrad', with the same defaults, and trains a model", async () => {
      const model = keras.sequential({ layers: [keras.layers.dense({ units: 1, inputShape: [2] })], device });
      model.compile({ optimizer: 'adagrad', loss: 'mse' });
      const x = Tensor.from([1, 2, -1, 0.5], [2, 2], { device });
      const y = Tensor.from([1, -1], [2, 1], { device });
      // getWeights() gives copies.
      const weights = () => model.getWeights().map((w) => {
        const values = hostValues(w);
        w.dispose();
        return values;
      });
      const before = weights();
      expect(Number.isFinite(await model.trainOnBatch(x, y))).toBe(true);
      expect(weights()).not.toEqual(before);
      for (const t of [x, y]) t.dispose();
      model.dispose();
      const spec = checkOptimizer('Adagrad', 'compile options.optimizer') as Spec;
      expect(spec.name).toBe('adagrad');
      run(spec, start, grads).params.forEach((p, i) => expectClose(p, reference(1e-3, 0.1, 1e-7, 0)[i], `parameter ${i}`));
    });
  });

  describe(`${device}: Keras's decoupled weight decay on every optimizer`, () => {
    const start = [[1, -2, 0.5]], grads = [[[0.5, -0.25, 0]], [[-0.3, 0.1, 2]]];
    it('sgd: p *= 1 - lr wd, then p -= lr g (not L2 in the gradient)', () => {
      const expected = start[0].map((p0, k) => grads.reduce((p, step) => p * (1 - 0.1 * 0.2) - 0.1 * step[0][k], p0));
      expectClose(run(keras.optimizers.sgd({ learningRate: 0.1, weightDecay: 0.2 }), start, grads).params[0], expected, 'sgd');
    });
    it('rmsprop: p *= 1 - lr wd, then p -= lr g / sqrt(v + eps)', () => {
      const expected = start[0].map((p0, k) => {
        let p = p0, v = 0;
        for (const step of grads) {
          const g = step[0][k];
          p *= 1 - 0.01 * 0.3;
          v = 0.9 * v + 0.1 * g * g;
          p -= (0.01 * g) / Math.sqrt(v + 1e-7);
        }
        return p;
      });
      expectClose(run(keras.optimizers.rmsprop({ learningRate: 0.01, weightDecay: 0.3 }), start, grads).params[0], expected, 'rmsprop');
    });
  });

  describe(`${device}: keras gradient clipping`, () => {
    // Norms 5, sqrt(0.75) and 0 (a zero gradient stays zero, not NaN).
    const g = [[3, -4], [0.5, 0.5, -0.5], [0, 0]];
    const start = [[1, 2], [0, -1, 1], [0.5, 0.5]];
    const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    const cases: [string, object, number[][]][] = [
      ['clipnorm 1 (per variable)', { clipnorm: 1 }, g.map((v) => v.map((x) => x * (1 / Math.max(norm(v), 1))))],
      ['clipvalue 0.6', { clipvalue: 0.6 }, g.map((v) => v.map((x) => Math.min(0.6, Math.max(-0.6, x))))],
      ['globalClipnorm 2', { globalClipnorm: 2 }, g.map((v) => v.map((x) => x * (2 / Math.max(norm(g.flat()), 2))))],
      ['globalClipnorm above the norm (unchanged)', { globalClipnorm: 10 }, g],
    ];

    for (const [label, clip, clipped] of cases) {
      it(`${label}: SGD steps with the clipped gradients, which replace the gradients in place`, () => {
        const out = run(keras.optimizers.sgd({ learningRate: 1, ...clip }), start, [g]);
        out.grads.forEach((v, i) => expectClose(v, clipped[i], `gradient ${i}`));
        out.params.forEach((v, i) => expectClose(v, start[i].map((p, k) => p - clipped[i][k]), `parameter ${i}`));
      });

      it(`${label}: every optimizer clips before its update`, () => {
        for (const name of NAMES) {
          const out = run(keras.optimizers[name](clip), start, [g]);
          out.grads.forEach((v, i) => expectClose(v, clipped[i], `${name} gradient ${i}`));
        }
      });
    }

    it('adagrad with clipnorm updates with the clipped gradient', () => {
      const c = g.map((v) => v.map((x) => x * (1 / Math.max(norm(v), 1))));
      const out = run(keras.optimizers.adagrad({ learningRate: 0.1, clipnorm: 1 }), start, [g]);
      out.params.forEach((v, i) => expectClose(v, start[i].map((p, k) => p - (0.1 * c[i][k]) / Math.sqrt(0.1 + c[i][k] ** 2 + 1e-7)), `parameter ${i}`));
    });

    it('a non-finite global norm makes every gradient NaN (Keras); clipnorm only touches the variable it belongs to', () => {
      const bad = [[Infinity, 1], [0.5, 0.5, -0.5], [0, 0]];
      const global = run(keras.optimizers.sgd({ globalClipnorm: 1 }), start, [bad]);
      for (const v of global.grads) for (const x of v) expect(x).toBeNaN();
      const each = run(keras.optimizers.sgd({ clipnorm: 1 }), start, [bad]);
      // inf * 1 / inf is NaN, 1 * 1 / inf is 0.
      expectClose(each.grads[0], [NaN, 0], 'gradient 0');
      expectClose(each.grads[1], bad[1], 'gradient 1');
      const nan = run(keras.optimizers.sgd({ globalClipnorm: 1 }), start, [[[NaN, 0], [1, 1, 1], [0, 0]]]);
      for (const v of nan.grads) for (const x of v) expect(x).toBeNaN();
    });
  });
}

describe('keras.optimizers bad options', () => {
  it('at most one of clipnorm, clipvalue and globalClipnorm, as Keras requires', () => {
    expect(() => keras.optimizers.adam({ clipnorm: 1, clipvalue: 0.5 }))
      .toThrow(/keras\.optimizers\.adam options: only one of clipnorm, clipvalue and globalClipnorm can be set, got clipnorm 1 and clipvalue 0\.5/);
    expect(() => keras.optimizers.adagrad({ clipnorm: 1, globalClipnorm: 1, clipvalue: 1 })).toThrow(ArgumentError);
    // A spec made by hand is checked when the optimizer is built.
    const p = Tensor.zeros([2], { dtype: 'float64' }).requiresGrad_();
    expect(() => buildOptimizer({ name: 'sgd', options: { globalClipnorm: 1, clipvalue: 1 } }, [p])).toThrow(/only one of clipnorm, clipvalue and globalClipnorm/);
    expect(() => buildOptimizer({ name: 'sgd', options: { clipvalue: -1 } }, [p])).toThrow(/keras\.optimizers\.sgd options\.clipvalue must be > 0, got -1/);
    p.dispose();
  });

  it('clipping values must be finite numbers > 0; learningRate must be >= 0; unknown names are refused', () => {
    expect(() => keras.optimizers.sgd({ clipnorm: 0 })).toThrow(/keras\.optimizers\.sgd options\.clipnorm must be > 0, got 0/);
    expect(() => keras.optimizers.rmsprop({ clipvalue: Number.NaN })).toThrow(/options\.clipvalue must be a finite number, got NaN/);
    expect(() => keras.optimizers.adamw({ globalClipnorm: '1' as never })).toThrow(/options\.globalClipnorm must be a finite number, got "1"/);
    expect(() => keras.optimizers.adagrad({ learningRate: -0.1 })).toThrow(/keras\.optimizers\.adagrad options\.learningRate must be >= 0, got -0\.1/);
    expect(() => keras.optimizers.adagrad({ clipNorm: 1 } as never)).toThrow(/unknown option "clipNorm"; did you mean "clipnorm"\?/);
    expect(() => keras.optimizers.adagrad({ rho: 0.9 })).toThrow(/keras\.optimizers\.adagrad options: unknown option "rho"/);
    expect(() => keras.optimizers.adagrad({ lrDecay: 0.1 } as never)).toThrow(/unknown option "lrDecay"/);
  });

  it('bad option values are refused under their Keras names, in specs and in hand-made ones', () => {
    const p = Tensor.zeros([2], { dtype: 'float64' }).requiresGrad_();
    expect(() => keras.optimizers.adagrad({ initialAccumulatorValue: -1 })).toThrow(/keras\.optimizers\.adagrad options\.initialAccumulatorValue must be >= 0, got -1/);
    expect(() => keras.optimizers.adagrad({ epsilon: -1e-7 })).toThrow(/keras\.optimizers\.adagrad options\.epsilon must be >= 0/);
    expect(() => keras.optimizers.adam({ beta1: 1 })).toThrow(/keras\.optimizers\.adam options\.beta1 must be in \[0, 1\), got 1/);
    expect(() => keras.optimizers.rmsprop({ rho: -0.1 })).toThrow(/keras\.optimizers\.rmsprop options\.rho must be in \[0, 1\)/);
    expect(() => keras.optimizers.sgd({ momentum: -0.5 })).toThrow(/keras\.optimizers\.sgd options\.momentum must be >= 0/);
    expect(() => keras.optimizers.adamw({ amsgrad: 'yes' as never })).toThrow(/keras\.optimizers\.adamw options\.amsgrad must be a boolean/);
    expect(() => buildOptimizer({ name: 'adam', options: { beta2: 1.5 } }, [p])).toThrow(/keras\.optimizers\.adam options\.beta2 must be in \[0, 1\), got 1\.5/);
    p.dispose();
  });

  it('sgd with nesterov and no momentum is plain SGD, as in Keras', () => {
    const p = Tensor.from([1, 2], undefined, { dtype: 'float64' }).requiresGrad_();
    const optimizer = buildOptimizer(keras.optimizers.sgd({ learningRate: 0.5, nesterov: true }), [p]);
    p.grad = Tensor.from([0.2, -0.4], undefined, { dtype: 'float64' });
    optimizer.step();
    expect(Array.from(p.dataSync())).toEqual([0.9, 2.2]);
    p.dispose();
  });
});
