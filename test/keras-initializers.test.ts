/**
 * Keras's orthogonal initializer: the CholeskyQR2 factor against modified Gram-Schmidt on the
 * same draw, the wide (orthonormal rows) and tall (orthonormal columns) layouts Keras gives, and
 * the Gram-Schmidt fallback on a nearly singular draw.
 */
import { describe, expect, it } from 'vitest';

import { keras, manualSeed } from '../lib/index';
import { gramSchmidtFactor, orthonormalFactor } from '../lib/keras/orthonormal';
import { mulberry32 } from '../lib/train/shuffle';

function gaussian(n: number, seed: number): Float64Array {
  const next = mulberry32(seed);
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
}

/** max |(M^T M - I)| for the columns of a row-major [rows, cols] M. */
function columnOrthonormalityError(m: ArrayLike<number>, rows: number, cols: number): number {
  let worst = 0;
  for (let a = 0; a < cols; a++) {
    for (let b = a; b < cols; b++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += m[i * cols + a] * m[i * cols + b];
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

function transpose(m: ArrayLike<number>, rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, (_, k) => m[(k % rows) * cols + Math.floor(k / rows)]);
}

describe('orthogonal initializer', () => {
  it('CholeskyQR2 gives the Gram-Schmidt factor of the same draw (R positive on the diagonal, as Keras makes it)', () => {
    for (const [rows, cols] of [[300, 100], [64, 64], [7, 1]]) {
      const a = gaussian(rows * cols, rows + cols);
      const fast = orthonormalFactor(a, rows, cols);
      const reference = gramSchmidtFactor(a, rows, cols);
      let diff = 0;
      for (let i = 0; i < fast.length; i++) diff = Math.max(diff, Math.abs(fast[i] - reference[i]));
      expect(diff).toBeLessThan(1e-10);
      expect(columnOrthonormalityError(fast, rows, cols)).toBeLessThan(1e-13);
    }
  });

  it('falls back to Gram-Schmidt where Cholesky cannot run (a nearly singular draw)', () => {
    const rows = 40, cols = 4;
    const a = gaussian(rows * cols, 3);
    for (let i = 0; i < rows; i++) a[i * cols + 1] = a[i * cols] * (1 + 1e-12 * i);
    const q = orthonormalFactor(a, rows, cols);
    expect(q.every(Number.isFinite)).toBe(true);
    expect(columnOrthonormalityError(q, rows, cols)).toBeLessThan(1e-3);
  });

  it("gives a GRU's recurrent kernel [units, 3 units] orthonormal rows and a tall Dense kernel orthonormal columns", () => {
    manualSeed(4);
    const model = keras.sequential([
      keras.layers.gru({ units: 24, inputShape: [5, 3] }),
      keras.layers.dense({ units: 6, kernelInitializer: 'orthogonal' }),
    ]);
    const [, recurrent, , dense] = model.getWeights();
    expect(recurrent.shape).toEqual([24, 72]);
    expect(columnOrthonormalityError(transpose(recurrent.dataSync(), 24, 72), 72, 24)).toBeLessThan(1e-5);
    expect(dense.shape).toEqual([24, 6]);
    expect(columnOrthonormalityError(dense.dataSync(), 24, 6)).toBeLessThan(1e-5);
    model.dispose();
  });
});
