/**
 * Keras's weight initializers, by Keras 3 name (snake_case) or TF.js name (camelCase). Keras
 * layers use them in Keras's layouts: a kernel is [fanIn, fanOut], so glorot's fans are its two
 * dimensions, and a GRU's orthogonal recurrent kernel is one [units, 3 units] matrix with
 * orthonormal rows (not one per gate).
 */
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Generator } from '../random';
import { Tensor } from '../tensor';
import type { FloatDType, Device } from '../dtype';

export const INITIALIZERS = ['glorotUniform', 'orthogonal', 'zeros', 'ones', 'randomUniform', 'heUniform'] as const;
export type InitializerName = (typeof INITIALIZERS)[number];

const SPELLINGS: Record<string, InitializerName> = {
  glorot_uniform: 'glorotUniform', he_uniform: 'heUniform', random_uniform: 'randomUniform', uniform: 'randomUniform',
};

export function checkInitializer(value: unknown, argument: string, fallback: InitializerName): InitializerName {
  if (value === undefined) return fallback;
  const name = typeof value === 'string' ? SPELLINGS[value] ?? value : value;
  if (typeof name !== 'string' || !(INITIALIZERS as readonly string[]).includes(name)) {
    throw new ArgumentError(`${argument} must be one of ${INITIALIZERS.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`);
  }
  return name as InitializerName;
}

interface Placement {
  dtype: FloatDType;
  device: Device;
  generator: Generator;
}

/**
 * Columns of a row-major [rows, cols] matrix (rows >= cols) made orthonormal (modified
 * Gram-Schmidt; R's diagonal positive, as Keras's sign fix makes it), returned column-major.
 */
function orthonormalColumns(a: Float64Array, rows: number, cols: number): Float64Array {
  // Column-major, so every inner loop runs over contiguous memory.
  const q = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) q[j * rows + i] = a[i * cols + j];
  for (let j = 0; j < cols; j++) {
    const v = q.subarray(j * rows, (j + 1) * rows);
    for (let k = 0; k < j; k++) {
      const u = q.subarray(k * rows, (k + 1) * rows);
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += v[i] * u[i];
      for (let i = 0; i < rows; i++) v[i] -= dot * u[i];
    }
    let norm = 0;
    for (let i = 0; i < rows; i++) norm += v[i] * v[i];
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < rows; i++) v[i] *= scale;
  }
  return q;
}

/** A new tensor of `shape` (Keras layout) from initializer `name`. */
export function initialize(name: InitializerName, shape: number[], p: Placement): Tensor {
  const options = { dtype: p.dtype, device: p.device, generator: p.generator };
  const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : shape[0];
  const fanOut = shape[shape.length - 1];
  switch (name) {
    case 'zeros': return Tensor.zeros(shape, { dtype: p.dtype, device: p.device });
    case 'ones': return Tensor.ones(shape, { dtype: p.dtype, device: p.device });
    case 'randomUniform': return Tensor.rand(shape, { ...options, low: -0.05, high: 0.05 });
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return Tensor.rand(shape, { ...options, low: -limit, high: limit });
    }
    case 'heUniform': {
      const limit = Math.sqrt(6 / fanIn);
      return Tensor.rand(shape, { ...options, low: -limit, high: limit });
    }
    case 'orthogonal': {
      const rows = fanIn, cols = fanOut;
      const tall = [Math.max(rows, cols), Math.min(rows, cols)];
      const normal = Tensor.randn(tall, { dtype: 'float64', generator: p.generator });
      const q = orthonormalColumns(normal.dataSync(), tall[0], tall[1]);
      normal.dispose();
      // q is the tall factor column-major; Keras transposes it when the matrix is wide, giving
      // orthonormal rows: a wide [rows, cols] matrix is q's column-major buffer read row-major.
      const [n, m] = tall;
      const values = rows < cols ? q : Float64Array.from({ length: n * m }, (_, k) => q[(k % m) * n + Math.floor(k / m)]);
      return Tensor.from(values, shape, { dtype: p.dtype, device: p.device });
    }
  }
}
