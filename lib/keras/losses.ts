/**
 * Keras's losses and metrics for compile(), by Keras 3 name (snake_case) or TF.js name
 * (camelCase), with Keras's reduction (the mean over the batch of each sample's loss, the
 * samples' losses averaged over their last axis) and its 1e-7 clipping of probabilities, which
 * torch's losses do not do. Composed from differentiable ops.
 */
import { noGrad } from '../autograd/grad-mode';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { cast } from '../ops/cast';
import { add, eq, gt, mul, neg, sub } from '../ops/arithmetic';
import { gather } from '../ops/indexing';
import { argmax, mean, sum } from '../ops/reduce';
import { abs, clamp, log } from '../ops/unary';
import { scope } from '../scope';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';

const EPSILON = 1e-7;

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
function classIndices(yTrue: Tensor, yPred: Tensor, loss: string): Tensor {
  let labels = yTrue;
  if (labels.ndim === yPred.ndim && labels.shape[labels.ndim - 1] === 1) labels = labels.reshape(labels.shape.slice(0, -1));
  if (!sameShape(labels.shape, yPred.shape.slice(0, -1))) {
    throw new ShapeError(`${loss}: labels must be ${formatShape(yPred.shape.slice(0, -1))} (class indices for predictions ${formatShape(yPred.shape)}), got ${formatShape(yTrue.shape)}`);
  }
  return labels.dtype === 'int32' ? labels : cast(labels, 'int32');
}

const LOSSES: Record<LossName, LossFunction> = {
  meanSquaredError: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'meanSquaredError');
    const d = sub(yPred, yTrue);
    return mean(mul(d, d));
  },
  meanAbsoluteError: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'meanAbsoluteError');
    return mean(abs(sub(yPred, yTrue)));
  },
  binaryCrossentropy: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'binaryCrossentropy');
    const p = clamp(yPred, EPSILON, 1 - EPSILON);
    // -(y log p + (1 - y) log(1 - p)), averaged over every element.
    const positive = mul(yTrue, log(p));
    const negative = mul(oneMinus(yTrue), log(oneMinus(p)));
    return mul(mean(add(positive, negative)), -1);
  },
  categoricalCrossentropy: (yTrue, yPred) => {
    requireSameShape(yTrue, yPred, 'categoricalCrossentropy');
    const p = clamp(divLast(yPred), EPSILON, 1 - EPSILON);
    return mul(mean(sum(mul(yTrue, log(p)), -1)), -1);
  },
  sparseCategoricalCrossentropy: (yTrue, yPred) => {
    const labels = classIndices(yTrue, yPred, 'sparseCategoricalCrossentropy');
    const p = clamp(divLast(yPred), EPSILON, 1 - EPSILON);
    const picked = gather(p, -1, labels.reshape([...labels.shape, 1]) as Tensor<'int32'>);
    return mul(mean(log(picked)), -1);
  },
};

function oneMinus(t: Tensor): Tensor {
  return neg(sub(t, 1));
}

/** p / sum(p) over the last axis (Keras renormalises probabilities). */
function divLast(p: Tensor): Tensor {
  return p.div(sum(p, -1, { keepDim: true }));
}

export function checkLoss(value: unknown, where: string): { name: string; fn: LossFunction } {
  if (typeof value === 'function') return { name: value.name || 'loss', fn: value as LossFunction };
  const name = typeof value === 'string' ? LOSS_SPELLINGS[value] ?? value : value;
  if (typeof name !== 'string' || !(LOSS_NAMES as readonly string[]).includes(name)) {
    throw new ArgumentError(`${where} must be one of ${[...LOSS_NAMES, ...Object.keys(LOSS_SPELLINGS)].map((n) => `'${n}'`).join(', ')} or a function (yTrue, yPred), got ${describe(value)}`);
  }
  // Keras's sum_over_batch_size reduction composed over a scope, so intermediates are freed.
  const fn = LOSSES[name as LossName];
  return { name, fn: (yTrue, yPred) => scope(() => fn(yTrue, yPred)) };
}

export const METRIC_NAMES = ['accuracy', 'acc', 'mse', 'mae'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export function checkMetric(value: unknown, where: string): MetricName {
  if (!(METRIC_NAMES as readonly unknown[]).includes(value)) {
    throw new ArgumentError(`${where} must be one of ${METRIC_NAMES.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as MetricName;
}

/**
 * A metric over one batch (a scalar tensor, the mean over its samples); no gradients. Keras 3
 * resolves 'accuracy' from shapes: binary when predictions have one column (threshold 0.5),
 * sparse when the labels have one dimension fewer (or a last dimension of 1), else categorical.
 */
export function metricValue(name: MetricName, yTrue: Tensor, yPred: Tensor): Tensor {
  return noGrad(() => scope(() => {
    if (name === 'mse') return mean(mul(sub(yPred, yTrue), sub(yPred, yTrue)));
    if (name === 'mae') return mean(abs(sub(yPred, yTrue)));
    const classes = yPred.shape[yPred.ndim - 1];
    if (classes === 1) return mean(eq(cast(gt(yPred, 0.5), yTrue.dtype), yTrue).toDType(yPred.dtype));
    const predicted = argmax(yPred, -1);
    const sparse = yTrue.ndim < yPred.ndim || yTrue.shape[yTrue.ndim - 1] === 1;
    const truth = sparse ? classIndices(yTrue, yPred, 'accuracy') : argmax(yTrue, -1);
    return mean(cast(eq(predicted, truth), yPred.dtype));
  }));
}
