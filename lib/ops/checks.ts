/** Argument checks shared by ops: messages name the argument, expected and actual value. */
import { DTypeError, DeviceError, ShapeError, ArgumentError, describe, formatShape } from '../errors';
import { Tensor } from '../tensor';

export function checkTensor(value: unknown, argument: string): Tensor {
  if (!(value instanceof Tensor)) throw new ArgumentError(`${argument} must be a Tensor, got ${describe(value)}`);
  value.handle; // throws DisposedError naming the tensor when disposed
  return value;
}

export function checkFloat(t: Tensor, argument: string): void {
  if (t.dtype === 'int32') throw new DTypeError(`${argument} must be float32 or float64, got int32`);
}

export function checkSameDTypeDevice(a: Tensor, b: Tensor, aName: string, bName: string): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${bName} has dtype ${b.dtype} but ${aName} has ${a.dtype}; convert one of them first`);
  if (a.device !== b.device) throw new DeviceError(`${bName} is on ${b.device} but ${aName} is on ${a.device}; move one with .to()`);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShapeEquals(t: Tensor, expected: readonly number[], argument: string): void {
  if (!sameShape(t.shape, expected)) {
    throw new ShapeError(`${argument} must have shape ${formatShape(expected)}, got ${formatShape(t.shape)}`);
  }
}
