/**
 * Batches for truncated backpropagation through time: the text cut into `batch` contiguous
 * streams, read `seq` tokens at a time, so that window k + 1 of a stream continues window k and
 * the hidden state can be carried from one to the next.
 */
import type { Device } from '../dtype';
import { Tensor } from '../tensor';

export interface Streams {
  /** [batch, length], row b the b-th stretch of the text. */
  data: Int32Array;
  batch: number;
  length: number;
}

export function streams(ids: Int32Array, batch: number): Streams {
  const length = Math.floor(ids.length / batch);
  const data = new Int32Array(batch * length);
  for (let b = 0; b < batch; b++) data.set(ids.subarray(b * length, (b + 1) * length), b * length);
  return { data, batch, length };
}

/** The starts of the windows of at most `seq` tokens whose targets (the next tokens) exist. */
export function windowStarts(s: Streams, seq: number): number[] {
  const starts: number[] = [];
  for (let start = 0; start + 1 < s.length; start += seq) starts.push(start);
  return starts;
}

/** Inputs and targets (the inputs shifted by one) of the window at `start`, each [batch, len]. */
export function window(s: Streams, start: number, seq: number, device: Device): { x: Tensor; y: Tensor; steps: number } {
  const steps = Math.min(seq, s.length - 1 - start);
  const x = new Int32Array(s.batch * steps), y = new Int32Array(s.batch * steps);
  for (let b = 0; b < s.batch; b++) {
    const row = b * s.length + start;
    x.set(s.data.subarray(row, row + steps), b * steps);
    y.set(s.data.subarray(row + 1, row + 1 + steps), b * steps);
  }
  return {
    x: Tensor.from(x, [s.batch, steps], { dtype: 'int32', device }),
    y: Tensor.from(y, [s.batch, steps], { dtype: 'int32', device }),
    steps,
  };
}
