/** scope(fn): disposes what fn made and did not return; keep(); refuses async functions. */
import { describe, expect, it } from 'vitest';

import { ArgumentError, GRU, Tensor, keep, memory, scope, sum } from '../lib/index';

describe('scope()', () => {
  it('disposes every tensor made inside except those returned, found in arrays and objects', () => {
    const start = memory().tensors;
    const result = scope(() => {
      const a = Tensor.ones([3]);
      const b = a.add(1);
      const c = b.mul(2);
      return { c, list: [b], note: 'not a tensor' };
    });
    expect(memory().tensors).toBe(start + 2);
    expect(Array.from(result.c.dataSync())).toEqual([4, 4, 4]);
    expect(result.list[0].disposed).toBe(false);
    result.c.dispose();
    result.list[0].dispose();
    expect(memory().tensors).toBe(start);
  });

  it('moves returned tensors to the enclosing scope, and leaves tensors made outside alone', () => {
    const outside = Tensor.zeros([2]);
    let inner!: Tensor;
    const start = memory().tensors;
    scope(() => {
      inner = scope(() => outside.add(1));
      expect(inner.disposed).toBe(false);
      return undefined;
    });
    expect(inner.disposed).toBe(true);
    expect(outside.disposed).toBe(false);
    expect(memory().tensors).toBe(start);
    outside.dispose();
  });

  it('keeps what keep() exempts, module parameters and the gradients backward() makes', () => {
    const start = memory().tensors;
    const gru = scope(() => new GRU({ inputSize: 2, hiddenSize: 3 }));
    const x = Tensor.ones([2, 1, 2]).requiresGrad_();
    const kept = scope(() => {
      const k = keep(Tensor.ones([1]));
      sum(gru.forward(x).output).backward();
      return k;
    });
    expect(kept.disposed).toBe(false);
    expect(x.grad?.disposed).toBe(false);
    expect(gru.flatWeights.disposed).toBe(false);
    expect(gru.parameters().every((p) => !p.disposed)).toBe(true);
    for (const t of [kept, x.grad!, x]) t.dispose();
    gru.dispose();
    expect(memory().tensors).toBe(start);
  });

  it('a loss returned from a scope can still run backward: what the tape saved is not the scope\'s', () => {
    const w = Tensor.from([1, 2], undefined, { dtype: 'float64' }).requiresGrad_();
    const loss = scope(() => w.mul(w).sum());
    loss.backward();
    expect(Array.from(w.grad!.dataSync())).toEqual([2, 4]);
    for (const t of [loss, w.grad!, w]) t.dispose();
  });

  it('disposes everything when fn throws, and rethrows', () => {
    const start = memory().tensors;
    expect(() => scope(() => {
      Tensor.ones([4]);
      throw new Error('boom');
    })).toThrow('boom');
    expect(memory().tensors).toBe(start);
  });

  it('refuses async functions before running them, and promise results after cleaning up', () => {
    const start = memory().tensors;
    let ran = false;
    expect(() => scope((async () => { ran = true; }) as never)).toThrow(/scope\(\) takes a synchronous function: an async function creates tensors after its first await/);
    expect(ran).toBe(false);
    expect(() => scope(() => { Tensor.ones([1]); return Promise.resolve(1); })).toThrow(/returned a promise/);
    expect(memory().tensors).toBe(start);
    expect(() => scope('x' as never)).toThrow(ArgumentError);
  });
});
