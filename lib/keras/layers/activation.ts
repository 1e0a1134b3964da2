/** Keras's activation names for Dense and the like, as ops. */
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { softmax } from '../../ops/softmax';
import { relu, sigmoid, tanh } from '../../ops/unary';
import type { Tensor } from '../../tensor';

export const DENSE_ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const;
export type DenseActivation = (typeof DENSE_ACTIVATIONS)[number];

export function checkDenseActivation(value: unknown, argument: string): DenseActivation {
  if (value === undefined || value === null) return 'linear';
  if (!(DENSE_ACTIVATIONS as readonly unknown[]).includes(value)) {
    throw new ArgumentError(`${argument} must be one of ${DENSE_ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as DenseActivation;
}

/** f(x); 'softmax' runs over the last axis, as Keras's does. */
export function applyActivation(name: DenseActivation, x: Tensor): Tensor {
  switch (name) {
    case 'linear': return x.reshape(x.shape);
    case 'relu': return relu(x);
    case 'sigmoid': return sigmoid(x);
    case 'tanh': return tanh(x);
    case 'softmax': return softmax(x, -1);
  }
}
