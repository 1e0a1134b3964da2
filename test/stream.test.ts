import { describe, expect, it } from 'vitest';

import { Generator, Tensor, memory } from '../lib/index';

describe('the CPU stream', () => {
  it('runs ops in order and data() resolves with the last write', async () => {
    const t = Tensor.zeros([1000]);
    const expected = Tensor.rand([1000], { generator: new Generator(5) });
    const again = Tensor.rand([1000], { generator: new Generator(5) });
    expect(await again.data()).toEqual(expected.dataSync());
    for (const x of [t, expected, again]) x.dispose();
  });

  it('does not block the event loop while a large op runs', async () => {
    const big = Tensor.randn([20_000_000], { generator: new Generator(1) });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const pending = big.data();
    await new Promise((resolve) => setImmediate(resolve));
    const values = await pending;
    clearInterval(timer);
    expect(values.length).toBe(20_000_000);
    // The loop kept turning while the draw ran on the worker.
    expect(ticks).toBeGreaterThan(0);
    big.dispose();
  });

  it('keeps storage alive for queued reads after dispose()', async () => {
    const t = Tensor.full([4096], 2.5);
    const pending = t.data();
    t.dispose();
    const values = await pending;
    expect(values.every((v) => v === 2.5)).toBe(true);
    expect(memory().hostBytes).toBe(0);
  });

  it('serves many concurrent reads', async () => {
    const tensors = Array.from({ length: 200 }, (_, i) => Tensor.full([10], i));
    const values = await Promise.all(tensors.map((t) => t.data()));
    values.forEach((v, i) => expect(v[9]).toBe(i));
    tensors.forEach((t) => t.dispose());
  });

  it('bounds the memory a loop that never reads holds in queued ops (backpressure)', () => {
    // Each step queues a 4 MiB result and disposes it at once: the queued task holds it until it
    // runs. Without a bound on the queue, JS runs about all 1500 steps (6 GiB) ahead.
    const a = Tensor.rand([1 << 20], { generator: new Generator(2) });
    let peak = 0;
    for (let i = 0; i < 1500; i++) {
      a.mul(2).dispose();
      peak = Math.max(peak, memory().hostBytes);
    }
    a.dataSync();
    // 256 queued tasks and the running one, plus the input.
    expect(peak).toBeLessThanOrEqual((256 + 2) * 4 * 2 ** 20);
    expect(peak).toBeGreaterThan(16 * 4 * 2 ** 20); // it did run ahead: the bound was what held it
    a.dispose();
    expect(memory().hostBytes).toBe(0);
  });
});
