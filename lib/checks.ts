/** Checks of tensor arguments, shared by ops, layers and the tape: messages name the argument, the expected and the actual value. */
import { DTypeError, DeviceError, ArgumentError } from './errors';
import { describe } from './format';
import type { DType, Device } from './dtype';
import { Tensor } from './tensor';

export function checkTensor(value: unknown, argument: string): Tensor {
  if (!(value instanceof Tensor)) throw new ArgumentError(`${argument} must be a Tensor, got ${describe(value)}`);
  value.handle; // throws DisposedError naming the tensor when disposed
  return value;
}

export function checkFloat(t: Tensor, argument: string): void {
  if (t.dtype === 'int32') throw new DTypeError(`${argument} must be float32 or float64, got int32`);
}

/** `t` has the dtype and device of `like` (another tensor, or a layer's parameters). */
export function checkLike(t: Tensor, like: { dtype: DType; device: Device }, argument: string, likeName: string): void {
  if (t.dtype !== like.dtype) throw new DTypeError(`${argument} must be ${like.dtype} like ${likeName}, got ${t.dtype}; convert it first`);
  if (t.device !== like.device) throw new DeviceError(`${argument} must be on ${like.device} like ${likeName}, got ${t.device}; move it with .to()`);
}
