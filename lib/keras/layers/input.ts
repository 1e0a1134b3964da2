/**
 * keras.layers.inputLayer({ inputShape }) (TF.js's) and keras.input({ shape }) (Keras's Input):
 * declare a Sequential model's input shape as its first entry. Neither is one of the model's
 * layers (Keras leaves them out of model.layers and the summary too).
 */
import { checkOptions } from '../../arguments';
import { ArgumentError } from '../../errors';
import type { Tensor } from '../../tensor';
import { SymbolicTensor } from '../symbolic';
import { LAYER_OPTIONS, WeightlessLayer, type LayerOptions, type Shape } from './layer';

export interface InputOptions {
  /** The shape without the batch dimension (null for any size). */
  shape?: Shape;
  /** The shape with the batch dimension (null for any size). */
  batchShape?: Shape;
  name?: string;
}

/** keras.input: a model input placeholder of `shape` (checked as a layer's inputShape is). */
export function input(options: InputOptions): SymbolicTensor {
  const o = checkOptions(options, ['shape', 'batchShape', 'name'], 'input options');
  const declared = new InputLayer({ name: o.name ?? 'input_layer', inputShape: o.shape, batchInputShape: o.batchShape });
  return new SymbolicTensor(declared.declaredInputShape!, null, null, declared.name);
}

export class InputLayer extends WeightlessLayer {
  constructor(options: LayerOptions) {
    const o = checkOptions(options, LAYER_OPTIONS, 'inputLayer options');
    super(o, 'input_layer', 'InputLayer');
    if (this.declaredInputShape === null) throw new ArgumentError('inputLayer options: give inputShape or batchInputShape');
  }


  call(x: Tensor): Tensor {
    return x.reshape(x.shape);
  }
}
