/**
 * Which compute backends this process can use. The CUDA probe runs on the first call (never
 * at import), is cached, and never throws: an unusable GPU comes back with a reason.
 */
import { BackendUnavailableError } from './errors';
import type { Device } from './dtype';
import { loadedAddon, native } from './native/binding';
import { checkInteger } from './arguments';

export interface CudaDeviceInfo {
  index: number;
  name: string;
  computeCapability: string;
  totalBytes: number;
}

export interface BackendInfo {
  name: Device;
  available: boolean;
  /** Why the backend is unavailable (absent when available). */
  reason?: string;
  /**
   * Library versions, e.g. `{ openblas: '...' }` or
   * `{ cudaRuntime: '13.0', driver: '13.0', cudnn: '9.1.0', cublas: '13.0.2' }`.
   */
  version?: Record<string, string>;
  /** CPU: threads OpenBLAS uses. */
  threads?: number;
  /**
   * CPU: which kernels run here: `gru`, the variant of our own fused loops (`x86-64-v4`,
   * `x86-64-v3`, `x86-64`); `sgemm`, what runs large float32 GEMMs (`gru-native AVX-512` or
   * `OpenBLAS`); and `openblas`, the kernel family OpenBLAS picked.
   */
  kernels?: { gru: string; sgemm: string; openblas: string };
  /** CPU: the addon file loaded, and whether it is the prebuilt binary the package carries. */
  binary?: { path: string; prebuilt: boolean };
  /** CUDA: devices seen by the driver. */
  devices?: CudaDeviceInfo[];
  /** CUDA: the files cuDNN and cuBLAS were opened from (LD_LIBRARY_PATH, GRU_NATIVE_CUDA_LIBS or a Python environment's NVIDIA wheels). */
  libraries?: { cudnn?: string; cublas?: string };
}

let cached: BackendInfo[] | undefined;

function cudaVersion(code: number): string {
  return `${Math.floor(code / 1000)}.${Math.floor((code % 1000) / 10)}`;
}

function probe(): BackendInfo[] {
  const cpuInfo = native.cpuInfo();
  const cpu: BackendInfo = {
    name: 'cpu', available: true, version: { openblas: cpuInfo.blas }, threads: cpuInfo.threads,
    kernels: { gru: cpuInfo.kernels, sgemm: cpuInfo.sgemm, openblas: cpuInfo.blasCore }, binary: { ...loadedAddon },
  };
  const cudaProbe = native.probeCuda();
  const version: Record<string, string> = {};
  const opened: NonNullable<BackendInfo['libraries']> = {};
  if (cudaProbe.runtimeVersion) version.cudaRuntime = cudaVersion(cudaProbe.runtimeVersion);
  if (cudaProbe.driverVersion) version.driver = cudaVersion(cudaProbe.driverVersion);
  if (cudaProbe.compiled) {
    const libraries = native.cudaLibraryVersions();
    if (libraries.cudnn) version.cudnn = libraries.cudnn;
    if (libraries.cublas) version.cublas = libraries.cublas;
    if (libraries.cudnnPath) opened.cudnn = libraries.cudnnPath;
    if (libraries.cublasPath) opened.cublas = libraries.cublasPath;
  }
  const cuda: BackendInfo = { name: 'cuda', available: cudaProbe.available, devices: cudaProbe.devices };
  if (Object.keys(opened).length > 0) cuda.libraries = opened;
  if (!cudaProbe.available) cuda.reason = cudaProbe.reason;
  if (Object.keys(version).length > 0) cuda.version = version;
  return [cpu, cuda];
}

/** `[{ name: 'cpu', available: true, ... }, { name: 'cuda', available: false, reason: '...' }]` */
export function backends(): BackendInfo[] {
  cached ??= probe();
  // Callers get copies, nested objects included: the cache cannot be changed from outside.
  return cached.map((b) => structuredClone(b));
}

/** Throws BackendUnavailableError (with the probe's reason) unless `device` can run ops. */
export function requireDevice(device: Device): void {
  if (device === 'cpu') return;
  cached ??= probe();
  const info = cached.find((b) => b.name === device);
  if (!info?.available) {
    throw new BackendUnavailableError(`the ${device} backend is not available: ${info?.reason ?? 'unknown device'}`);
  }
}

/**
 * Sets the number of threads the CPU backend (OpenBLAS) uses; waits for queued CPU work first.
 * More than this OpenBLAS build can run is an ArgumentError naming its limit.
 */
export function setNumThreads(threads: number): void {
  native.setNumThreads(checkInteger(threads, 'threads', 1));
  if (cached) cached[0].threads = native.cpuInfo().threads;
}

export function getNumThreads(): number {
  return native.cpuInfo().threads;
}
