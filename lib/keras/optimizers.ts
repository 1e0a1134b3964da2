/**
 * Keras's optimizers for compile(): names ('adam', 'sgd', 'rmsprop', 'adamw') or
 * keras.optimizers.adam({ learningRate, ... }), with Keras 3's defaults and update rules (Adam's
 * epsilon on the uncorrected root, RMSprop's inside the root, decoupled weight decay), which
 * differ from torch.optim's. Built once the model's parameters exist.
 */
import { checkOptions } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { AdamFamily } from '../optim/adam';
import { Optimizer } from '../optim/optimizer';
import { RMSprop } from '../optim/rmsprop';
import { SGD } from '../optim/sgd';
import type { Tensor } from '../tensor';

export const OPTIMIZER_NAMES = ['adam', 'adamw', 'sgd', 'rmsprop'] as const;
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
}

const OPTION_KEYS: Record<OptimizerName, readonly string[]> = {
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'weightDecay'],
  adamw: ['learningRate', 'beta1', 'beta2', 'epsilon', 'amsgrad', 'weightDecay'],
  sgd: ['learningRate', 'momentum', 'nesterov', 'weightDecay'],
  rmsprop: ['learningRate', 'rho', 'momentum', 'epsilon', 'centered', 'weightDecay'],
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

class KerasAdam extends AdamFamily {
  // Keras's weight decay is decoupled on every optimizer.
  protected readonly decoupled = true;
  protected override readonly kerasEpsilon = true;
  constructor(params: Tensor[], o: KerasOptimizerOptions, defaultDecay: number, where: string) {
    super(params as never, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay: defaultDecay, amsgrad: false, maximize: false } as never,
      withoutUndefined({ lr: o.learningRate, beta1: o.beta1, beta2: o.beta2, eps: o.epsilon, weightDecay: o.weightDecay, amsgrad: o.amsgrad }) as never, where);
  }
}

class KerasRMSprop extends RMSprop {
  protected override readonly kerasEpsilon = true;
  constructor(params: Tensor[], o: KerasOptimizerOptions) {
    super(params, withoutUndefined({ lr: o.learningRate, alpha: o.rho, eps: o.epsilon, momentum: o.momentum, centered: o.centered, weightDecay: o.weightDecay }) as never,
      { lr: 1e-3, alpha: 0.9, eps: 1e-7 }, 'rmsprop');
  }
}


/** A spec from a name or options, checked now (unknown option names are errors). */
export function optimizerSpec(name: OptimizerName, options: KerasOptimizerOptions = {}): KerasOptimizerSpec {
  const o = checkOptions(options, OPTION_KEYS[name], `keras.optimizers.${name} options`);
  return Object.freeze({ name, options: o });
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
  switch (input.name) {
    case 'adam': return new KerasAdam(params, o, 0, 'adam');
    case 'adamw': return new KerasAdam(params, o, 0.004, 'adamw');
    case 'rmsprop': return new KerasRMSprop(params, o);
    case 'sgd':
      // While the learning rate is constant, Keras's m = mu m - lr g equals torch's form.
      return new SGD(params, withoutUndefined({ lr: o.learningRate ?? 0.01, momentum: o.momentum, nesterov: o.nesterov, weightDecay: o.weightDecay }));
  }
}

/** keras.optimizers.adam({ learningRate: 1e-3 }) and the like. */
export const optimizers = {
  adam: (options?: KerasOptimizerOptions) => optimizerSpec('adam', options),
  adamw: (options?: KerasOptimizerOptions) => optimizerSpec('adamw', options),
  sgd: (options?: KerasOptimizerOptions) => optimizerSpec('sgd', options),
  rmsprop: (options?: KerasOptimizerOptions) => optimizerSpec('rmsprop', options),
};
