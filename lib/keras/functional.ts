/**
 * keras.model({ inputs, outputs }) for the graphs a chain of layers makes (Keras's functional API,
 * tutorial 4's `Model(inputs, Dense(1)(GRU(64)(inputs)))`): one keras.input, each layer applied
 * once, one output. The model is the same as a Sequential of those layers.
 */
import { checkOptions } from '../arguments';
import type { Device, FloatDType } from '../dtype';
import { ArgumentError } from '../errors';
import type { Generator } from '../random';
import { uniqueName } from './layers/layer';
import { Sequential } from './sequential';
import { checkSymbolic } from './symbolic';

export interface ModelOptions {
  /** A keras.input() (or a one-element array of it). */
  inputs: unknown;
  /** The output placeholder: layers applied one after another to `inputs`. */
  outputs: unknown;
  name?: string;
  dtype?: FloatDType;
  device?: Device;
  generator?: Generator;
}

export function functionalModel(options: ModelOptions): Sequential {
  const o = checkOptions(options, ['inputs', 'outputs', 'name', 'dtype', 'device', 'generator'], 'keras.model options');
  const inputs = checkSymbolic(o.inputs, 'keras.model options.inputs');
  const outputs = checkSymbolic(o.outputs, 'keras.model options.outputs');
  if (inputs.parent !== null) throw new ArgumentError('keras.model options.inputs must be a keras.input(), not a layer\'s output');
  const { input, layers } = outputs.chain();
  if (input !== inputs) throw new ArgumentError('keras.model options.outputs must be computed from options.inputs by applying layers to it');
  if (new Set(layers).size !== layers.length) throw new ArgumentError('keras.model: a layer applied twice (a shared layer) is not supported yet');
  return new Sequential({ name: o.name ?? uniqueName('functional'), dtype: o.dtype, device: o.device, generator: o.generator, layers: [inputs, ...layers] });
}
