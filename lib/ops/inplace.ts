/**
 * In-place updates (optimizer steps, resets, loading weights). Each refuses tensors on the
 * autograd tape outside noGrad(), and records the write in the tensor's version counter, so a
 * backward that needs the old values fails loudly instead of computing wrong gradients.
 */
import { checkFiniteNumber } from '../arguments';
import { isGradEnabled } from '../autograd/grad-mode';
import { checkFloat, checkLike, checkTensor } from '../checks';
import { ArgumentError } from '../errors';
import { native } from '../native/binding';
import { checkShapeEquals } from '../shape';
import { Tensor } from '../tensor';

function checkInPlace(t: Tensor, op: string): void {
  checkTensor(t, `${op}: this tensor`);
  if (t.gradFn !== null || (t.requiresGrad && isGradEnabled())) {
    throw new ArgumentError(`${op}: in-place update of a tensor that requires grad would corrupt the tape; do it inside noGrad()`);
  }
}

/** t += alpha * other (same shape, dtype and device). */
export function addInPlace<T extends Tensor>(t: T, other: Tensor, alpha = 1): T {
  checkInPlace(t, 'add_()');
  checkTensor(other, 'add_(): other');
  checkFloat(t, 'add_(): this tensor');
  checkLike(other, t, 'add_(): other', 'this tensor');
  checkShapeEquals(other.shape, t.shape, 'add_(): other');
  checkFiniteNumber(alpha, 'add_(): alpha');
  native.axpby(t.handle, other.handle, alpha, 1);
  t.bumpVersion();
  return t;
}

/** Every element of t = value (int32 needs an integer in range). */
export function fillInPlace<T extends Tensor>(t: T, value: number): T {
  checkInPlace(t, 'fill_()');
  if (typeof value !== 'number') throw new ArgumentError(`fill_(): value must be a number, got ${typeof value}`);
  native.fill(t.handle, value);
  t.bumpVersion();
  return t;
}

/** t = source's values (same shape; dtype and device are converted). */
export function copyInPlace<T extends Tensor>(t: T, source: Tensor): T {
  checkInPlace(t, 'copy_()');
  checkTensor(source, 'copy_(): source');
  checkShapeEquals(source.shape, t.shape, 'copy_(): source');
  if (source.dtype === t.dtype) {
    if (source.device === t.device) native.copy(t.handle, 0, t.numel, source.handle, 0, t.numel, 1, t.numel);
    else native.toDevice(t.handle, source.handle);
  } else {
    // Conversion goes through the host (blocking); Tensor.from checks int32 exactness.
    const converted = Tensor.from(source.dataSync(), t.shape, { dtype: t.dtype, device: t.device });
    try {
      native.copy(t.handle, 0, t.numel, converted.handle, 0, t.numel, 1, t.numel);
    } finally {
      converted.dispose();
    }
  }
  t.bumpVersion();
  return t;
}
