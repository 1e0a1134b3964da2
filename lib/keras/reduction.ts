/**
 * Keras's reduction of per-sample losses and metric values with sample weights and step masks:
 * sum_over_batch_size for losses, a weighted mean for metrics (Keras 3's Loss and Mean).
 */
import { ShapeError } from '../errors';
import { formatShape } from '../format';
import { add, mul, scale } from '../ops/arithmetic';
import { mean, sum } from '../ops/reduce';
import { Tensor } from '../tensor';
import { EPSILON } from './losses';

/** What scales each sample's loss: sample (or class) weights [batch] or [batch, steps], and the output's step mask. */
export interface LossWeights {
  sampleWeight: Tensor | null;
  /** 0/1 [batch, steps]: the real steps of a masked sequence output. */
  mask: Tensor | null;
}

/** `w` [batch] or [batch, steps] given trailing size-1 dimensions up to `values`' rank (Keras's squeeze_or_expand_to_same_rank). */
function toRankOf(w: Tensor, values: Tensor, what: string): Tensor {
  if (w.ndim > values.ndim || w.shape.some((s, i) => s !== values.shape[i])) {
    throw new ShapeError(`${what} ${formatShape(w.shape)} must match the leading dimensions of the per-sample losses ${formatShape(values.shape)}`);
  }
  return w.ndim === values.ndim ? w : w.reshape([...w.shape, ...new Array(values.ndim - w.ndim).fill(1)]);
}

/** The combined weight of each per-sample value (null when nothing weighs), broadcast to values' rank. */
function combinedWeights(values: Tensor, weights: LossWeights): Tensor | null {
  const sample = weights.sampleWeight ? toRankOf(weights.sampleWeight, values, 'sampleWeight') : null;
  const mask = weights.mask ? toRankOf(weights.mask, values, 'the output mask') : null;
  if (sample && mask) return mul(sample, mask);
  return sample ?? mask;
}

/**
 * Keras's sum_over_batch_size: the sum of the weighted per-sample losses over their count; with
 * a mask, over the count of real steps (Keras re-weights them by total / (valid + 1e-7)).
 */
export function reduceLoss(values: Tensor, weights: LossWeights, where: string): Tensor {
  if (!weights.sampleWeight && !weights.mask) return mean(values);
  if (values.ndim === 0) throw new ShapeError(`${where}: sample weights and masks need a loss that gives one value per sample, got a scalar`);
  const w = combinedWeights(values, weights)!;
  const total = sum(mul(values, w));
  if (weights.mask) return total.div(add(sum(toRankOf(weights.mask, values, 'the output mask')), EPSILON));
  return scale(total, 1 / values.numel);
}

/** A metric's sums over one batch: sum(value * weight) and sum(weight). */
export interface MetricSums {
  total: Tensor;
  count: Tensor | number;
}

/** Keras's weighted Mean: values weighted by the sample weights and the mask. */
export function metricSums(values: Tensor, weights: LossWeights): MetricSums {
  const w = combinedWeights(values, weights);
  if (!w) return { total: sum(values), count: values.numel };
  const full = mul(w, Tensor.ones(values.shape, { dtype: values.dtype, device: values.device }));
  return { total: sum(mul(values, full)), count: sum(full) };
}

