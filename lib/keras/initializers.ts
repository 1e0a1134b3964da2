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
import { orthonormalFactor } from './orthonormal';

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
      const [n, m] = tall;
      const q = orthonormalFactor(normal.dataSync(), n, m);
      normal.dispose();
      // Keras transposes the tall factor when the matrix is wide, giving orthonormal rows.
      const values = rows >= cols ? q : Float64Array.from({ length: n * m }, (_, k) => q[(k % n) * m + Math.floor(k / n)]);
      return Tensor.from(values, shape, { dtype: p.dtype, device: p.device });
    }
  }
}
