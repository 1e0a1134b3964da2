/** Checks of GRU inputs (x, h0, lengths) with messages naming the argument and shapes. */
import { DTypeError, DeviceError, ShapeError, ArgumentError, describe, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { checkTensor } from '../ops/checks';

export interface TensorKind {
  dtype: string;
  device: string;
}

export function checkLike(t: Tensor, like: TensorKind, argument: string): void {
  if (t.dtype !== like.dtype) {
    throw new DTypeError(`${argument} must be ${like.dtype} like the layer's parameters, got ${t.dtype}`);
  }
  if (t.device !== like.device) {
    throw new DeviceError(`${argument} must be on ${like.device} like the layer's parameters, got ${t.device}`);
  }
}

export function checkInput(x: unknown, argument: string, ranks: number[], featureSize: number, like: TensorKind): Tensor {
  const t = checkTensor(x, argument);
  if (!ranks.includes(t.ndim)) {
    throw new ShapeError(`${argument} must have ${ranks.join(' or ')} dimensions, got shape ${formatShape(t.shape)}`);
  }
  if (t.shape[t.ndim - 1] !== featureSize) {
    throw new ShapeError(`${argument} must have ${featureSize} features in its last dimension (inputSize), got shape ${formatShape(t.shape)}`);
  }
  checkLike(t, like, argument);
  return t;
}

export function checkState(h: unknown, argument: string, expected: number[], like: TensorKind): Tensor {
  const t = checkTensor(h, argument);
  if (t.ndim !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(`${argument} must have shape ${formatShape(expected)}, got ${formatShape(t.shape)}`);
  }
  checkLike(t, like, argument);
  return t;
}

/**
 * Validates per-sequence lengths and returns them as an int32 CPU tensor, or null when
 * every sequence has the full length (nothing to mask).
 */
export function checkLengths(lengths: unknown, batch: number, seqLen: number): Tensor | null {
  let values: ArrayLike<number>;
  if (lengths instanceof Tensor) {
    if (lengths.dtype !== 'int32') throw new DTypeError(`lengths must be int32, got ${lengths.dtype}`);
    if (lengths.ndim !== 1) throw new ShapeError(`lengths must be 1-D, got shape ${formatShape(lengths.shape)}`);
    values = lengths.dataSync();
  } else if (lengths instanceof Int32Array || Array.isArray(lengths) || ArrayBuffer.isView(lengths)) {
    values = lengths as ArrayLike<number>;
  } else {
    throw new ArgumentError(`lengths must be an Int32Array, an array of numbers or an int32 Tensor, got ${describe(lengths)}`);
  }
  if (values.length !== batch) {
    throw new ShapeError(`lengths must have one entry per sequence (batch ${batch}), got ${values.length}`);
  }
  let full = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > seqLen) {
      throw new ArgumentError(`lengths[${i}] must be an integer in [1, ${seqLen}] (the sequence length), got ${describe(v)}`);
    }
    if (v !== seqLen) full = false;
  }
  if (full) return null;
  // Lengths stay on the host whatever the layer's device: every backend needs their values
  // there (the CUDA backend copies them to the device itself).
  return Tensor.from(Int32Array.from(values), [batch], { dtype: 'int32' });
}
