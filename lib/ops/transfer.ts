/**
 * Moving tensors between devices (`t.to('cuda')`, installed by tensor-methods.ts). The copy is
 * queued after the work already queued on both devices and returns at once; reading the result
 * waits for it like any other op. It is not recorded on the autograd tape.
 */
import { requireDevice } from '../backends';
import { checkTensor } from '../checks';
import { checkDevice, type DType, type Device } from '../dtype';
import { native } from '../native/binding';
import type { Tensor } from '../tensor';
import { produce } from './outputs';

/**
 * A copy of `t` on `device` (same shape and dtype). On the device `t` is already on, a view of
 * the same memory, detached from the tape, like `detach()`.
 */
export function toDevice<D extends DType>(t: Tensor<D>, device: Device): Tensor<D> {
  const source = checkTensor(t, 'tensor') as Tensor<D>;
  const target = checkDevice(device, 'device');
  if (target === source.device) return source.detach();
  requireDevice(target);
  return produce(source.shape, { dtype: source.dtype, device: target }, (out) => native.toDevice(out.handle, source.handle));
}
