/**
 * keras.input() and layer.apply() on it: placeholders with a shape that record which layer made
 * them from which input, so keras.model({ inputs, outputs }) can read the chain of layers back
 * (TF.js's SymbolicTensor, Keras's KerasTensor). No tensor is computed or built here.
 */
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Layer, Shape } from './layers/layer';

export class SymbolicTensor {
  /** `shape` without the batch dimension; `layer` made it from `parent` (both null for a model input). */
  constructor(readonly shape: Shape, readonly layer: Layer | null = null, readonly parent: SymbolicTensor | null = null, readonly name = 'input') {}

  /** The layers from the model input to this tensor, in order, and that input. */
  chain(): { input: SymbolicTensor; layers: Layer[] } {
    const layers: Layer[] = [];
    let at: SymbolicTensor = this;
    while (at.parent) {
      layers.unshift(at.layer!);
      at = at.parent;
    }
    return { input: at, layers };
  }
}

export function checkSymbolic(value: unknown, argument: string): SymbolicTensor {
  const one = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (!(one instanceof SymbolicTensor)) {
    throw new ArgumentError(`${argument} must be one keras.input() or a layer's output on it (models with several inputs or outputs are not supported yet), got ${describe(value)}`);
  }
  return one;
}
