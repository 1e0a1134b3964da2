/** gru-native: GRU networks for Node.js at native speed. */
export { Tensor, type TensorOptions, type RandomOptions, type TensorData } from './tensor';
export { type DType, type Device } from './dtype';
export { backends, getNumThreads, setNumThreads, type BackendInfo, type CudaDeviceInfo } from './backends';
export { memory, type MemoryInfo } from './memory';
export { Generator, defaultGenerator, manualSeed } from './random';
export {
  GruError,
  ArgumentError,
  ShapeError,
  DTypeError,
  DeviceError,
  BackendUnavailableError,
  NativeError,
  DisposedError,
  OutOfMemoryError,
} from './errors';
export { type NestedArray } from './nested';
