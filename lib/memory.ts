/** Memory accounting of native tensors, for leak checks and monitoring. */
import { native } from './native/binding';

export interface MemoryInfo {
  /** Tensors not yet disposed (or collected). */
  tensors: number;
  /** Bytes of host memory held by tensors and by queued ops. */
  hostBytes: number;
  /** Bytes of device memory held by tensors and by queued ops. */
  deviceBytes: number;
  /** Device bytes kept by the caching allocator for reuse (not in use). */
  deviceCachedBytes: number;
}

export function memory(): MemoryInfo {
  return native.memory();
}

/**
 * Returns the device memory that the CUDA caching allocator keeps for reuse to the driver (after
 * waiting for queued GPU work), so other processes can use it. Tensors in use are untouched;
 * `memory().deviceCachedBytes` drops to 0. Does nothing when CUDA was never used.
 */
export function emptyCache(): void {
  native.emptyCache();
}
