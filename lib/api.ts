/** Everything gru-native exports (lib/index.ts adds the default export). */
import './tensor-methods';

export { Tensor, type TensorOptions, type RandomOptions, type UniformOptions, type NormalOptions, type BackwardOptions, type TensorData } from './tensor';
export { type DType, type Device, type FloatDType, type TypedArrayOf } from './dtype';
export { backends, getNumThreads, setNumThreads, type BackendInfo, type CudaDeviceInfo } from './backends';
export { emptyCache, memory, type MemoryInfo } from './memory';
export { Generator, defaultGenerator, manualSeed } from './random';
export { scope, keep } from './scope';
export * from './errors';
export { type NestedArray } from './nested';
export { GRU, GRUCell, Module, type GRUOptions, type GRUCellOptions, type GRUForwardOptions, type GRUOutput, type GRUStepOutput, type StateDict, type LoadStateDictOptions } from './nn/index';
export { noGrad, isGradEnabled } from './autograd/grad-mode';
export { add, sub, mul, div, neg, scale, sum, mean } from './ops/arithmetic';
export { matmul } from './ops/matmul';
export { reshape, narrow } from './ops/views';
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
