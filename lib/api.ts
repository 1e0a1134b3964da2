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
export {
  GRU, GRUCell, GRUInference, Module, Sequential, ModuleList, Linear, Embedding, ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Dropout,
  type GRUOptions, type GRUCellOptions, type GRUForwardOptions, type GRUOutput, type GRUStepOutput, type StateDict, type LoadStateDictOptions,
  type LinearOptions, type EmbeddingOptions, type DimOptions, type DropoutOptions,
  type GRUInferenceCopyOptions, type GRUInferenceOutput, type GRUInferenceStepOutput, type InferenceWeights,
} from './nn/index';
export { noGrad, isGradEnabled } from './autograd/grad-mode';
export { add, sub, mul, div, neg, scale, maximum, minimum, eq, ne, lt, le, gt, ge, type Operand } from './ops/arithmetic';
export { where } from './ops/where';
export { exp, log, sqrt, abs, relu, tanh, sigmoid, gelu, sign, pow, clamp } from './ops/unary';
export { sum, mean, max, min, argmax, argmin, type ReduceOptions, type ExtremeResult } from './ops/reduce';
export { softmax, logSoftmax } from './ops/softmax';
export { matmul, linear } from './ops/matmul';
export { permute, transpose, cat, stack, slice, select } from './ops/layout';
export { indexSelect, gather } from './ops/indexing';
export { dropout } from './ops/dropout';
export { cast } from './ops/cast';
export { reshape, narrow } from './ops/views';
export * as losses from './losses/index';
export * as optim from './optim/index';
export * as keras from './keras/index';
export { clipGradNorm, clipGradValue } from './optim/clip';
export {
  readSafetensors,
  readSafetensorsWithMetadata,
  writeSafetensors,
  parseSafetensors,
  serializeSafetensors,
  type RawTensor,
} from './weights/safetensors';
export { saveCheckpoint, loadCheckpoint, type CheckpointParts } from './weights/checkpoint';
export { exportOnnx, type ExportOnnxOptions } from './keras/io/onnx-export';
export * as datasets from './datasets/index';
export * as series from './series/index';
export * as text from './text/index';
