/** Generated tasks for the tutorial examples: each needs the GRU to remember or integrate over the sequence. */
import { Tensor, type Device } from '../../lib/index';
import { mulberry32 } from '../../lib/train/shuffle';

export interface Split {
  x: Tensor;
  y: Tensor;
}

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/**
 * One of `classes` patterns appears at a random step of the first third of a noisy sequence;
 * the label (one-hot) is which. The rest of the sequence is noise, so the net has to remember.
 */
export function patternTask(n: number, steps: number, features: number, classes: number, seed: number, device: Device): Split {
  // The patterns are the task's, the same in every split; the samples are the split's.
  const fixed = mulberry32(0x5eed);
  const patterns = Array.from({ length: classes }, () => Array.from({ length: features }, () => (fixed() < 0.5 ? -2 : 2)));
  const next = mulberry32(seed);
  const x = new Float32Array(n * steps * features), y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < steps * features; k++) x[i * steps * features + k] = 0.3 * normal(next);
    const c = Math.floor(next() * classes), at = Math.floor(next() * Math.max(1, Math.floor(steps / 3)));
    for (let f = 0; f < features; f++) x[(i * steps + at) * features + f] += patterns[c][f];
    y[i * classes + c] = 1;
  }
  return { x: Tensor.from(x, [n, steps, features], { device }), y: Tensor.from(y, [n, classes], { device }) };
}

/** Label 1 when the first feature sums to more than zero over the sequence (an integral). */
export function signTask(n: number, steps: number, features: number, seed: number, device: Device): Split {
  const next = mulberry32(seed);
  const x = new Float32Array(n * steps * features), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let s = 0; s < steps; s++) {
      for (let f = 0; f < features; f++) x[(i * steps + s) * features + f] = normal(next) * 0.5;
      total += x[(i * steps + s) * features];
    }
    y[i] = total > 0 ? 1 : 0;
  }
  return { x: Tensor.from(x, [n, steps, features], { device }), y: Tensor.from(y, [n, 1], { device }) };
}

/** Label 1 when a spike (all features +1.5) occurs at some step; half the sequences have one. */
export function spikeTask(n: number, steps: number, features: number, seed: number, device: Device): Split {
  const next = mulberry32(seed);
  const x = new Float32Array(n * steps * features), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < steps * features; k++) x[i * steps * features + k] = normal(next) * 0.5;
    if (next() < 0.5) {
      const at = Math.floor(next() * steps);
      for (let f = 0; f < features; f++) x[(i * steps + at) * features + f] += 1.5;
      y[i] = 1;
    }
  }
  return { x: Tensor.from(x, [n, steps, features], { device }), y: Tensor.from(y, [n, 1], { device }) };
}

export function disposeSplits(...splits: Split[]): void {
  for (const s of splits) {
    s.x.dispose();
    s.y.dispose();
  }
}
