/** max()/min() of a whole tensor send the gradient evenly to every element equal to the result, as torch does; along a dim, to the indexed one. */
import { describe, expect, it } from 'vitest';

import { Tensor, max, min, mul, sum } from '../../lib/index';

describe('max() and min() over a whole tensor', () => {
  it('spread the gradient evenly over ties', () => {
    const x = Tensor.from([[1, 3, 3], [3, -2, 0]], undefined, { dtype: 'float64' }).requiresGrad_();
    const m = max(x);
    expect(m.itemSync()).toBe(3);
    mul(m, Tensor.from(6, undefined, { dtype: 'float64' })).backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([0, 2, 2, 2, 0, 0]);
    const y = Tensor.from([5, -1, 4, -1], undefined, { dtype: 'float64' }).requiresGrad_();
    min(y).backward();
    expect(Array.from(y.grad!.dataSync())).toEqual([0, 0.5, 0, 0.5]);
  });

  it('along a dim, still send it to the element the index names', () => {
    const x = Tensor.from([[2, 2, 1]], undefined, { dtype: 'float64' }).requiresGrad_();
    const { values, indices } = max(x, 1);
    sum(values).backward();
    expect(Array.from(indices.dataSync())).toEqual([0]);
    expect(Array.from(x.grad!.dataSync())).toEqual([1, 0, 0]);
  });
});
