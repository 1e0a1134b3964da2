/** gru-native: GRU networks for Node.js at native speed. */
export { Tensor, type TensorOptions, type RandomOptions, type TensorData } from './tensor';
export { type DType, type Device } from './dtype';
export { backends, getNumThreads, setNumThreads, type BackendInfo, type CudaDeviceInfo } from './backends';
export { emptyCache, memory, type MemoryInfo } from './memory';
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
export { GRU, GRUCell, Module, type GRUOptions, type GRUCellOptions, type GRUForwardOptions, type GRUOutput, type GRUStepOutput, type StateDict } from './nn/index';
export { noGrad, isGradEnabled } from './autograd/grad-mode';
export { add, sub, mul, div, neg, scale, sum, mean } from './ops/arithmetic';
export { matmul } from './ops/matmul';
export * as losses from './losses';
export {
  readSafetensors,
  readSafetensorsWithMetadata,
  writeSafetensors,
  parseSafetensors,
  serializeSafetensors,
  type RawTensor,
} from './weights/safetensors';
export * as datasets from './datasets/index';
