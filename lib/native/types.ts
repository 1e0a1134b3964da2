/** Declarations of every export of the native addon (native/bindings/*.cc). */

/** Opaque handle to native tensor memory; lib/tensor.ts wraps one per Tensor. */
export interface TensorHandle {
  release(): void;
  isReleased(): boolean;
}

export type AnyTypedArray = Float32Array | Float64Array | Int32Array;

export interface NativeConstants {
  dtypes: { float32: number; float64: number; int32: number };
  devices: { cpu: number; cuda: number };
  errorKinds: Record<string, number>;
  napiVersion: number;
}

export interface NativeMemory {
  tensors: number;
  hostBytes: number;
  deviceBytes: number;
  deviceCachedBytes: number;
  hostCachedBytes: number;
}

export interface NativeCpuInfo {
  blas: string;
  threads: number;
  hardwareThreads: number;
}

export interface NativeCudaDevice {
  index: number;
  name: string;
  computeCapability: string;
  totalBytes: number;
}

/** What happened when the addon tried to open one CUDA library (native/cuda/probe.h). */
export interface NativeCudaLibrary {
  loaded: boolean;
  soname: string;
  version: string;
  /** Why it is not usable; names every soname tried with its dlerror(). */
  error: string;
}

export interface NativeCudaProbe {
  compiled: boolean;
  available: boolean;
  reason: string;
  runtimeVersion: number;
  driverVersion: number;
  devices: NativeCudaDevice[];
}

/** The GRU problem a native GRU call solves (native/cpu/gru_layout.h GruConfig). */
export interface NativeGruConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  resetAfter: boolean;
  seqLen: number;
  batch: number;
  batchFirst: boolean;
  dropout: number;
  dropoutSeed: bigint;
  dropoutOffset: number;
  allowTF32: boolean;
}

export interface NativeGruBufferSizes {
  reserve: number;
  forwardWorkspace: number;
  backwardWorkspace: number;
}

export interface NativeBinding {
  TensorHandle: new () => TensorHandle;
  empty(dtype: number, device: number, numel: number): TensorHandle;
  fromTypedArray(data: AnyTypedArray, dtype: number, device: number): TensorHandle;
  view(tensor: TensorHandle, elementOffset: number, numel: number): TensorHandle;
  readSync(tensor: TensorHandle): AnyTypedArray;
  readAsync(tensor: TensorHandle): Promise<AnyTypedArray>;
  fill(tensor: TensorHandle, value: number): void;
  copy(dst: TensorHandle, src: TensorHandle): void;
  uniform(tensor: TensorHandle, seed: bigint, offset: number, low: number, high: number): number;
  normal(tensor: TensorHandle, seed: bigint, offset: number, mean: number, std: number): number;
  synchronize(device: number): void;

  /** op: 0 add, 1 sub, 2 mul, 3 div; b has out's element count or one element. */
  binary(op: number, out: TensorHandle, a: TensorHandle, b: TensorHandle): void;
  /** dst = alpha * src + beta * dst */
  axpby(dst: TensorHandle, src: TensorHandle, alpha: number, beta: number): void;
  sum(out: TensorHandle, a: TensorHandle): void;
  /** Row-major C[m x n] = alpha * op(A) op(B) + beta * C. */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: TensorHandle, b: TensorHandle, beta: number, c: TensorHandle): void;

  /** config: packGruConfig(...) (lib/native/gru-config.ts). impl: 0 fast (OpenBLAS), 1 reference (plain loops). Sizes are element counts. */
  gruBufferSizes(config: Float64Array, impl: number, device?: number, dtype?: number): NativeGruBufferSizes;
  gruForward(config: Float64Array, x: TensorHandle, h0: TensorHandle | null, weights: TensorHandle,
             lengths: TensorHandle | null, y: TensorHandle, hN: TensorHandle, reserve: TensorHandle | null, impl: number): void;
  gruBackward(config: Float64Array, x: TensorHandle, h0: TensorHandle | null, weights: TensorHandle,
              lengths: TensorHandle | null, reserve: TensorHandle, dy: TensorHandle | null, dhN: TensorHandle | null,
              dx: TensorHandle | null, dh0: TensorHandle | null, dweights: TensorHandle, impl: number,
              y?: TensorHandle | null): void;
  /** Whether cuDNN reads the flat weights as they are ('direct') or through a packed copy; cuda only. */
  gruCudnnWeightRoute(config: Float64Array, dtype: number): 'direct' | 'packed' | 'packed (forced)';

  constants(): NativeConstants;
  setErrorFactory(factory: (kind: number, message: string, code: string) => Error): void;
  memory(): NativeMemory;
  cpuInfo(): NativeCpuInfo;
  setNumThreads(threads: number): void;
  probeCuda(): NativeCudaProbe;

  /** Copies src into dst (same dtype and element count) on any pair of devices, ordered after the work queued on both. */
  toDevice(dst: TensorHandle, src: TensorHandle): void;
  /** Frees the device memory the CUDA caching allocator keeps for reuse (no-op without CUDA). */
  emptyCache(): void;
  /** cuDNN and cuBLAS versions found by the probe ('' when not loaded). */
  cudaLibraryVersions(): { cudnn: string; cublas: string };
  /** Tests: kind 0 cuDNN, 1 cuBLAS, 2 CUDA runtime; unknown codes give UNKNOWN_..._<code>. Throws without CUDA. */
  cudaStatusName(kind: number, code: number): string;
  /** Tests: tries to open cuDNN and cuBLAS and says what happened. Throws without CUDA. */
  cudaLibraries(): { cudnn: NativeCudaLibrary; cublas: NativeCudaLibrary };
}
