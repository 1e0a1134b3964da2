/** Adagrad (torch.optim.Adagrad): a running sum of squared gradients, lr decay, weight decay and maximize. */
import type { Tensor } from '../tensor';
import { checkNonNegative } from './option-checks';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer';
import { runUpdate } from './update';

export type AdagradOptions = {
  lr: number;
  /** The step size at step t is lr / (1 + (t - 1) lrDecay). */
  lrDecay: number;
  weightDecay: number;
  /** What the sum of squared gradients starts at. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
};

type Options = AdagradOptions & Record<string, number | boolean>;
const STATE = ['sum'] as const;

export class Adagrad extends Optimizer<Options> {
  /** @internal Keras's rule: epsilon inside the root. */
  protected readonly kerasEpsilon: boolean = false;
  /** @internal Keras's weight decay: p *= 1 - lr * weightDecay before the step. */
  protected readonly decoupled: boolean = false;

  /** Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10. */
  constructor(params: ParamsInput<AdagradOptions>, options?: Partial<AdagradOptions>, defaults?: Partial<AdagradOptions>, where = 'Adagrad') {
    super(params as never, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...defaults } as never,
      options as never, where);
    // As torch does: the sums exist from the start, so stateDict() before any step holds them.
    for (const group of this.paramGroups) for (const p of group.params) this.stateOf(p, STATE, group.options.initialAccumulatorValue);
  }

  protected validateOptions(o: AdagradOptions, where: string): void {
    checkNonNegative(o.lr, `${where} lr`);
    checkNonNegative(o.lrDecay, `${where} lrDecay`);
    checkNonNegative(o.weightDecay, `${where} weightDecay`);
    checkNonNegative(o.initialAccumulatorValue, `${where} initialAccumulatorValue`);
    checkNonNegative(o.eps, `${where} eps`);
  }

  protected updateGroup(group: ParamGroup<Options>, params: Tensor[]): void {
    const o = group.options;
    const states = params.map((p) => this.stateOf(p, STATE, o.initialAccumulatorValue));
    runUpdate('adagrad', params, states, { ...o, kerasEpsilon: this.kerasEpsilon, decoupledWeightDecay: this.decoupled }, STATE);
  }
}
