/** GRU, GRUCell and step(): consistency between APIs, parameters, dropout, state dicts, errors. */
import { describe, expect, it } from 'vitest';

import {
  ArgumentError, DTypeError, DeviceError, DisposedError, GRU, GRUCell, Generator, ShapeError, Tensor, noGrad, sum,
} from '../lib/index';
import { compareArrays } from './helpers/fixtures';
import { settled } from './helpers/live';

const tight = { rtol: 1e-12, atol: 1e-13 };

describe('GRU parameters', () => {
  it('are named like PyTorch and are views into one flat buffer', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: new Generator(1) });
    const names = gru.namedParameters().map(([n]) => n);
    expect(names).toEqual([
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l0_reverse', 'weight_hh_l0_reverse', 'bias_ih_l0_reverse', 'bias_hh_l0_reverse',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1',
      'weight_ih_l1_reverse', 'weight_hh_l1_reverse', 'bias_ih_l1_reverse', 'bias_hh_l1_reverse',
    ]);
    const shapes = Object.fromEntries(gru.namedParameters().map(([n, p]) => [n, p.shape]));
    expect(shapes.weight_ih_l0).toEqual([12, 3]);
    expect(shapes.weight_ih_l1).toEqual([12, 8]);
    expect(shapes.weight_hh_l1_reverse).toEqual([12, 4]);
    const total = gru.parameters().reduce((n, p) => n + p.numel, 0);
    expect(gru.flatWeights.numel).toBe(total);
    // Views: the flat buffer's first values are weight_ih_l0's.
    expect(Array.from(gru.flatWeights.dataSync().slice(0, 36))).toEqual(Array.from(gru.parameters()[0].dataSync()));
    gru.dispose();
  });

  it('initialise from U(-1/sqrt(H), 1/sqrt(H)), reproducibly from a seed', () => {
    const a = new GRU({ inputSize: 5, hiddenSize: 16, generator: new Generator(3) });
    const b = new GRU({ inputSize: 5, hiddenSize: 16, generator: new Generator(3) });
    const values = a.flatWeights.dataSync();
    expect(values).toEqual(b.flatWeights.dataSync());
    const bound = 1 / 4;
    expect(values.every((v) => v >= -bound && v < bound)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(0.2);
    a.dispose();
    b.dispose();
  });

  it('stateDict/loadStateDict round-trip and name mismatches', () => {
    const a = new GRU({ inputSize: 2, hiddenSize: 3, generator: new Generator(4) });
    const b = new GRU({ inputSize: 2, hiddenSize: 3, generator: new Generator(5) });
    const state = a.stateDict();
    b.loadStateDict(state);
    expect(b.flatWeights.dataSync()).toEqual(a.flatWeights.dataSync());
    expect(() => b.loadStateDict({ weight_ih_l0: state.weight_ih_l0 })).toThrow(/Missing: weight_hh_l0, bias_ih_l0, bias_hh_l0/);
    expect(() => b.loadStateDict({ ...state, extra: state.bias_ih_l0 })).toThrow(/Unexpected: extra/);
    expect(() => b.loadStateDict({ ...state, bias_ih_l0: Tensor.zeros([4]) })).toThrow(/bias_ih_l0 must have shape \[9\], got \[4\]/);
    b.loadStateDict({ bias_ih_l0: Tensor.ones([9], { dtype: 'float64' }) }, { strict: false });
    expect(Array.from(b.parameters()[2].dataSync())).toEqual(new Array(9).fill(1));
    Object.values(state).forEach((t) => t.dispose());
    a.dispose();
    b.dispose();
  });
});

describe('consistency between APIs', () => {
  it('step() streams the same numbers as forward() over the whole sequence', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, dtype: 'float64', generator: new Generator(8) });
    const x = Tensor.randn([6, 2, 3], { dtype: 'float64', generator: new Generator(9) });
    const h0 = Tensor.randn([2, 2, 5], { dtype: 'float64', generator: new Generator(10) });
    const { output, hN } = noGrad(() => gru.forward(x, { h0 }));
    const full = output.dataSync();
    let state: Tensor = h0;
    for (let t = 0; t < 6; t++) {
      const xt = x.narrow(0, t, 1).reshape([2, 3]);
      const step = noGrad(() => gru.step(xt, state));
      compareArrays(`step ${t}`, step.output.dataSync(), full.slice(t * 10, t * 10 + 10), tight);
      state = step.state;
    }
    compareArrays('final state', state.dataSync(), hN.dataSync(), tight);
    gru.dispose();
  });

  it('GRUCell equals a one-layer GRU with the same weights, and unbatched inputs work', () => {
    const cell = new GRUCell({ inputSize: 4, hiddenSize: 3, dtype: 'float64', generator: new Generator(11) });
    const gru = new GRU({ inputSize: 4, hiddenSize: 3, dtype: 'float64' });
    gru.loadStateDict(Object.fromEntries(cell.namedParameters().map(([n, p]) => [`${n}_l0`, p])));
    const x = Tensor.randn([2, 4], { dtype: 'float64', generator: new Generator(12) });
    const h = Tensor.randn([2, 3], { dtype: 'float64', generator: new Generator(13) });
    const fromCell = cell.forward(x, h).dataSync();
    const fromGru = gru.forward(x.reshape([1, 2, 4]), { h0: h.reshape([1, 2, 3]) }).output.dataSync();
    compareArrays('cell vs gru', fromCell, fromGru, tight);
    const single = cell.forward(x.narrow(0, 0, 1).reshape([4]), h.narrow(0, 0, 1).reshape([3]));
    expect(single.shape).toEqual([3]);
    compareArrays('unbatched cell', single.dataSync(), fromCell.slice(0, 3), tight);
    const unbatched = gru.forward(x.narrow(0, 0, 1).reshape([1, 4]));
    expect(unbatched.output.shape).toEqual([1, 3]);
    expect(unbatched.hN.shape).toEqual([1, 3]);
    cell.dispose();
    gru.dispose();
  });

  it('one module serves changing batch sizes and sequence lengths (its packed configs are cached per shape)', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype: 'float64', generator: new Generator(12) });
    const state = gru.stateDict();
    for (const [seq, batch] of [[5, 2], [3, 3], [5, 2], [1, 1]]) {
      const fresh = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype: 'float64' });
      fresh.loadStateDict(state);
      const x = Tensor.randn([seq, batch, 3], { dtype: 'float64', generator: new Generator(seq * 10 + batch) });
      const reused = noGrad(() => gru.forward(x));
      const once = noGrad(() => fresh.forward(x));
      expect(reused.output.dataSync()).toEqual(once.output.dataSync());
      for (const t of [x, reused.output, reused.hN, once.output, once.hN]) t.dispose();
      fresh.dispose();
    }
    gru.dispose();
  });

  it('inference (noGrad) gives the training forward numbers', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: new Generator(14) });
    const x = Tensor.randn([5, 3, 3], { generator: new Generator(15) }).requiresGrad_();
    const training = gru.forward(x, { lengths: [5, 2, 4] });
    const inference = noGrad(() => gru.forward(x, { lengths: [5, 2, 4] }));
    expect(inference.output.requiresGrad).toBe(false);
    expect(training.output.requiresGrad).toBe(true);
    expect(inference.output.dataSync()).toEqual(training.output.dataSync());
    expect(inference.hN.dataSync()).toEqual(training.hN.dataSync());
    gru.dispose();
  });
});

describe('allowTF32', () => {
  it('is kept on the module and changes nothing on the CPU', () => {
    const make = (allowTF32: boolean): GRU => new GRU({ inputSize: 3, hiddenSize: 4, allowTF32, generator: new Generator(18) });
    const [strict, tf32] = [make(false), make(true)];
    const cell = new GRUCell({ inputSize: 1, hiddenSize: 1 });
    expect([strict.allowTF32, tf32.allowTF32, cell.allowTF32]).toEqual([false, true, false]);
    cell.dispose();
    const x = Tensor.randn([3, 2, 3], { generator: new Generator(19) });
    expect(tf32.forward(x).output.dataSync()).toEqual(strict.forward(x).output.dataSync());
    [strict, tf32].forEach((m) => m.dispose());
  });
});

describe('gradients', () => {
  it('accumulate across backward calls until zeroGrad()', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64', generator: new Generator(16) });
    const x = Tensor.randn([4, 1, 2], { dtype: 'float64', generator: new Generator(17) });
    sum(gru.forward(x).output).backward();
    const once = Float64Array.from(gru.flatWeights.grad!.dataSync());
    sum(gru.forward(x).output).backward();
    const twice = gru.flatWeights.grad!.dataSync();
    compareArrays('accumulated', twice, once.map((v) => 2 * v), tight);
    // Parameter gradients are views of the flat gradient.
    compareArrays('view', gru.parameters()[0].grad!.dataSync(), twice.slice(0, 18), tight);
    gru.zeroGrad();
    expect(gru.flatWeights.grad!.dataSync().every((v) => v === 0)).toBe(true);
    gru.dispose();
  });
});

describe('dropout between layers', () => {
  it('is active in training mode only, reproducible from the generator', () => {
    const make = (): GRU => new GRU({ inputSize: 3, hiddenSize: 8, numLayers: 2, dropout: 0.5, generator: new Generator(20) });
    const a = make();
    const b = make();
    const x = Tensor.randn([4, 2, 3], { generator: new Generator(21) });
    const ya = a.forward(x).output.dataSync();
    const yb = b.forward(x).output.dataSync();
    expect(ya).toEqual(yb);
    const again = a.forward(x).output.dataSync();
    expect(again).not.toEqual(ya);
    a.eval();
    const e1 = a.forward(x).output.dataSync();
    const e2 = a.forward(x).output.dataSync();
    expect(e1).toEqual(e2);
    const plain = new GRU({ inputSize: 3, hiddenSize: 8, numLayers: 2, generator: new Generator(20) });
    expect(plain.forward(x).output.dataSync()).toEqual(e1);
    [a, b, plain].forEach((m) => m.dispose());
  });
});

describe('bad input', () => {
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2 });

  it('names the argument and the expected and actual values', () => {
    expect(() => new GRU({ inputSize: 0, hiddenSize: 4 })).toThrow(/GRU options.inputSize must be an integer in \[1, 2147483647\] \(32-bit BLAS dimensions\), got 0/);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, dropout: 1 })).toThrow(/options.dropout must be a number in \[0, 1\), got 1/);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, dtype: 'int32' as never })).toThrow(ArgumentError);
    expect(() => new GRU(undefined as never)).toThrow(/GRU needs an options object/);
    expect(() => new GRUCell({ inputSize: 3, hiddenSize: 4, numLayers: 2 } as never)).toThrow(/GRUCell options: unknown option "numLayers"/);
    expect(() => gru.forward(Tensor.zeros([5, 3]).reshape([15]))).toThrow(/x must have 2 or 3 dimensions, got shape \[15\]/);
    expect(() => gru.forward(Tensor.zeros([5, 2, 4]))).toThrow(/x must have 3 features in its last dimension \(inputSize\), got shape \[5, 2, 4\]/);
    expect(() => gru.forward(Tensor.zeros([5, 2, 3], { dtype: 'float64' }))).toThrow(DTypeError);
    expect(() => gru.forward(Tensor.zeros([5, 2, 3]), { h0: Tensor.zeros([1, 2, 4]) })).toThrow(/options.h0 must have shape \[2, 2, 4\], got \[1, 2, 4\]/);
    expect(() => gru.forward(Tensor.zeros([5, 2, 3]), { lengths: [5] })).toThrow(/one entry per sequence \(batch 2\), got 1/);
    expect(() => gru.forward(Tensor.zeros([5, 2, 3]), { lengths: [5, 6] })).toThrow(/lengths\[1\] must be an integer in \[1, 5\]/);
    expect(() => gru.forward(Tensor.zeros([5, 2, 3]), { lengths: [0, 2] })).toThrow(ArgumentError);
    expect(() => gru.forward(Tensor.zeros([5, 2, 3]), { lengths: 'x' as never })).toThrow(ArgumentError);
    expect(() => gru.forward(Tensor.zeros([0, 2, 3]))).toThrow(/at least one step/);
    expect(() => gru.forward('x' as never)).toThrow(/GRU.forward x must be a Tensor/);
    expect(() => gru.step(Tensor.zeros([2, 3]), Tensor.zeros([2, 3, 4]))).toThrow(/state must have shape \[2, 2, 4\]/);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true }).step(Tensor.zeros([3]))).toThrow(/bidirectional GRU needs the whole sequence/);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, device: 'gpu' as never })).toThrow(DeviceError);
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, allowTF32: 1 as never })).toThrow(/GRU options.allowTF32 must be a boolean, got 1/);
  });

  it('refuses use after dispose and leaks nothing', () => {
    const start = settled();
    const m = new GRU({ inputSize: 3, hiddenSize: 4 });
    const x = Tensor.zeros([2, 1, 3]).requiresGrad_();
    const inference = noGrad(() => m.forward(x));
    inference.output.dispose();
    inference.hN.dispose();
    // Backward frees what the tape saved (views of x and the weights, the reserve).
    const { output, hN } = m.forward(x, { lengths: [1] });
    const loss = sum(output);
    loss.backward();
    for (const t of [output, hN, loss, x.grad!, x]) t.dispose();
    m.dispose();
    m.dispose();
    const probe = Tensor.zeros([2, 1, 3]);
    expect(() => m.forward(probe)).toThrow(DisposedError);
    probe.dispose();
    // Queued ops hold what they use until they have run.
    expect(settled()).toEqual(start);
  });

  it('propagates NaN like PyTorch (inputs are not scanned)', () => {
    const x = Tensor.from([Number.NaN, 0, 0], [1, 1, 3]);
    const { output } = noGrad(() => gru.forward(x));
    expect(Array.from(output.dataSync()).some(Number.isNaN)).toBe(true);
  });

  it('ShapeError is the class for shape problems', () => {
    expect(() => gru.forward(Tensor.zeros([5, 2, 4]))).toThrow(ShapeError);
  });
});

describe('small ops run inline only when the stream is idle', () => {
  it('a streaming step queued behind a large op still sees its result', () => {
    const gru = new GRU({ inputSize: 256, hiddenSize: 8, generator: new Generator(30) });
    const expected = noGrad(() => {
      const big = Tensor.randn([8192, 256], { generator: new Generator(31) });
      big.dataSync();
      const out = gru.step(big.narrow(0, 0, 1)).output.dataSync();
      big.dispose();
      return out;
    });
    // Now without waiting: the draw is still running when step() is called.
    const big = Tensor.randn([8192, 256], { generator: new Generator(31) });
    const out = noGrad(() => gru.step(big.narrow(0, 0, 1)).output.dataSync());
    expect(out).toEqual(expected);
    big.dispose();
    gru.dispose();
  });
});

describe('frozen weights and the gradient sink', () => {
  it('with every parameter frozen, backward gives x its gradient and leaves the weight gradient untouched', () => {
    const make = () => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype: 'float64', generator: new Generator(40) });
    const x = Tensor.randn([5, 2, 3], { dtype: 'float64', generator: new Generator(41) });
    const trained = make();
    const xa = x.detach().requiresGrad_();
    sum(trained.forward(xa).output).backward();
    const frozen = make();
    for (const p of frozen.parameters()) p.requiresGrad = false;
    const xb = x.detach().requiresGrad_();
    const loss = sum(frozen.forward(xb).output);
    loss.backward();
    expect(Array.from(xb.grad!.dataSync())).toEqual(Array.from(xa.grad!.dataSync()));
    expect(frozen.flatWeights.grad!.dataSync().every((g) => g === 0)).toBe(true);
    expect(trained.flatWeights.grad!.dataSync().some((g) => g !== 0)).toBe(true);
    // With x frozen too there is nothing to differentiate: the forward records nothing.
    const none = frozen.forward(x);
    expect(none.output.requiresGrad).toBe(false);
    for (const t of [x, xa, xb, xa.grad!, xb.grad!, loss, none.output, none.hN]) t.dispose();
    trained.dispose();
    frozen.dispose();
  });

  it('the weight gradient goes straight into the flat gradient buffer every parameter views', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64', generator: new Generator(42) });
    const grads = gru.parameters().map((p) => p.grad!);
    const x = Tensor.randn([4, 1, 2], { dtype: 'float64', generator: new Generator(43) });
    const loss = sum(gru.forward(x).output);
    loss.backward();
    expect(gru.parameters().map((p) => p.grad)).toEqual(grads); // the same tensors, filled in place
    const flat = Array.from(gru.flatWeights.grad!.dataSync());
    const joined = grads.flatMap((g) => Array.from(g.dataSync()));
    expect(joined).toEqual(flat);
    for (const t of [x, loss]) t.dispose();
    gru.dispose();
  });
});

describe('GRU activations', () => {
  it('take Keras and TF.js activations by name, expose them, and refuse unknown names', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, activation: 'relu', recurrentActivation: 'hardSigmoid' });
    expect(gru.activation).toBe('relu');
    expect(gru.recurrentActivation).toBe('hardSigmoid');
    expect(new GRU({ inputSize: 3, hiddenSize: 4 }).activation).toBe('tanh');
    expect(() => new GRU({ inputSize: 3, hiddenSize: 4, activation: 'elu' as never }))
      .toThrow(/GRU options\.activation must be one of 'tanh', 'sigmoid', 'relu', 'linear', 'hardSigmoid', 'hardSigmoidTfjs', got "elu"/);
    // A relu GRU's outputs are h = (1 - z) n + z h_prev with n >= 0: from a zero state, never negative.
    const x = Tensor.randn([5, 2, 3]);
    const { output, hN } = noGrad(() => gru.forward(x));
    expect(Array.from(output.dataSync()).every((v) => v >= 0)).toBe(true);
    for (const t of [x, output, hN]) t.dispose();
    gru.dispose();
  });

  it('linear candidate with sigmoid gates is one step of h = (1 - z) a_n + z h_prev, checked by hand', () => {
    // inputSize 1, hiddenSize 1: every weight 0.5, no bias; x = 2, h0 = 1.
    const gru = new GRU({ inputSize: 1, hiddenSize: 1, bias: false, activation: 'linear', dtype: 'float64' });
    noGrad(() => gru.flatWeights.fill_(0.5));
    const x = Tensor.from([[[2]]], undefined, { dtype: 'float64' });
    const h0 = Tensor.from([[[1]]], undefined, { dtype: 'float64' });
    const { output } = noGrad(() => gru.forward(x, { h0 }));
    const r = 1 / (1 + Math.exp(-1.5)), z = r;
    const n = 0.5 * 2 + r * 0.5 * 1;
    expect(output.dataSync()[0]).toBeCloseTo((1 - z) * n + z * 1, 14);
    for (const t of [x, h0, output]) t.dispose();
    gru.dispose();
  });
});
