/**
 * Keras's weight regularizers: keras.regularizers.l1({ l1 }), l2({ l2 }), l1l2({ l1, l2 }) or the
 * names 'l1', 'l2', 'l1l2' (Keras 3's defaults: 0.01; l1l2's 0 and 0). A layer's penalty,
 * l1 * sum|w| + l2 * sum w^2 over the weights each regularizes, joins the training loss (and
 * evaluate's), as Keras adds layer.losses to the loss it logs.
 */
import { checkOptions } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { abs } from '../ops/unary';
import { add, mul, scale } from '../ops/arithmetic';
import { sum } from '../ops/reduce';
import type { Tensor } from '../tensor';

export class Regularizer {
  constructor(readonly l1: number, readonly l2: number) {}

  /** The penalty on `weights` (a scalar, recorded for gradients). */
  penalty(weights: readonly Tensor[]): Tensor {
    let total: Tensor | null = null;
    for (const w of weights) {
      const terms: Tensor[] = [];
      if (this.l1 !== 0) terms.push(scale(sum(abs(w)), this.l1));
      if (this.l2 !== 0) terms.push(scale(sum(mul(w, w)), this.l2));
      for (const t of terms) total = total ? add(total, t) : t;
    }
    return total ?? scale(sum(weights[0]), 0);
  }
}

function factor(value: unknown, argument: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ArgumentError(`${argument} must be a number >= 0, got ${describe(value)}`);
  return value;
}

export const regularizers = {
  l1: (options: { l1?: number } = {}) => new Regularizer(factor(checkOptions(options, ['l1'], 'keras.regularizers.l1 options').l1, 'keras.regularizers.l1 options.l1', 0.01), 0),
  l2: (options: { l2?: number } = {}) => new Regularizer(0, factor(checkOptions(options, ['l2'], 'keras.regularizers.l2 options').l2, 'keras.regularizers.l2 options.l2', 0.01)),
  l1l2: (options: { l1?: number; l2?: number } = {}) => {
    const o = checkOptions(options, ['l1', 'l2'], 'keras.regularizers.l1l2 options');
    return new Regularizer(factor(o.l1, 'keras.regularizers.l1l2 options.l1', 0), factor(o.l2, 'keras.regularizers.l1l2 options.l2', 0));
  },
};

const NAMED: Record<string, () => Regularizer> = { l1: () => regularizers.l1(), l2: () => regularizers.l2(), l1l2: () => regularizers.l1l2(), l1_l2: () => regularizers.l1l2() };

/** A layer option: a Regularizer, one of the names, or nothing. */
export function checkRegularizer(value: unknown, argument: string): Regularizer | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Regularizer) return value;
  if (typeof value === 'string' && value in NAMED) return NAMED[value]();
  throw new ArgumentError(`${argument} must be keras.regularizers.l1/l2/l1l2(...) or one of 'l1', 'l2', 'l1l2', got ${describe(value)}`);
}
