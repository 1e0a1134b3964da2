/** Validation of GRU and GRUCell constructor options, with messages naming each option. */
import { checkDType, checkDevice, type DType, type Device } from '../dtype';
import { ArgumentError, BackendUnavailableError, describe } from '../errors';
import { requireDevice } from '../backends';
import { Generator, defaultGenerator } from '../random';
import { checkInteger } from '../shape';

export interface GRUOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  /** Use bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output are [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  bidirectional?: boolean;
  /**
   * true (default): PyTorch/cuDNN/Keras-default form, r applied after the recurrent matmul.
   * false: Keras reset_after=False / TF.js form, r applied to h before it (CPU only).
   */
  resetAfter?: boolean;
  /**
   * float32 on cuda may use TF32 tensor cores (cuDNN's default math): faster on Ampere and later
   * GPUs, about 1e-3 relative error. Default false: full float32 (FMA) math, as on the CPU.
   * Ignored on the CPU.
   */
  allowTF32?: boolean;
  dtype?: DType;
  device?: Device;
  /** Generator for initialisation and dropout (default: the global one). */
  generator?: Generator;
}

export interface ResolvedGRUOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
  resetAfter: boolean;
  allowTF32: boolean;
  dtype: DType;
  device: Device;
  generator: Generator;
}

function checkBoolean(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ArgumentError(`${name} must be a boolean, got ${describe(value)}`);
  return value;
}

export function resolveGRUOptions(options: unknown, layer: string): ResolvedGRUOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(`${layer} needs an options object like { inputSize: 8, hiddenSize: 16 }, got ${describe(options)}`);
  }
  const o = options as Partial<GRUOptions>;
  const dropout = o.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) {
    throw new ArgumentError(`${layer} options.dropout must be a number in [0, 1), got ${describe(dropout)}`);
  }
  if (o.generator !== undefined && !(o.generator instanceof Generator)) {
    throw new ArgumentError(`${layer} options.generator must be a Generator, got ${describe(o.generator)}`);
  }
  const dtype = o.dtype === undefined ? 'float32' : checkDType(o.dtype, `${layer} options.dtype`);
  if (dtype === 'int32') throw new ArgumentError(`${layer} options.dtype must be 'float32' or 'float64', got 'int32'`);
  const device = o.device === undefined ? 'cpu' : checkDevice(o.device, `${layer} options.device`);
  const resolved: ResolvedGRUOptions = {
    inputSize: checkInteger(o.inputSize, `${layer} options.inputSize`, 1),
    hiddenSize: checkInteger(o.hiddenSize, `${layer} options.hiddenSize`, 1),
    numLayers: checkInteger(o.numLayers ?? 1, `${layer} options.numLayers`, 1),
    bias: checkBoolean(o.bias, true, `${layer} options.bias`),
    batchFirst: checkBoolean(o.batchFirst, false, `${layer} options.batchFirst`),
    dropout,
    bidirectional: checkBoolean(o.bidirectional, false, `${layer} options.bidirectional`),
    resetAfter: checkBoolean(o.resetAfter, true, `${layer} options.resetAfter`),
    allowTF32: checkBoolean(o.allowTF32, false, `${layer} options.allowTF32`),
    dtype,
    device,
    generator: o.generator ?? defaultGenerator,
  };
  requireDevice(device);
  if (!resolved.resetAfter && device === 'cuda') {
    throw new BackendUnavailableError(`${layer} options.resetAfter: false is CPU only: cuDNN has no reset-before GRU`);
  }
  return resolved;
}
