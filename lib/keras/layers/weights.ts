/** Checks of Keras-layout weights handed to setWeights(). */
import { checkTensor } from '../../checks';
import { ArgumentError, ShapeError } from '../../errors';
import { formatShape } from '../../format';
import type { Tensor } from '../../tensor';
import type { Layer } from './layer';

export function checkWeightCount(layer: Layer, weights: readonly Tensor[], expected: number): void {
  if (!Array.isArray(weights) || weights.length !== expected) {
    throw new ArgumentError(`${layer.name}.setWeights: expected ${expected} weights (getWeights() order), got ${Array.isArray(weights) ? weights.length : typeof weights}`);
  }
}

export function checkWeightShape(layer: Layer, name: string, t: Tensor, shape: readonly number[]): void {
  checkTensor(t, `${layer.name}.setWeights: ${name}`);
  if (t.ndim !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new ShapeError(`${layer.name}.setWeights: ${name} must have shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
  }
}
