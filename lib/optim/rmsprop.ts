/** RMSprop (torch.optim.RMSprop): alpha, eps outside the square root, centered, momentum. */
import type { Tensor } from '../tensor';
import { checkNonNegative, checkUnitInterval } from './option-checks';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer';
import { runUpdate } from './update';

export type RMSpropOptions = {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
};

type Options = RMSpropOptions & Record<string, number | boolean>;
const STATE = ['squareAvg', 'momentumBuffer', 'gradAvg'] as const;

export class RMSprop extends Optimizer<Options> {
  /** @internal Keras's rule: epsilon inside the root, lr inside the momentum buffer. */
  protected readonly kerasEpsilon: boolean = false;
  /** @internal Keras's weight decay: p *= 1 - lr * weightDecay before the step, not L2 in the gradient. */
  protected readonly decoupled: boolean = false;

  /** Defaults: lr 1e-2, alpha 0.99, eps 1e-8. */
  constructor(params: ParamsInput<RMSpropOptions>, options?: Partial<RMSpropOptions>, defaults?: Partial<RMSpropOptions>, where = 'RMSprop') {
    super(params as never, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...defaults } as never,
      options as never, where);
  }

  protected validateOptions(o: RMSpropOptions, where: string): void {
    checkNonNegative(o.lr, `${where} lr`);
    checkUnitInterval(o.alpha, `${where} alpha`);
    checkNonNegative(o.eps, `${where} eps`);
    checkNonNegative(o.weightDecay, `${where} weightDecay`);
    checkNonNegative(o.momentum, `${where} momentum`);
  }

  protected updateGroup(group: ParamGroup<Options>, params: Tensor[]): void {
    const o = group.options;
    const names = ['squareAvg', ...(o.momentum > 0 ? ['momentumBuffer'] : []), ...(o.centered ? ['gradAvg'] : [])];
    const states = params.map((p) => this.stateOf(p, names));
    runUpdate('rmsprop', params, states, { ...o, kerasEpsilon: this.kerasEpsilon, decoupledWeightDecay: this.decoupled }, STATE);
  }
}
