/** where(): a selection, as torch.where: the values it picks come through exactly, whatever the other branch holds, with gradients to each side. */
import { describe, expect, it } from 'vitest';

import { DTypeError, Tensor, memory, sum, where } from '../../lib/index';

describe('where()', () => {
  it('passes the chosen values through exactly, across magnitudes and dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const c = Tensor.from([1, 0, 1, 0], undefined, { dtype });
      const a = Tensor.from([1e-20, 3, -7.25e30, 0.1], undefined, { dtype });
      const b = Tensor.from([1, 1e-30, 2, -5e20], undefined, { dtype });
      const expected = Array.from(Tensor.from([1e-20, 1e-30, -7.25e30, -5e20], undefined, { dtype }).dataSync());
      expect(Array.from(where(c, a, b).dataSync())).toEqual(expected);
      expect(Array.from(where(c, a, 1e-25).dataSync())).toEqual(
        Array.from(Tensor.from([1e-20, 1e-25, -7.25e30, 1e-25], undefined, { dtype }).dataSync()));
    }
  });

  it('never lets an infinity or NaN in the branch not taken reach the result or the gradients', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const c = Tensor.from([1, 0, 1, 0, 1], undefined, { dtype });
      const a = Tensor.from([2, Infinity, -0, NaN, -Infinity], undefined, { dtype }).requiresGrad_();
      const b = Tensor.from([-Infinity, 3, NaN, -0, 5], undefined, { dtype }).requiresGrad_();
      const out = where(c, a, b);
      const values = Array.from(out.dataSync());
      expect(values).toEqual([2, 3, -0, -0, -Infinity]);
      expect(Object.is(values[2], -0) && Object.is(values[3], -0)).toBe(true);
      // The masking idiom: -inf where the mask is off, the logit where it is on.
      expect(Array.from(where(c, a, -Infinity).dataSync())).toEqual([2, -Infinity, -0, -Infinity, -Infinity]);
      sum(out).backward();
      expect(Array.from(a.grad!.dataSync())).toEqual([1, 0, 1, 0, 1]);
      expect(Array.from(b.grad!.dataSync())).toEqual([0, 1, 0, 1, 0]);
    }
  });

  it('broadcasts and sends the gradient to the side each element came from', () => {
    const c = Tensor.from([[1, 0, 1]], undefined, { dtype: 'float64' });
    const a = Tensor.from([[1, 2, 3], [4, 5, 6]], undefined, { dtype: 'float64' }).requiresGrad_();
    const b = Tensor.from([10, 20, 30], undefined, { dtype: 'float64' }).requiresGrad_();
    const out = where(c, a, b);
    expect(out.shape).toEqual([2, 3]);
    expect(Array.from(out.dataSync())).toEqual([1, 20, 3, 4, 20, 6]);
    sum(out).backward();
    expect(Array.from(a.grad!.dataSync())).toEqual([1, 0, 1, 1, 0, 1]);
    expect(Array.from(b.grad!.dataSync())).toEqual([0, 2, 0]);
  });

  it('refuses a b of another dtype, naming it, and leaves no tensor behind', () => {
    const c = Tensor.from([1, 0]);
    const a = Tensor.from([1, 2]);
    const b = Tensor.from([3, 4], undefined, { dtype: 'float64' });
    const before = memory().tensors;
    expect(() => where(c, a, b)).toThrow(DTypeError);
    expect(() => where(c, a, b)).toThrow(/where\(\): b/);
    expect(memory().tensors).toBe(before);
  });
});
