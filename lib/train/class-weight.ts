/**
 * Keras's classWeight: each sample weighs what its class does (1 for classes not listed), the
 * class read from the labels: indices [rows] or [rows, 1], or one-hot [rows, classes] (argmax).
 */
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { Tensor } from '../tensor';

export type ClassWeight = Record<number, number>;

export function checkClassWeight(value: unknown, argument: string): ClassWeight {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ArgumentError(`${argument} must be an object { class: weight }, got ${describe(value)}`);
  for (const [key, weight] of Object.entries(value)) {
    if (!/^\d+$/.test(key)) throw new ArgumentError(`${argument}: keys must be class indices (integers >= 0), got '${key}'`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw new ArgumentError(`${argument}[${key}] must be a number >= 0, got ${describe(weight)}`);
  }
  return value as ClassWeight;
}

/** The sample weights [rows] for labels `y`, read without blocking. */
export async function classSampleWeights(y: Tensor, classWeight: ClassWeight, dtype: 'float32' | 'float64'): Promise<Tensor> {
  const oneHot = y.ndim === 2 && y.shape[1] > 1;
  if (y.ndim > 2 || y.ndim === 0) throw new ShapeError(`classWeight needs labels [rows], [rows, 1] or one-hot [rows, classes], got ${formatShape(y.shape)}`);
  const values = await y.data();
  const rows = y.shape[0], width = y.ndim === 2 ? y.shape[1] : 1;
  const weights = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let label = Math.round(values[r * width]);
    if (oneHot) {
      label = 0;
      for (let c = 1; c < width; c++) if (values[r * width + c] > values[r * width + label]) label = c;
    }
    weights[r] = classWeight[label] ?? 1;
  }
  return Tensor.from(weights, [rows], { dtype, device: y.device });
}
