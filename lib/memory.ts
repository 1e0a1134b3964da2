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
