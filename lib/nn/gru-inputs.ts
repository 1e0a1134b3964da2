/** Checks of GRU inputs (x, states, lengths) with messages naming the argument and shapes. */
import { checkLike, checkTensor } from '../checks';
import type { Device, FloatDType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { checkShapeEquals } from '../shape';
import { Tensor } from '../tensor';

/** The dtype and device of a layer's parameters, which its inputs must share. */
export interface LayerPlacement {
  dtype: FloatDType;
  device: Device;
}

const PARAMETERS = "the layer's parameters";

export function checkInput(x: unknown, argument: string, ranks: number[], featureSize: number, layer: LayerPlacement): Tensor<FloatDType> {
  const t = checkTensor(x, argument);
  if (!ranks.includes(t.ndim)) {
    throw new ShapeError(`${argument} must have ${ranks.join(' or ')} dimensions, got shape ${formatShape(t.shape)}`);
  }
  if (t.shape[t.ndim - 1] !== featureSize) {
    throw new ShapeError(`${argument} must have ${featureSize} features in its last dimension (inputSize), got shape ${formatShape(t.shape)}`);
  }
  checkLike(t, layer, argument, PARAMETERS);
  return t as Tensor<FloatDType>;
}

export function checkState(h: unknown, argument: string, expected: number[], layer: LayerPlacement): Tensor<FloatDType> {
  const t = checkTensor(h, argument);
  checkShapeEquals(t.shape, expected, argument);
  checkLike(t, layer, argument, PARAMETERS);
  return t as Tensor<FloatDType>;
}

/** At least one sequence of at least one step: a GRU call over nothing is refused, as in PyTorch. */
export function checkNotEmpty(seqLen: number, batch: number, argument: string, shape: readonly number[]): void {
  if (seqLen === 0 || batch === 0) {
    throw new ArgumentError(`${argument} must have at least one step and one sequence, got shape ${formatShape(shape)}`);
  }
}

/**
 * Validates per-sequence lengths (host values: an array or an integer typed array) and returns
 * them as an Int32Array, or null when every sequence has the full length (nothing to mask). A
 * tensor is refused: reading its values here would block until the device has computed them.
 */
export function checkLengths(lengths: unknown, batch: number, seqLen: number, argument: string): Int32Array | null {
  if (lengths instanceof Tensor) {
    throw new ArgumentError(
      `${argument} must be host values (a number[] or an Int32Array), not a Tensor: reading a tensor's values here would ` +
        `block until its device has computed them. Read them first: { lengths: await lengths.data() }`,
    );
  }
  const isIntegerArray = Array.isArray(lengths) || lengths instanceof Int32Array || lengths instanceof Uint32Array ||
    lengths instanceof Int16Array || lengths instanceof Uint16Array || lengths instanceof Int8Array || lengths instanceof Uint8Array ||
    lengths instanceof Float64Array || lengths instanceof Float32Array;
  if (!isIntegerArray) throw new ArgumentError(`${argument} must be an array of numbers or an Int32Array, got ${describe(lengths)}`);
  const values = lengths as ArrayLike<unknown>;
  if (values.length !== batch) {
    throw new ShapeError(`${argument} must have one entry per sequence (batch ${batch}), got ${values.length}`);
  }
  let full = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > seqLen) {
      throw new ArgumentError(`${argument}[${i}] must be an integer in [1, ${seqLen}] (the sequence length), got ${describe(v)}`);
    }
    if (v !== seqLen) full = false;
  }
  return full ? null : Int32Array.from(values as ArrayLike<number>);
}
