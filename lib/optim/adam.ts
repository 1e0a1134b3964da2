/** Adam and AdamW (torch.optim.Adam, torch.optim.AdamW), with amsgrad, weight decay and maximize. */
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Tensor } from '../tensor';
import { checkNonNegative, checkUnitInterval } from './option-checks';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer';
import { runUpdate } from './update';

export type AdamOptions = {
  lr: number;
  /** torch's betas[0] and betas[1]. */
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
};

/** What the constructor and param groups take: torch's `betas: [beta1, beta2]` or the two apart. */
export type AdamInput = Partial<AdamOptions> & { betas?: readonly [number, number] };

type Options = AdamOptions & Record<string, number | boolean>;
const STATE = ['expAvg', 'expAvgSq', 'maxExpAvgSq'] as const;

/** Adam's rule and its variants (decoupled decay for AdamW, Keras's epsilon placement); Adam, AdamW and keras.optimizers build on it. */
export abstract class AdamFamily extends Optimizer<Options> {
  protected abstract readonly decoupled: boolean;
  protected readonly kerasEpsilon: boolean = false;

  protected override spellOptions<T>(options: T, where: string): T {
    if (options === null || typeof options !== 'object' || !('betas' in options)) return options;
    const { betas, ...rest } = options as Record<string, unknown>;
    if ('beta1' in rest || 'beta2' in rest) throw new ArgumentError(`${where}: give betas or beta1 and beta2, not both`);
    if (!Array.isArray(betas) || betas.length !== 2) throw new ArgumentError(`${where}.betas must be a pair [beta1, beta2], got ${describe(betas)}`);
    return { ...rest, beta1: betas[0], beta2: betas[1] } as T;
  }

  protected validateOptions(o: AdamOptions, where: string): void {
    checkNonNegative(o.lr, `${where} lr`);
    checkUnitInterval(o.beta1, `${where} beta1`);
    checkUnitInterval(o.beta2, `${where} beta2`);
    checkNonNegative(o.eps, `${where} eps`);
    checkNonNegative(o.weightDecay, `${where} weightDecay`);
  }

  protected updateGroup(group: ParamGroup<Options>, params: Tensor[]): void {
    const o = group.options;
    const names = o.amsgrad ? STATE : STATE.slice(0, 2);
    const states = params.map((p) => this.stateOf(p, names));
    runUpdate('adam', params, states, { ...o, decoupledWeightDecay: this.decoupled, kerasEpsilon: this.kerasEpsilon }, STATE);
  }
}

/** Adam: weight decay is L2 added to the gradient. Defaults: lr 1e-3, betas 0.9/0.999, eps 1e-8. */
export class Adam extends AdamFamily {
  protected readonly decoupled = false;
  constructor(params: ParamsInput<AdamInput>, options?: AdamInput) {
    super(params as never, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false } as never, options as never, 'Adam');
  }
}

/** AdamW: decoupled weight decay, p *= 1 - lr * weightDecay before the update (default weightDecay 0.01). */
export class AdamW extends AdamFamily {
  protected readonly decoupled = true;
  constructor(params: ParamsInput<AdamInput>, options?: AdamInput) {
    super(params as never, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false } as never, options as never, 'AdamW');
  }
}
