import { describe, expect, it } from 'vitest';

import { noGrad } from '../lib/autograd/grad-mode';
import { ArgumentError, DTypeError, DeviceError, ShapeError, Tensor, memory } from '../lib/index';
import { mse } from '../lib/losses';
import { add, div, mul, neg, scale, sub } from '../lib/ops/arithmetic';
import { mean, sum } from '../lib/ops/reduce';
import { matmul } from '../lib/ops/matmul';
import { gradcheck } from './helpers/gradcheck';
import { liveTensors } from './helpers/live';

const randn = (shape: number[], seed: number): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed;
  const data = Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
  return Tensor.from(data, shape);
};

describe('finite-difference gradient checks (float64)', () => {
  it('add, sub, mul, div with same shapes and a broadcast scalar', () => {
    const a = randn([2, 3], 1);
    const b = add(randn([2, 3], 2), 2); // keep divisors away from 0
    const s = Tensor.from([1.7], [1], { dtype: 'float64' });
    gradcheck(([x, y]) => sum(mul(add(x, y), sub(x, y))), [a, b]);
    gradcheck(([x, y]) => sum(div(x, y)), [a, b]);
    gradcheck(([x, k]) => sum(mul(div(x, k), add(x, k))), [a, s]);
    gradcheck(([x]) => mean(mul(scale(x, 3), neg(x))), [a]);
    gradcheck(([x]) => sum(mul(add(x, 1), sub(x, 2.5))), [a]);
  });

  it('matmul and mse', () => {
    const a = randn([3, 4], 3);
    const b = randn([4, 2], 4);
    const t = randn([3, 2], 5);
    gradcheck(([x, y]) => sum(mul(matmul(x, y), matmul(x, y))), [a, b]);
    gradcheck(([x, y, z]) => mse(matmul(x, y), z), [a, b, t]);
  });
});

describe('the tape', () => {
  it('accumulates gradients across backward calls and through shared inputs', () => {
    const x = Tensor.from([1, 2, 3], undefined, { dtype: 'float64' }).requiresGrad_();
    sum(mul(x, x)).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6]);
    sum(add(x, x)).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([4, 6, 8]);
  });

  it('records nothing under noGrad and refuses backward without grad', () => {
    const x = Tensor.from([1, 2], undefined, { dtype: 'float64' }).requiresGrad_();
    const y = noGrad(() => sum(mul(x, x)));
    expect(y.requiresGrad).toBe(false);
    expect(() => y.backward()).toThrow(ArgumentError);
    expect(() => noGrad(async () => 1)).toThrow(/synchronous/);
  });

  it('needs a scalar or an explicit gradient, and frees the tape', () => {
    const x = Tensor.from([1, 2], undefined, { dtype: 'float64' }).requiresGrad_();
    const y = mul(x, x);
    expect(() => y.backward()).toThrow(ShapeError);
    y.backward(Tensor.from([1, 10], undefined, { dtype: 'float64' }));
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 40]);
    expect(() => y.backward(Tensor.from([1, 1], undefined, { dtype: 'float64' }))).toThrow(/a second time/);
    const z = mul(x, 3);
    z.backward(Tensor.ones([2], { dtype: 'float64' }), { retainGraph: true });
    z.backward(Tensor.ones([2], { dtype: 'float64' }));
    expect(Array.from(x.grad!.dataSync())).toEqual([8, 46]);
  });

  it('leaves no tensors behind after backward', () => {
    const start = memory().tensors;
    const a = Tensor.from([[1, 2], [3, 4]], undefined, { dtype: 'float64' }).requiresGrad_();
    const b = Tensor.from([[0.5, 1], [2, 3]], undefined, { dtype: 'float64' });
    const loss = mse(matmul(a, b), b);
    loss.backward();
    loss.dispose();
    a.grad!.dispose();
    a.dispose();
    b.dispose();
    // matmul's output was not disposed by us: it is the one live tensor left.
    expect(memory().tensors).toBeLessThanOrEqual(start + 1);
  });

  it('rejects mismatched operands with typed errors', () => {
    const f32 = Tensor.zeros([2]);
    const f64 = Tensor.zeros([2], { dtype: 'float64' });
    expect(() => add(f32, f64)).toThrow(DTypeError);
    expect(() => add(f32, Tensor.zeros([3]))).toThrow(/add\(\): a \[2\] and b \[3\] cannot be broadcast together/);
    expect(() => matmul(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))).toThrow(/needs a \[\.\.\., m, k\] and b \[\.\.\., k, n\] \(or vectors of k\), got a \[2, 3\] and b \[2, 3\]/);
    expect(() => mse(f32, Tensor.zeros([3]))).toThrow(/target must have input's shape \[2\], got \[3\]/);
    expect(() => sum(Tensor.zeros([2], { dtype: 'int32' }))).toThrow(DTypeError);
    expect(() => add(f32, 'x' as never)).toThrow(ArgumentError);
    expect(() => Tensor.zeros([1], { dtype: 'int32' }).requiresGrad_()).toThrow(DTypeError);
    expect(DeviceError).toBeDefined();
  });
});


describe('views on the tape', () => {
  it('reshape and narrow backward leave no handles behind', () => {
    const start = liveTensors();
    const x = Tensor.from([[1, 2], [3, 4], [5, 6]], undefined, { dtype: 'float64' }).requiresGrad_();
    for (let i = 0; i < 10; i++) {
      const r = x.reshape([6]);
      const n = x.narrow(0, 1, 2);
      const squares = mul(r, r);
      const [a, b] = [sum(squares), sum(n)];
      const loss = add(a, b);
      loss.backward();
      for (const t of [r, n, squares, a, b, loss]) t.dispose();
    }
    expect(Array.from(x.grad!.dataSync())).toEqual([20, 40, 70, 90, 110, 130]);
    x.grad!.dispose();
    x.dispose();
    expect(liveTensors()).toBe(start);
  });
});
