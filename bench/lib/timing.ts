/** Wall-clock timing: warm-up runs first (caches, thread pools, allocator), then repeats. */
import { performance } from 'node:perf_hooks';

export interface Stats {
  medianMs: number;
  minMs: number;
  p90Ms: number;
  repeats: number;
}

export interface TimingOptions {
  warmup: number;
  repeats: number;
}

/** Nearest-rank quantile of sorted samples. */
function quantile(sorted: readonly number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export function median(samples: readonly number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function stats(samplesMs: readonly number[]): Stats {
  if (samplesMs.length === 0) throw new Error('stats() needs at least one sample');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { medianMs: median(sorted), minMs: sorted[0], p90Ms: quantile(sorted, 0.9), repeats: sorted.length };
}

/**
 * Times `run` (which must return only once its work is done, e.g. after dataSync). `setup`
 * runs before each call outside the timed region; `teardown` gets run's result afterwards.
 */
export function measure<T>(run: () => T, options: TimingOptions, setup?: () => void, teardown?: (result: T) => void): Stats {
  const samples: number[] = [];
  for (let i = 0; i < options.warmup + options.repeats; i++) {
    setup?.();
    const start = performance.now();
    const result = run();
    const elapsed = performance.now() - start;
    teardown?.(result);
    if (i >= options.warmup) samples.push(elapsed);
  }
  return stats(samples);
}
