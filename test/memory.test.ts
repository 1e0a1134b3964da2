import { describe, expect, it } from 'vitest';

import { Tensor, emptyCache, memory } from '../lib/index';

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage and lets deferred native finalizers run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('native memory ownership', () => {
  it('returns to zero after 100,000 create/dispose cycles with stable RSS', async () => {
    const start = memory();
    const cycle = (i: number): void => {
      const a = Tensor.zeros([16, 16]);
      const b = Tensor.from(new Float64Array([i, i + 1, i + 2]));
      const v = a.reshape([256]);
      a.dispose();
      v.dispose();
      b.dispose();
    };
    // The first round sets the high-water mark of V8's heap and malloc's arenas (about 60 MB
    // here); a second round must not grow past it.
    for (let i = 0; i < 100_000; i++) cycle(i);
    await settle();
    const rssWarm = process.memoryUsage().rss;
    for (let i = 0; i < 100_000; i++) cycle(i);
    await settle();
    const rssAfter = process.memoryUsage().rss;
    const end = memory();
    expect(end.tensors).toBe(start.tensors);
    expect(end.hostBytes).toBe(start.hostBytes);
    // 300k native allocations of 1-2 KB per round: leaking even one per cycle adds > 100 MB. The
    // bound leaves room for V8's heap moving under a loaded machine (19 MB seen once in CI).
    expect(rssAfter - rssWarm).toBeLessThan(32 * 1024 * 1024);
  });

  it('counts live tensors and bytes, views once', () => {
    const start = memory();
    const t = Tensor.zeros([1000], { dtype: 'float64' });
    // Wait for the queued fill, so only the tensors hold the storage.
    t.dataSync();
    const v = t.reshape([10, 100]);
    expect(memory().tensors).toBe(start.tensors + 2);
    expect(memory().hostBytes).toBe(start.hostBytes + 8000);
    t.dispose();
    expect(memory().hostBytes).toBe(start.hostBytes + 8000);
    v.dispose();
    expect(memory().hostBytes).toBe(start.hostBytes);
  });

  it.runIf(gc !== undefined)('frees forgotten tensors through the finalizer', async () => {
    const start = memory();
    (() => {
      for (let i = 0; i < 1000; i++) Tensor.zeros([256]);
    })();
    // Collections during the loop may already have freed some (finalizers run inside the GC).
    expect(memory().tensors).toBeLessThanOrEqual(start.tensors + 1000);
    await settle();
    expect(memory().tensors).toBe(start.tensors);
    expect(memory().hostBytes).toBe(start.hostBytes);
  });
});

describe('host block cache (Note [host block cache])', () => {
  it('keeps freed blocks of up to 512 KiB and of 1 MiB and more for the next request of their size class; emptyCache() frees them', () => {
    emptyCache();
    expect(memory().hostCachedBytes).toBe(0);
    const twoMiB = 2 ** 21;
    const big = Tensor.full([twoMiB / 4], 7);
    big.dataSync(); // the fill has run: nothing queued still holds the block
    big.dispose();
    expect(memory().hostCachedBytes).toBe(twoMiB);
    // A slightly smaller request falls in the same class and takes the cached block.
    const again = Tensor.zeros([twoMiB / 4 - 1000]);
    expect(memory().hostCachedBytes).toBe(0);
    expect(again.dataSync().every((v) => v === 0)).toBe(true); // reused memory is filled, not leaked
    again.dispose();
    // Small blocks have their own finer classes: 4,000 bytes are kept as a 4,096-byte block,
    // which the next request of that class takes (filled, not leaked).
    const small = Tensor.full([1000], 3);
    small.dataSync();
    small.dispose();
    expect(memory().hostCachedBytes).toBe(twoMiB + 4096);
    const smallAgain = Tensor.zeros([990]);
    expect(memory().hostCachedBytes).toBe(twoMiB);
    expect(smallAgain.dataSync().every((v) => v === 0)).toBe(true);
    smallAgain.dispose();
    // Between 512 KiB and 1 MiB, blocks go straight back to the heap.
    const middle = Tensor.zeros([600 * 256]);
    middle.dataSync();
    middle.dispose();
    expect(memory().hostCachedBytes).toBe(twoMiB + 4096);
    emptyCache();
    expect(memory().hostCachedBytes).toBe(0);
    expect(memory().hostBytes).toBe(0);
  });
});
