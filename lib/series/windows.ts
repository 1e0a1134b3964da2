/** Sliding windows of a series: `window` values as input, the value `horizon` steps after the window as target. */
import type { Device } from '../dtype';
import { Tensor } from '../tensor';

export interface Windows {
  count: number;
  window: number;
  /** [count, window] row-major. */
  x: Float32Array;
  /** [count]. */
  y: Float32Array;
  /** Windows start .. end - 1 of these. */
  slice(start: number, end: number): Windows;
  /** The rows `rows` as tensors [rows, window, 1] and [rows, 1]. */
  gather(rows: ArrayLike<number>, device: Device): { x: Tensor; y: Tensor };
}

function windowsOf(x: Float32Array, y: Float32Array, window: number): Windows {
  const count = y.length;
  return {
    count, window, x, y,
    slice: (start, end) => windowsOf(x.subarray(start * window, end * window), y.subarray(start, end), window),
    gather(rows, device) {
      const gx = new Float32Array(rows.length * window), gy = new Float32Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        gx.set(x.subarray(rows[i] * window, (rows[i] + 1) * window), i * window);
        gy[i] = y[rows[i]];
      }
      return { x: Tensor.from(gx, [rows.length, window, 1], { device }), y: Tensor.from(gy, [rows.length, 1], { device }) };
    },
  };
}

export function seriesWindows(values: ArrayLike<number>, window: number, horizon: number): Windows {
  const count = Math.max(values.length - window - horizon + 1, 0);
  const x = new Float32Array(count * window), y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < window; t++) x[i * window + t] = values[i + t];
    y[i] = values[i + window + horizon - 1];
  }
  return windowsOf(x, y, window);
}
