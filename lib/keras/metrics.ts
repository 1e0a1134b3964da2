/** Keras's metrics for compile(): 'accuracy' (or 'acc'), 'mse', 'mae' and 'perplexity'. */
import { noGrad } from '../autograd/grad-mode';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { eq, gt } from '../ops/arithmetic';
import { cast } from '../ops/cast';
import { argmax, mean } from '../ops/reduce';
import { scope } from '../scope';
import type { Tensor } from '../tensor';
import { PER_SAMPLE, categoricalCrossentropy, classIndices, sparseCategoricalCrossentropy } from './losses';
import { metricSums, type LossWeights, type MetricSums } from './reduction';

export const METRIC_NAMES = ['accuracy', 'acc', 'mse', 'mae', 'perplexity'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export function checkMetric(value: unknown, where: string): MetricName {
  if (!(METRIC_NAMES as readonly unknown[]).includes(value)) {
    throw new ArgumentError(`${where} must be one of ${METRIC_NAMES.map((n) => `'${n}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as MetricName;
}

/** True when labels are class indices for yPred: one dimension fewer, or a last dimension of 1 (Keras 3's rule). */
function sparseLabels(yTrue: Tensor, yPred: Tensor): boolean {
  return yTrue.ndim < yPred.ndim || yTrue.shape[yTrue.ndim - 1] === 1;
}

/**
 * A metric's per-sample values; no gradients. Keras 3 resolves 'accuracy' from shapes: binary
 * when predictions have one column (threshold 0.5), sparse when the labels are indices, else
 * categorical. 'perplexity' is the cross-entropy here, exponentiated after averaging.
 */
function metricValues(name: MetricName, yTrue: Tensor, yPred: Tensor): Tensor {
  if (name === 'mse') return PER_SAMPLE.meanSquaredError(yTrue, yPred);
  if (name === 'mae') return PER_SAMPLE.meanAbsoluteError(yTrue, yPred);
  if (name === 'perplexity') {
    return sparseLabels(yTrue, yPred) ? sparseCategoricalCrossentropy(yTrue, yPred, 'perplexity') : categoricalCrossentropy(yTrue, yPred);
  }
  const classes = yPred.shape[yPred.ndim - 1];
  if (classes === 1) return mean(eq(cast(gt(yPred, 0.5), yTrue.dtype), yTrue).toDType(yPred.dtype), -1);
  const predicted = argmax(yPred, -1);
  const truth = sparseLabels(yTrue, yPred) ? classIndices(yTrue, yPred, 'accuracy') : argmax(yTrue, -1);
  return cast(eq(predicted, truth), yPred.dtype);
}

/** A compiled metric: its batch sums and how the epoch's weighted mean is shown. */
export interface Metric {
  name: string;
  sums(yTrue: Tensor, yPred: Tensor, weights: LossWeights): MetricSums;
  /** The logged value from the weighted mean (perplexity exponentiates it). */
  finish(mean: number): number;
}

export function compileMetric(name: MetricName): Metric {
  return {
    name,
    sums: (yTrue, yPred, weights) => noGrad(() => scope(() => metricSums(metricValues(name, yTrue, yPred), weights))),
    finish: name === 'perplexity' ? Math.exp : (mean) => mean,
  };
}
