import { describe, expect, it } from 'vitest';

import { ArgumentError, DTypeError, Generator, Tensor, manualSeed } from '../lib/index';

describe('Philox generator', () => {
  it('matches the Philox4x32-10 known answer for counter 0, key 0', () => {
    // Random123 known-answer vector: ctr {0,0,0,0}, key {0,0} -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
    const words = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];
    const t = Tensor.rand([4], { generator: new Generator(0) });
    expect(Array.from(t.dataSync())).toEqual(words.map((w) => Math.fround((w >>> 8) / 16777216)));
    t.dispose();
  });

  it('is reproducible from a seed and advances between draws', () => {
    const g1 = new Generator(1234);
    const g2 = new Generator(1234);
    const a = Tensor.randn([100], { generator: g1 });
    const b = Tensor.randn([100], { generator: g2 });
    expect(a.dataSync()).toEqual(b.dataSync());
    const c = Tensor.randn([100], { generator: g1 });
    expect(c.dataSync()).not.toEqual(a.dataSync());
    expect(g1.offset).toBe(200);
    const state = g1.getState();
    const d = Tensor.rand([7], { generator: g1 });
    g1.setState(state);
    const e = Tensor.rand([7], { generator: g1 });
    expect(e.dataSync()).toEqual(d.dataSync());
    for (const t of [a, b, c, d, e]) t.dispose();
  });

  it('manualSeed resets the default generator', () => {
    manualSeed(7);
    const a = Tensor.rand([5], { dtype: 'float64' });
    manualSeed(7);
    const b = Tensor.rand([5], { dtype: 'float64' });
    expect(a.dataSync()).toEqual(b.dataSync());
    a.dispose();
    b.dispose();
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`draws ${dtype} uniform and normal values with the right statistics`, () => {
      const g = new Generator(99);
      const n = 200_000;
      const u = Tensor.rand([n], { dtype, low: -2, high: 3, generator: g }).dataSync();
      let min = Infinity, max = -Infinity, sum = 0;
      for (const v of u) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
      expect(min).toBeGreaterThanOrEqual(-2);
      expect(max).toBeLessThan(3);
      expect(sum / n).toBeCloseTo(0.5, 1.5);
      const z = Tensor.randn([n], { dtype, mean: 1, std: 2, generator: g }).dataSync();
      let s = 0, s2 = 0;
      for (const v of z) { s += v; s2 += v * v; }
      const mean = s / n;
      const std = Math.sqrt(s2 / n - mean * mean);
      expect(Math.abs(mean - 1)).toBeLessThan(0.03);
      expect(Math.abs(std - 2)).toBeLessThan(0.03);
      expect(z.every(Number.isFinite)).toBe(true);
    });
  }

  it('gives an odd-length normal draw the same prefix as the even one', () => {
    const a = Tensor.randn([5], { generator: new Generator(3) });
    const b = Tensor.randn([6], { generator: new Generator(3) });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()).slice(0, 5));
    a.dispose();
    b.dispose();
  });

  it('rejects bad seeds, ranges and dtypes', () => {
    expect(() => new Generator(-1)).toThrow(ArgumentError);
    expect(() => new Generator(1.5)).toThrow(/seed must be a non-negative integer/);
    expect(() => new Generator(2n ** 64n)).toThrow(ArgumentError);
    expect(() => Tensor.rand([2], { low: 1, high: 0 })).toThrow(/options.high \(0\) must be >= options.low \(1\)/);
    expect(() => Tensor.randn([2], { std: Number.NaN })).toThrow(/options.std must be a finite number, got NaN/);
    expect(() => Tensor.rand([2], { dtype: 'int32' })).toThrow(DTypeError);
  });
});
