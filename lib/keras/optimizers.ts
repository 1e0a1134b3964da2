/**
 * Keras's optimizers for compile(): names ('adam', 'sgd', 'rmsprop', 'adamw', 'adagrad') or
 * keras.optimizers.adam({ learningRate, ... }), with Keras 3's defaults and update rules (Adam's
 * epsilon on the uncorrected root, RMSprop's and Adagrad's inside the root, decoupled weight
 * decay), which differ from torch.optim's, and Keras's gradient clipping (clipnorm, clipvalue,
 * globalClipnorm). Built once the model's parameters exist.
 */
import { checkBoolean, checkOptions } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { Adagrad } from '../optim/adagrad';
import { AdamFamily } from '../optim/adam';
import { kerasClip } from '../optim/clip';
import { checkNonNegative, checkOptimizerNumber, checkUnitInterval } from '../optim/option-checks';
import { Optimizer } from '../optim/optimizer';
import { RMSprop } from '../optim/rmsprop';
import { SGD } from '../optim/sgd';
import type { Tensor } from '../tensor';

export const OPTIMIZER_NAMES = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface KerasOptimizerOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
  weightDecay?: number;
  momentum?: number;
  nesterov?: boolean;
  /** RMSprop's decay of the squared-gradient average (Keras's rho). */
  rho?: number;
  centered?: boolean;
  /** Adagrad's starting accumulator (default 0.1). */
  initialAccumulatorValue?: number;
  /** Each gradient g becomes g c / max(||g||_2, c). At most one of the three clipping options. */
  clipnorm?: number;
  /** Each gradient element is clamped to [-c, c]. */
  clipvalue?: number;
  /** Every gradient is scaled by c / max(N, c), N the 2-norm of all of them together (Keras's global_clipnorm). */
  globalClipnorm?: number;
}

const CLIP_KEYS = ['clipnorm', 'clipvalue', 'globalClipnorm'] as const;

const OPTION_KEYS: Record<OptimizerName, readonly string[]> = {
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'weightDecay'],
  adamw: ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'weightDecay'],
  sgd: ['learningRate', 'momentum', 'nesterov', 'weightDecay'],
  rmsprop: ['learningRate', 'rho', 'momentum', 'epsilon', 'centered', 'weightDecay'],
  adagrad: ['learningRate', 'initialAccumulatorValue', 'epsilon', 'weightDecay'],
};

/** What compile() takes: a name, a spec from keras.optimizers.*, or a built optimizer. */
export interface KerasOptimizerSpec {
  readonly name: OptimizerName;
  readonly options: KerasOptimizerOptions;
}

export type OptimizerInput = OptimizerName | KerasOptimizerSpec | Optimizer;
type ResolvedOptimizer = KerasOptimizerSpec | Optimizer;

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// Keras's weight decay is decoupled on every optimizer: p *= 1 - lr * weightDecay before the step.
class KerasAdam extends AdamFamily {
  protected readonly decoupled = true;
  protected override readonly kerasEpsilon = true;
  constructor(params: Tensor[], o: KerasOptimizerOptions, defaultDecay: number, where: string) {
    super(params as never, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay: defaultDecay, amsgrad: false, maximize: false } as never,
      withoutUndefined({ lr: o.learningRate, beta1: o.beta1, beta2: o.beta2, eps: o.epsilon, weightDecay: o.weightDecay, amsgrad: o.amsgrad }) as never, where);
  }
}

class KerasRMSprop extends RMSprop {
  protected override readonly kerasEpsilon = true;
  protected override readonly decoupled = true;
  constructor(params: Tensor[], o: KerasOptimizerOptions) {
    super(params, withoutUndefined({ lr: o.learningRate, alpha: o.rho, eps: o.epsilon, momentum: o.momentum, centered: o.centered, weightDecay: o.weightDecay }) as never,
      { lr: 1e-3, alpha: 0.9, eps: 1e-7 }, 'rmsprop');
  }
}

class KerasSGD extends SGD {
  protected override readonly decoupled = true;
  constructor(params: Tensor[], o: KerasOptimizerOptions) {
    // While the learning rate is constant, Keras's m = mu m - lr g equals torch's form.
    // Keras accepts nesterov without momentum (plain SGD then); torch refuses it.
    const nesterov = o.nesterov === true && (o.momentum ?? 0) > 0;
    super(params, withoutUndefined({ lr: o.learningRate ?? 0.01, momentum: o.momentum, nesterov, weightDecay: o.weightDecay }));
  }
}

class KerasAdagrad extends Adagrad {
  protected override readonly kerasEpsilon = true;
  protected override readonly decoupled = true;
  constructor(params: Tensor[], o: KerasOptimizerOptions) {
    super(params, withoutUndefined({ lr: o.learningRate, initialAccumulatorValue: o.initialAccumulatorValue, eps: o.epsilon, weightDecay: o.weightDecay }) as never,
      { lr: 1e-3, initialAccumulatorValue: 0.1, eps: 1e-7 }, 'adagrad');
  }
}

/** The one clipping option set, if any: Keras refuses more than one. */
function clipOf(o: KerasOptimizerOptions, where: string): { how: (typeof CLIP_KEYS)[number]; value: number } | null {
  const set = CLIP_KEYS.filter((k) => o[k] !== undefined);
  if (set.length > 1) {
    throw new ArgumentError(`${where}: only one of clipnorm, clipvalue and globalClipnorm can be set, got ${set.map((k) => `${k} ${describe(o[k])}`).join(' and ')}`);
  }
  if (set.length === 0) return null;
  const value = checkOptimizerNumber(o[set[0]], `${where}.${set[0]}`);
  if (value <= 0) throw new ArgumentError(`${where}.${set[0]} must be > 0, got ${value}`);
  return { how: set[0], value };
}

// Each Keras option checked under its Keras name, at least as strictly as the torch-named
// constructor it maps to (so that one never reports an option the user did not write).
const OPTION_CHECKS: Record<string, (value: unknown, argument: string) => unknown> = {
  learningRate: checkNonNegative, epsilon: checkNonNegative, weightDecay: checkNonNegative, momentum: checkNonNegative,
  initialAccumulatorValue: checkNonNegative, beta1: checkUnitInterval, beta2: checkUnitInterval, rho: checkUnitInterval,
  amsgrad: checkBoolean, nesterov: checkBoolean, centered: checkBoolean,
};

/** A spec from a name or options, checked now (unknown option names are errors). */
export function optimizerSpec(name: OptimizerName, options: KerasOptimizerOptions = {}): KerasOptimizerSpec {
  const where = `keras.optimizers.${name} options`;
  const o = checkOptions(options, [...OPTION_KEYS[name], ...CLIP_KEYS], where);
  checkKerasOptions(o, where);
  clipOf(o, where);
  return Object.freeze({ name, options: o });
}

function checkKerasOptions(o: KerasOptimizerOptions, where: string): void {
  for (const [key, value] of Object.entries(o)) {
    if (value !== undefined && key in OPTION_CHECKS) OPTION_CHECKS[key](value, `${where}.${key}`);
  }
}

export function checkOptimizer(value: unknown, where: string): ResolvedOptimizer {
  if (value instanceof Optimizer) return value;
  if (typeof value === 'string') {
    const name = value.toLowerCase();
    if ((OPTIMIZER_NAMES as readonly string[]).includes(name)) return optimizerSpec(name as OptimizerName);
  } else if (typeof value === 'object' && value !== null && (OPTIMIZER_NAMES as readonly unknown[]).includes((value as KerasOptimizerSpec).name)) {
    return value as KerasOptimizerSpec;
  }
  throw new ArgumentError(`${where} must be one of ${OPTIMIZER_NAMES.map((n) => `'${n}'`).join(', ')}, a keras.optimizers spec or an optim.Optimizer, got ${describe(value)}`);
}

/** The optimizer over `params` a spec describes (an Optimizer instance is used as it is). */
export function buildOptimizer(input: ResolvedOptimizer, params: Tensor[]): Optimizer {
  if (input instanceof Optimizer) return input;
  const o = withoutUndefined(input.options);
  // Specs made by hand skip optimizerSpec's checks.
  checkKerasOptions(o, `keras.optimizers.${input.name} options`);
  const clip = clipOf(o, `keras.optimizers.${input.name} options`);
  const optimizer = ruleOf(input.name, o, params);
  if (clip !== null) optimizer.gradientHook = (grads) => kerasClip(grads, clip.how, clip.value);
  return optimizer;
}

function ruleOf(name: OptimizerName, o: KerasOptimizerOptions, params: Tensor[]): Optimizer {
  switch (name) {
    case 'adam': return new KerasAdam(params, o, 0, 'adam');
    case 'adamw': return new KerasAdam(params, o, 0.004, 'adamw');
    case 'rmsprop': return new KerasRMSprop(params, o);
    case 'adagrad': return new KerasAdagrad(params, o);
    case 'sgd': return new KerasSGD(params, o);
  }
}

/** keras.optimizers.adam({ learningRate: 1e-3 }) and the like. */
export const optimizers = {
  adam: (options?: KerasOptimizerOptions) => optimizerSpec('adam', options),
  adamw: (options?: KerasOptimizerOptions) => optimizerSpec('adamw', options),
  sgd: (options?: KerasOptimizerOptions) => optimizerSpec('sgd', options),
  rmsprop: (options?: KerasOptimizerOptions) => optimizerSpec('rmsprop', options),
  adagrad: (options?: KerasOptimizerOptions) => optimizerSpec('adagrad', options),
};
