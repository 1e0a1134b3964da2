/**
 * Keras's losses for compile(), by Keras 3 name (snake_case) or TF.js name (camelCase), as
 * per-sample values (averaged over the last axis where Keras averages) with Keras's 1e-7 clipping
 * of probabilities, which torch's losses do not do; reduction.ts reduces them. Composed from
 * differentiable ops.
 */
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { cast } from '../ops/cast';
import { add, mul, neg, sub } from '../ops/arithmetic';
import { gather } from '../ops/indexing';
import { mean, sum } from '../ops/reduce';
import { abs, clamp, log } from '../ops/unary';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';

/** Keras's epsilon() (keras.config.epsilon). */
export const EPSILON = 1e-7;

export const LOSS_NAMES = ['meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;
export type LossName = (typeof LOSS_NAMES)[number];
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

const LOSS_SPELLINGS: Record<string, LossName> = {
  mse: 'meanSquaredError', mean_squared_error: 'meanSquaredError', MSE: 'meanSquaredError',
  mae: 'meanAbsoluteError', mean_absolute_error: 'meanAbsoluteError', MAE: 'meanAbsoluteError',
  binary_crossentropy: 'binaryCrossentropy', categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
};

function requireSameShape(yTrue: Tensor, yPred: Tensor, loss: string): void {
  if (!sameShape(yTrue.shape, yPred.shape)) {
    throw new ShapeError(`${loss}: targets ${formatShape(yTrue.shape)} and predictions ${formatShape(yPred.shape)} must have one shape`);
  }
}

/** Labels as int32 class indices [batch, ...] (a trailing 1 squeezed, floats converted). */
export function classIndices(yTrue: Tensor, yPred: Tensor, loss: string): Tensor {
  let labels = yTrue;
  if (labels.ndim === yPred.ndim && labels.shape[labels.ndim - 1] === 1) labels = labels.reshape(labels.shape.slice(0, -1));
  if (!sameShape(labels.shape, yPred.shape.slice(0, -1))) {
    throw new ShapeError(`${loss}: labels must be ${formatShape(yPred.shape.slice(0, -1))} (class indices for predictions ${formatShape(yPred.shape)}), got ${formatShape(yTrue.shape)}`);
  }
  return labels.dtype === 'int32' ? labels : cast(labels, 'int32');
}

/** Each sample's loss, [batch, ...]: Keras's loss functions before the reduction. */
export const PER_SAMPLE: Record<LossName, LossFunction> = {
  meanSquaredError: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'meanSquaredError');
    const d = sub(yPred, yTrue);
    return mean(mul(d, d), -1);
  },
  meanAbsoluteError: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'meanAbsoluteError');
    return mean(abs(sub(yPred, yTrue)), -1);
  },
  binaryCrossentropy: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'binaryCrossentropy');
    const p = clamp(yPred, EPSILON, 1 - EPSILON);
    // -(y log p + (1 - y) log(1 - p)), averaged over the last axis.
    const positive = mul(yTrue, log(p));
    const negative = mul(oneMinus(yTrue), log(oneMinus(p)));
    return neg(mean(add(positive, negative), -1));
  },
  categoricalCrossentropy: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'categoricalCrossentropy');
    return categoricalCrossentropy(yTrue, yPred);
  },
  sparseCategoricalCrossentropy: (yTrue, yPred) => sparseCategoricalCrossentropy(yTrue, yPred, 'sparseCategoricalCrossentropy'),
};

export function categoricalCrossentropy(yTrue: Tensor, yPred: Tensor): Tensor {
  const p = clamp(divLast(yPred), EPSILON, 1 - EPSILON);
  return neg(sum(mul(yTrue, log(p)), -1));
}

export function sparseCategoricalCrossentropy(yTrue: Tensor, yPred: Tensor, loss: string): Tensor {
  const labels = classIndices(yTrue, yPred, loss);
  const p = clamp(divLast(yPred), EPSILON, 1 - EPSILON);
  const picked = gather(p, -1, labels.reshape([...labels.shape, 1]) as Tensor<'int32'>);
  return neg(log(picked.reshape(labels.shape)));
}

function oneMinus(t: Tensor): Tensor {
  return neg(sub(t, 1));
}

/** p / sum(p) over the last axis (Keras renormalises probabilities). */
function divLast(p: Tensor): Tensor {
  return p.div(sum(p, -1, { keepDim: true }));
}

/**
 * A compiled loss: a Keras name, or a function (yTrue, yPred) giving per-sample losses (or one
 * scalar, when no weights or masks apply), reduced as Keras reduces.
 */
export function checkLoss(value: unknown, where: string): { name: string; fn: LossFunction } {
  if (typeof value === 'function') return { name: value.name || 'loss', fn: value as LossFunction };
  const name = typeof value === 'string' ? LOSS_SPELLINGS[value] ?? value : value;
  if (typeof name !== 'string' || !(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new ArgumentError(`${where} must be one of ${[...LOSS_NAMES, ...Object.keys(LOSS_SPELLINGS)].map((n) => `'${n}'`).join(', ')} or a function (yTrue, yPred), got ${describe(value)}`);
  }
  return { name, fn: PER_SAMPLE[name as LossName] };
}

