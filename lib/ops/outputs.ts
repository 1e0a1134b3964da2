/** Allocating op outputs so that an op that throws frees what it allocated. */
import type { DType, Device } from '../dtype';
import { Tensor } from '../tensor';

/** A new tensor of `shape` like `like` (dtype, device), written by `write`; disposed again if `write` throws. */
export function produce<D extends DType>(shape: readonly number[], like: { dtype: D; device: Device }, write: (out: Tensor<D>) => void): Tensor<D> {
  const out = Tensor.empty(shape, { dtype: like.dtype, device: like.device });
  disposeOnThrow([out], () => write(out));
  return out;
}

/** Runs `fn`; if it throws, disposes `tensors` first. */
export function disposeOnThrow<T>(tensors: readonly (Tensor | null | undefined)[], fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    for (const t of tensors) t?.dispose();
    throw error;
  }
}
