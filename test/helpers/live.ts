/** Leak-test counters taken after collecting what earlier tests left to the GC, so only the code under test moves them. */
import { DEVICE_CODE } from '../../lib/dtype';
import { memory } from '../../lib/index';
import { native } from '../../lib/native/binding';

export const gc = (globalThis as { gc?: () => void }).gc;

/** Live tensors, after a collection. */
export function liveTensors(): number {
  gc?.();
  return memory().tensors;
}

/** Live tensors and host bytes once queued CPU work is done and garbage is collected. */
export function settled(): { tensors: number; hostBytes: number } {
  gc?.();
  native.synchronize(DEVICE_CODE.cpu);
  const { tensors, hostBytes } = memory();
  return { tensors, hostBytes };
}
