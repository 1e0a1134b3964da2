/**
 * Moving tensors between devices: `toDevice(t, 'cuda')` / `toDevice(t, 'cpu')` (attached as
 * `Tensor.prototype.to`). The copy is queued after the work already queued on both devices and
 * returns at once; reading the result waits for it like any other op.
 */
import { requireDevice } from '../backends';
import { checkDevice, type Device } from '../dtype';
import { native } from '../native/binding';
import { Tensor } from '../tensor';
import { checkTensor } from './checks';

/**
 * A copy of `t` on `device` (same shape and dtype). On the device `t` is already on, a view of
 * the same memory, detached from the tape, like `detach()`. The copy is not recorded on the
 * autograd tape either.
 */
export function toDevice(t: Tensor, device: Device): Tensor {
  const source = checkTensor(t, 'tensor');
  const target = checkDevice(device, 'device');
  if (target === source.device) return source.detach();
  requireDevice(target);
  const out = Tensor.empty(source.shape, { dtype: source.dtype, device: target });
  try {
    native.toDevice(out.handle, source.handle);
  } catch (error) {
    out.dispose();
    throw error;
  }
  return out;
}
