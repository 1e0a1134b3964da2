/**
 * Bad inputs to the training stack: typed errors naming the argument, the expected and the
 * actual value, and no corrupted state afterwards. Index checks run on the device's stream, so
 * their errors surface at the next op or read.
 */
import { describe, expect, it } from 'vitest';

import {
  ArgumentError, DTypeError, DeviceError, Embedding, Linear, ShapeError, Tensor, backends, clipGradNorm, clipGradValue, losses, optim,
} from '../lib/index';

const cuda = backends().find((b) => b.name === 'cuda')!;
const i32 = (values: number[]) => Tensor.from(values, [values.length], { dtype: 'int32' });

describe('training bad inputs', () => {
  it('a class label out of range fails the loss with an ArgumentError naming it, and the stream recovers', () => {
    const logits = Tensor.randn([3, 4]);
    // The check runs with the op on the CPU stream: the error comes from the call or the read.
    expect(() => losses.crossEntropy(logits, i32([0, 4, 1])).dataSync()).toThrow(ArgumentError);
    const ok = losses.crossEntropy(logits, i32([0, 3, 1]));
    expect(Number.isFinite(ok.itemSync())).toBe(true);
    expect(() => losses.nllLoss(logits, i32([-5, 0, 0])).dataSync()).toThrow(/target contains class -5 \(at row 0\), out of range for 4 classes/);
  });

  it('an embedding index out of range is an ArgumentError naming the input and the index', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 2 });
    expect(() => emb.forward(i32([1, 5])).dataSync()).toThrow(/Embedding\.forward input \(numEmbeddings 5\) contains index 5 \(at flat position 1\), out of range for a dimension of size 5/);
    expect(Array.from(emb.forward(i32([4, 0])).dataSync())).toHaveLength(4);
    expect(() => emb.forward(Tensor.zeros([2]))).toThrow(/Embedding\.forward input must be int32 indices, got float32/);
    emb.dispose();
  });

  it('binaryCrossEntropy refuses probabilities outside [0, 1] as torch does (when the op runs)', () => {
    expect(() => losses.binaryCrossEntropy(Tensor.from([0.5, -0.5]), Tensor.from([1, 0])).dataSync())
      .toThrow(/binaryCrossEntropy\(\): input must hold probabilities in \[0, 1\], got -0\.5.* at flat position 1/);
    expect(() => losses.binaryCrossEntropy(Tensor.from([0.5]), Tensor.from([2])).dataSync()).toThrow(/target must hold values in \[0, 1\]/);
    expect(losses.binaryCrossEntropy(Tensor.from([0, 1]), Tensor.from([0, 1])).itemSync()).toBeCloseTo(0, 12);
  });

  it('predictions and targets that do not match are typed errors', () => {
    const p = Tensor.rand([4, 2]);
    expect(() => losses.binaryCrossEntropy(p, Tensor.rand([4]))).toThrow(ShapeError);
    expect(() => losses.mse(p, Tensor.rand([4, 2], { dtype: 'float64' }) as never)).toThrow(DTypeError);
    expect(() => losses.crossEntropy(p, Tensor.zeros([4]))).toThrow(/a target of class probabilities must have input's shape \[4, 2\], got \[4\]/);
    expect(() => losses.nllLoss(p, Tensor.zeros([4]) as never)).toThrow(/nllLoss\(\): target must hold int32 class indices, got float32/);
    expect(() => losses.crossEntropy(p, i32([0, 1, 0, 1]), { weight: Tensor.ones([3]) })).toThrow(/options\.weight must be \[2\] \(one per class\), got \[3\]/);
    expect(() => losses.mse(p, p, { reduction: 'avg' as never })).toThrow(/reduction must be 'none', 'mean' or 'sum', got "avg"/);
  });

  it("Adam and AdamW take torch's betas pair, for the optimizer and for each param group", () => {
    const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
    const adam = new optim.Adam([{ params: [layer.weight], betas: [0.5, 0.75] }, { params: [layer.bias!] }], { betas: [0.8, 0.95] });
    expect(adam.paramGroups.map((g) => [g.options.beta1, g.options.beta2])).toEqual([[0.5, 0.75], [0.8, 0.95]]);
    const adamW = new optim.AdamW(layer.parameters(), { lr: 0.01, betas: [0.85, 0.9] });
    expect([adamW.paramGroups[0].options.beta1, adamW.paramGroups[0].options.beta2]).toEqual([0.85, 0.9]);
    for (const o of [adam, adamW]) o.dispose();
    layer.dispose();
  });

  it('optimizers refuse a parameter given twice, non-leaves, int32 tensors and unknown options', () => {
    const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
    expect(() => new optim.SGD([layer.weight, layer.weight])).toThrow(/SGD: params\[0\]\.params\[1\] appears more than once/);
    expect(() => new optim.Adam([{ params: [layer.weight] }, { params: [layer.weight] }])).toThrow(/appears more than once/);
    expect(() => new optim.Adam(layer.parameters(), { betas: [0.9, 0.99], beta2: 0.9 })).toThrow(/Adam options: give betas or beta1 and beta2, not both/);
    expect(() => new optim.AdamW(layer.parameters(), { betas: [0.9] as never })).toThrow(/AdamW options\.betas must be a pair \[beta1, beta2\], got/);
    expect(() => new optim.Adam(layer.parameters(), { betas: [0.9, 1] })).toThrow(/beta2 must be in \[0, 1\), got 1/);
    expect(() => new optim.Adam(layer.parameters(), { gammas: [0.9, 0.99] } as never)).toThrow(/unknown option "gammas"/);
    expect(() => new optim.Adam(layer.parameters(), { beta1: 1 })).toThrow(/beta1 must be in \[0, 1\), got 1/);
    expect(() => new optim.SGD(layer.parameters(), { nesterov: true })).toThrow(/nesterov needs momentum > 0 and dampening 0/);
    expect(() => new optim.SGD([Tensor.zeros([2], { dtype: 'int32' })])).toThrow(DTypeError);
    const computed = layer.weight.mul(2);
    expect(() => new optim.SGD([computed])).toThrow(/is not a leaf tensor/);
    expect(() => new optim.SGD([])).toThrow(/params is empty/);
    layer.dispose();
  });

  it('Adagrad refuses negative options and unknown option names, as torch does', () => {
    const p = Tensor.zeros([2]).requiresGrad_();
    expect(() => new optim.Adagrad([p], { lr: -0.01 })).toThrow(/Adagrad options lr must be >= 0, got -0\.01/);
    expect(() => new optim.Adagrad([p], { lrDecay: -1 })).toThrow(/Adagrad options lrDecay must be >= 0, got -1/);
    expect(() => new optim.Adagrad([p], { weightDecay: -0.1 })).toThrow(/Adagrad options weightDecay must be >= 0/);
    expect(() => new optim.Adagrad([p], { initialAccumulatorValue: -1 })).toThrow(/Adagrad options initialAccumulatorValue must be >= 0, got -1/);
    expect(() => new optim.Adagrad([p], { eps: Number.NaN })).toThrow(/Adagrad options eps must be a finite number, got NaN/);
    expect(() => new optim.Adagrad([p], { lr_decay: 0.1 } as never)).toThrow(/Adagrad options: unknown option "lr_decay"; did you mean "lrDecay"\?/);
    expect(() => new optim.Adagrad([{ params: [p], initialAccumulatorValue: -2 }])).toThrow(/initialAccumulatorValue must be >= 0, got -2/);
    // Refused options leave nothing behind: the same parameter steps with a fresh optimizer (sum 1 + g^2 = 2, p = -lr g / (sqrt(2) + eps)).
    const opt = new optim.Adagrad([p], { lr: 0.5, initialAccumulatorValue: 1 });
    p.grad = Tensor.from([1, -1]);
    opt.step();
    Array.from(p.dataSync()).forEach((v, i) => expect(v).toBeCloseTo((-0.5 * [1, -1][i]) / Math.SQRT2, 6));
    opt.dispose();
    p.grad.dispose();
    p.dispose();
  });

  it.skipIf(!cuda.available)('binaryCrossEntropy on cuda refuses values outside [0, 1] with the first position, and the stream recovers', () => {
    const on = (values: number[]) => Tensor.from(values, undefined, { device: 'cuda' });
    expect(() => losses.binaryCrossEntropy(on([0.5, 0.2, -0.5, 2]), on([1, 0, 0, 1])).dataSync())
      .toThrow(/binaryCrossEntropy\(\): input must hold probabilities in \[0, 1\].*\(the first outside at flat position 2\)$/);
    expect(() => losses.binaryCrossEntropy(on([0.5, NaN]), on([1, 0])).dataSync()).toThrow(/flat position 1/);
    expect(() => losses.binaryCrossEntropy(on([0.5]), on([2])).dataSync()).toThrow(/target values in \[0, 1\]/);
    expect(losses.binaryCrossEntropy(on([0, 1]), on([0, 1])).itemSync()).toBeCloseTo(0, 12);
    expect(losses.mse(on([1, 2]), on([1, 4])).itemSync()).toBeCloseTo(2, 6);
    const classes = Tensor.from([2, -1, 7], undefined, { dtype: 'int32', device: 'cuda' });
    expect(() => losses.nllLoss(on([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).reshape([3, 4]), classes).dataSync())
      .toThrow(/^target contains class -1 \(at row 1\), out of range for 4 classes$/);
  });

  it.skipIf(!cuda.available)('an embedding index out of range on cuda names the first bad index as on the CPU, and the stream recovers', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 2 });
    emb.to('cuda');
    const ids = (values: number[]) => Tensor.from(values, undefined, { dtype: 'int32', device: 'cuda' });
    expect(() => emb.forward(ids([1, 9, -2])).dataSync()).toThrow(/Embedding\.forward input \(numEmbeddings 5\) contains index 9 \(at flat position 1\), out of range for a dimension of size 5$/);
    expect(Array.from(emb.forward(ids([4, 0])).dataSync())).toHaveLength(4);
    emb.dispose();
  });

  it.skipIf(!cuda.available)('an optimizer refuses parameters on two devices', () => {
    const a = Tensor.zeros([2]).requiresGrad_();
    const b = Tensor.zeros([2], { device: 'cuda' }).requiresGrad_();
    expect(() => new optim.SGD([a, b])).toThrow(DeviceError);
  });

  it('cast: float64 -> float32 carries the gradient back in float64; int32 conversions saturate and are not differentiable', () => {
    const x = Tensor.from([1.5, -2.25, 3], undefined, { dtype: 'float64' }).requiresGrad_();
    const y = x.float();
    expect(y.dtype).toBe('float32');
    const loss = y.mul(Tensor.from([1, 2, 3])).sum();
    loss.backward();
    expect(x.grad!.dtype).toBe('float64');
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 2, 3]);
    const i = Tensor.from([2.7, -2.7, 1e10, -1e10, NaN]).int();
    expect(Array.from(i.dataSync())).toEqual([2, -2, 2147483647, -2147483648, -2147483648]);
    expect(i.requiresGrad).toBe(false);
    expect(() => Tensor.zeros([1]).toDType('int64' as never)).toThrow(/cast\(\): dtype must be/);
  });

  it('clipGradValue clamps every gradient element in place, and refuses a negative value', () => {
    const p = Tensor.zeros([4]).requiresGrad_();
    p.grad = Tensor.from([-3, -0.5, 0.25, 7]);
    clipGradValue([p], 1);
    expect(Array.from(p.grad.dataSync())).toEqual([-1, -0.5, 0.25, 1]);
    expect(() => clipGradValue([p], -1)).toThrow(/clipGradValue\(\): clipValue must be >= 0, got -1/);
    p.grad.dispose();
    p.dispose();
  });

  it('clipGradNorm refuses bad norms and can fail on a non-finite norm', () => {
    const p = Tensor.zeros([2]).requiresGrad_();
    p.grad = Tensor.from([Infinity, 1]);
    expect(() => clipGradNorm([p], 1, { normType: -1 })).toThrow(/normType must be a number > 0 or Infinity, got -1/);
    expect(() => clipGradNorm([p], 1, { errorIfNonfinite: true })).toThrow(/total norm of order 2 of the gradients is Infinity/);
    const total = clipGradNorm([p], 1);
    expect(total.itemSync()).toBe(Infinity);
    // torch: an infinite norm makes the coefficient 0, so finite entries become 0 and infinite ones NaN.
    expect(Array.from(p.grad.dataSync())).toEqual([NaN, 0]);
  });
});
