/** Memory accounting of native tensors, for leak checks and monitoring. */
import { native } from './native/binding';

export interface MemoryInfo {
  /** Tensors not yet disposed (or collected). */
  tensors: number;
  /** Bytes of host memory held by tensors and by queued ops. */
  hostBytes: number;
  /** Host blocks kept for reuse, not in use (up to 512 KiB, and 1 MiB and more); emptyCache() frees them. */
  hostCachedBytes: number;
  /** Bytes of device memory held by tensors and by queued ops. */
  deviceBytes: number;
  /** Device bytes kept by the caching allocator for reuse (not in use). */
  deviceCachedBytes: number;
}

export function memory(): MemoryInfo {
  return native.memory();
}

/**
 * Frees the memory kept for reuse: idle host blocks (`memory().hostCachedBytes`) and, after
 * waiting for queued GPU work, the CUDA caching allocator's device blocks
 * (`memory().deviceCachedBytes`), so other processes can use it. Tensors in use are untouched.
 */
export function emptyCache(): void {
  native.emptyCache();
}
