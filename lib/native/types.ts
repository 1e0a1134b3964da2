/** Declarations of every export of the native addon (native/bindings/*.cc). */

/** Opaque handle to native tensor memory; lib/tensor.ts wraps one per Tensor. */
export interface TensorHandle {
  release(): void;
}

export type AnyTypedArray = Float32Array | Float64Array | Int32Array;

/** One field of the packed GRU config (Note [GRU config fields] in native/ops/gru_config.h). */
export interface NativeGruConfigField {
  name: string;
  kind: 'Size' | 'Flag' | 'Probability' | 'Word' | 'Count' | 'Activation';
  max: number;
}

/** Every code list of Note [op codes] (native/ops/op_codes.h), as { jsName: value }. */
export interface NativeConstants {
  dtypes: Record<string, number>;
  devices: Record<string, number>;
  errorKinds: Record<string, number>;
  binaryOps: Record<string, number>;
  kernels: Record<string, number>;
  inferenceWeights: Record<string, number>;
  distributions: Record<string, number>;
  unaryOps: Record<string, number>;
  reduceOps: Record<string, number>;
  elementLosses: Record<string, number>;
  classLosses: Record<string, number>;
  optimizers: Record<string, number>;
  gruActivations: Record<string, number>;
  gruGateSteps: Record<'resetAfter' | 'resetPass' | 'updatePass', number>;
  gruConfigFields: NativeGruConfigField[];
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
  /** The kernel family OpenBLAS runs here. */
  blasCore: string;
  /** Which variant of our own hot loops runs here (Note [CPU kernel variants]). */
  kernels: string;
  /** What runs large float32 GEMMs here: our AVX-512 kernel or OpenBLAS (Note [Our sgemm]). */
  sgemm: string;
  threads: number;
  /** Native calls that have run parts side by side on the addon's own threads (Note [GRU thread split]). */
  sideBySideRuns: number;
  /** Step teams that dissolved on a busy machine, their leader going on alone (native/cpu/step_team.h). */
  dissolvedTeams: number;
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
  /** The file it was opened from (Note [CUDA library folders]). */
  path: string;
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

/**
 * [y, hN, reserveElements, reserve, generatorWords]: the outputs; the reserve a training call
 * returns for backward (sized and allocated by the backend) and its element count; the
 * generator words the call's dropout consumed.
 */
export type NativeGruForwardResult = [y: TensorHandle, hN: TensorHandle, reserveElements: number, reserve: TensorHandle | null, generatorWords: number];

export interface NativeBinding {
  TensorHandle: new () => TensorHandle;
  empty(dtype: number, device: number, numel: number): TensorHandle;
  /** empty + fill; the value must be storable in the dtype (checked before allocating). */
  full(dtype: number, device: number, numel: number, value: number): TensorHandle;
  fromTypedArray(data: AnyTypedArray, dtype: number, device: number): TensorHandle;
  view(tensor: TensorHandle, elementOffset: number, numel: number): TensorHandle;
  /** Copies the values into `destination` (the tensor's dtype and element count), blocking. */
  readSync(tensor: TensorHandle, destination: AnyTypedArray): void;
  /** Resolves with `destination` once queued work is done and the values are in it. */
  readAsync<A extends AnyTypedArray>(tensor: TensorHandle, destination: A): Promise<A>;
  fill(tensor: TensorHandle, value: number): void;
  /** Block copy on one device: `rows` rows of `rowElements`, offsets and strides in elements. */
  copy(dst: TensorHandle, dstOffset: number, dstRowStride: number, src: TensorHandle, srcOffset: number,
       srcRowStride: number, rows: number, rowElements: number): void;
  /** A Philox draw (distribution code from constants().distributions); returns the words consumed. */
  random(tensor: TensorHandle, distribution: number, seed: bigint, offset: number, a: number, b: number): number;
  synchronize(device: number): void;

  /**
   * op: constants().binaryOps. Without geometry, b has out's element count or one element;
   * with it ([shape..., aStrides..., bStrides...], Note [Strided geometry]) both are broadcast.
   */
  binary(op: number, out: TensorHandle, a: TensorHandle, b: TensorHandle, geometry?: Float64Array | null): void;
  /** out = a converted to out's dtype (same element count and device; float to int32 truncates). */
  cast(out: TensorHandle, a: TensorHandle): void;
  /** op: constants().unaryOps; p0, p1: the op's parameters. */
  unary(op: number, out: TensorHandle, a: TensorHandle, p0: number, p1: number): void;
  unaryBackward(op: number, gradIn: TensorHandle, gradOut: TensorHandle, x: TensorHandle, y: TensorHandle, p0: number, p1: number): void;
  /** geometry: [shape..., dstStrides..., srcStrides...]. */
  stridedCopy(dst: TensorHandle, dstOffset: number, src: TensorHandle, srcOffset: number, geometry: Float64Array): void;
  /** op: constants().reduceOps, along n of [outer, n, inner]; indices (int32) for max and min. */
  reduce(op: number, out: TensorHandle, indices: TensorHandle | null, a: TensorHandle, outer: number, n: number, inner: number, p: number): void;
  softmax(log: boolean, out: TensorHandle, a: TensorHandle, outer: number, n: number, inner: number): void;
  softmaxBackward(log: boolean, gradIn: TensorHandle, gradOut: TensorHandle, y: TensorHandle, outer: number, n: number, inner: number): void;
  /** Note [Gather geometry]; `what` names the index tensor in errors. */
  gather(perElement: boolean, scatter: boolean, a: TensorHandle, out: TensorHandle, index: TensorHandle, outer: number, n: number,
         k: number, inner: number, what: string): void;
  /** kind: constants().elementLosses. */
  elementLoss(out: TensorHandle, kind: number, input: TensorHandle, target: TensorHandle, weight: TensorHandle | null,
              posWeight: TensorHandle | null, lastDim: number, beta: number): void;
  elementLossBackward(gradIn: TensorHandle, gradOut: TensorHandle, scale: number, kind: number, input: TensorHandle, target: TensorHandle,
                      weight: TensorHandle | null, posWeight: TensorHandle | null, lastDim: number, beta: number): void;
  /** kind: constants().classLosses (Note [Class losses]). */
  classLoss(loss: TensorHandle, rowWeight: TensorHandle, kind: number, probabilityTarget: boolean, logSumExp: TensorHandle | null,
            input: TensorHandle, target: TensorHandle, weight: TensorHandle | null, rows: number, classes: number,
            ignoreIndex: number, labelSmoothing: number): void;
  classLossBackward(gradIn: TensorHandle, gradOut: TensorHandle, kind: number, probabilityTarget: boolean, logSumExp: TensorHandle | null,
                    input: TensorHandle, target: TensorHandle, weight: TensorHandle | null, rows: number, classes: number,
                    ignoreIndex: number, labelSmoothing: number): void;
  /**
   * kind: constants().optimizers; hyper: [lr, beta1, beta2, eps, weightDecay, momentum,
   * dampening, nesterov, maximize, amsgrad, decoupled, centered, kerasEpsilon, lrDecay]; states: 3 per parameter.
   */
  optimizerStep(kind: number, hyper: Float64Array, params: TensorHandle[], grads: TensorHandle[], states: (TensorHandle | null)[],
                steps: Float64Array, firstSteps: Float64Array): void;
  /** dst = alpha * src + beta * dst */
  axpby(dst: TensorHandle, src: TensorHandle, alpha: number, beta: number): void;
  sum(out: TensorHandle, a: TensorHandle): void;
  /**
   * Row-major C[m x n] = alpha * op(A) op(B) + beta * C, `batch` times at the given element
   * strides; `bias` ([n], CPU only) is added to every row as the product is stored.
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: TensorHandle, b: TensorHandle, beta: number, c: TensorHandle,
       batch?: number, strideA?: number, strideB?: number, strideC?: number, bias?: TensorHandle | null): void;

  /** config: packGruConfig(...) (lib/native/gru-config.ts); kernel: constants().kernels. */
  gruForward(config: Float64Array, x: TensorHandle, h0: TensorHandle | null, weights: TensorHandle,
             lengths: Int32Array | null, training: boolean, kernel: number): NativeGruForwardResult;
  /** dweights is added to (null: no weight gradient). */
  gruBackward(config: Float64Array, x: TensorHandle, h0: TensorHandle | null, weights: TensorHandle,
              lengths: Int32Array | null, reserve: TensorHandle, y: TensorHandle | null, dy: TensorHandle | null,
              dhN: TensorHandle | null, needDx: boolean, needDh0: boolean, dweights: TensorHandle | null,
              kernel: number): { dx: TensorHandle | null; dh0: TensorHandle | null };
  /** A pass of a GRU step's gates (native/ops/gru_gate_step.h; step: constants().gruGateSteps; widths in GruGatesRequest). */
  gruGates(step: number, activation: number, recurrentActivation: number, out: TensorHandle, saved: TensorHandle | null, gi: TensorHandle,
           gh: TensorHandle, h: TensorHandle, gates: TensorHandle | null, batch: number, hidden: number): void;
  /** Its backward: dgi, dgh, dh (and dGates for the update pass) from dOut. */
  gruGatesBackward(step: number, activation: number, recurrentActivation: number, dgi: TensorHandle, dgh: TensorHandle, dh: TensorHandle,
                   dGates: TensorHandle | null, saved: TensorHandle, h: TensorHandle, dOut: TensorHandle, gates: TensorHandle | null,
                   batch: number, hidden: number): void;
  /** A CPU float32 GRU's weights packed for inference (Note [Inference weight copies]); format: constants().inferenceWeights. */
  gruInferenceCopy(config: Float64Array, weights: TensorHandle, format: number): [TensorHandle, number];
  /** An inference forward from such a copy: [y, hN]. */
  gruForwardInference(config: Float64Array, x: TensorHandle, h0: TensorHandle | null, copy: TensorHandle,
                      lengths: Int32Array | null, format: number): [TensorHandle, TensorHandle];
  /** The flat parameter count of a GRU (Note [GRU weight layout]). */
  gruWeightCount(config: Float64Array): number;
  /** Whether cuDNN reads the flat weights as they are ('direct') or through a packed copy; cuda only. */
  gruCudnnWeightRoute(config: Float64Array, dtype: number): 'direct' | 'packed' | 'packed (forced)';

  constants(): NativeConstants;
  setErrorFactory(factory: (kind: number, message: string, code: string) => Error): void;
  memory(): NativeMemory;
  cpuInfo(): NativeCpuInfo;
  setNumThreads(threads: number): void;
  probeCuda(): NativeCudaProbe;
  /** Tests: throws a C++ exception of sort `what` (0 int, 1 std::runtime_error, 2 std::bad_alloc, 3 gru::Error). */
  throwForTest(what: number): never;

  /** Copies src into dst (same dtype and element count) on any pair of devices, ordered after the work queued on both. */
  toDevice(dst: TensorHandle, src: TensorHandle): void;
  /** Frees the blocks the host and CUDA caching allocators keep for reuse. */
  emptyCache(): void;
  /** cuDNN and cuBLAS versions found by the probe ('' when not loaded). */
  cudaLibraryVersions(): { cudnn: string; cublas: string; cudnnPath: string; cublasPath: string };
  /** Tests: kind 0 cuDNN, 1 cuBLAS, 2 CUDA runtime; unknown codes give UNKNOWN_..._<code>. Throws without CUDA. */
  cudaStatusName(kind: number, code: number): string;
  /** Tests: tries to open cuDNN and cuBLAS and says what happened. Throws without CUDA. */
  cudaLibraries(): { cudnn: NativeCudaLibrary; cublas: NativeCudaLibrary };
}
