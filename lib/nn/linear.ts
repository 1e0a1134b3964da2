/** Linear (torch.nn.Linear): y = x W^T + b over inputs [..., inFeatures], PyTorch's initialisation. */
import { checkInteger, checkOptions, optionalBoolean } from '../arguments';
import { checkDType, checkDevice, type Device, type FloatDType } from '../dtype';
import { DTypeError } from '../errors';
import { linear } from '../ops/matmul';
import { defaultGenerator, Generator } from '../random';
import { keep } from '../scope';
import { Tensor } from '../tensor';
import { Module } from './module';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Add a learned bias (default true). */
  bias?: boolean;
  dtype?: FloatDType;
  device?: Device;
  /** Draws the initial weights (default: the global generator). */
  generator?: Generator;
}

const LINEAR_OPTIONS = ['inFeatures', 'outFeatures', 'bias', 'dtype', 'device', 'generator'] as const;

/** U(-1/sqrt(fanIn), 1/sqrt(fanIn)), what torch's kaiming_uniform(a = sqrt(5)) and bias init come to. */
export function uniformParameter(shape: number[], bound: number, dtype: FloatDType, device: Device, generator: Generator): Tensor {
  return keep(Tensor.rand(shape, { dtype, device, generator, low: -bound, high: bound })).requiresGrad_();
}

export function resolveFloatDType(value: unknown, where: string): FloatDType {
  const dtype = value === undefined ? 'float32' : checkDType(value, where);
  if (dtype === 'int32') throw new DTypeError(`${where} must be float32 or float64, got int32`);
  return dtype;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(options: LinearOptions) {
    super();
    const o = checkOptions(options, LINEAR_OPTIONS, 'Linear options');
    this.inFeatures = checkInteger(o.inFeatures, 'Linear options.inFeatures', 0);
    this.outFeatures = checkInteger(o.outFeatures, 'Linear options.outFeatures', 0);
    const dtype = resolveFloatDType(o.dtype, 'Linear options.dtype');
    const device = o.device === undefined ? 'cpu' : checkDevice(o.device, 'Linear options.device');
    const generator = o.generator ?? defaultGenerator;
    const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
    this.weight = uniformParameter([this.outFeatures, this.inFeatures], bound, dtype, device, generator);
    this.bias = optionalBoolean(o.bias, true, 'Linear options.bias') ? uniformParameter([this.outFeatures], bound, dtype, device, generator) : null;
  }

  forward(x: Tensor): Tensor {
    this.checkAlive();
    return linear(x, this.weight, this.bias);
  }

  override toString(): string {
    return `Linear(inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null})`;
  }
}
