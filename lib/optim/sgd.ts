/** SGD with momentum, dampening, Nesterov, weight decay and maximize (torch.optim.SGD). */
import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import { checkNonNegative, checkOptimizerNumber } from './option-checks';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer';
import { runUpdate } from './update';

export type SGDOptions = {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
};

const SGD_DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

export class SGD extends Optimizer<SGDOptions & Record<string, number | boolean>> {
  /** @internal Keras's weight decay: p *= 1 - lr * weightDecay before the step, not L2 in the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsInput<SGDOptions>, options?: Partial<SGDOptions>) {
    super(params as never, SGD_DEFAULTS as never, options as never, 'SGD');
  }

  protected validateOptions(o: SGDOptions, where: string): void {
    checkNonNegative(o.lr, `${where} lr`);
    checkNonNegative(o.momentum, `${where} momentum`);
    checkOptimizerNumber(o.dampening, `${where} dampening`);
    checkNonNegative(o.weightDecay, `${where} weightDecay`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ArgumentError(`${where}: nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
  }

  protected updateGroup(group: ParamGroup<SGDOptions & Record<string, number | boolean>>, params: Tensor[]): void {
    const o = group.options;
    const fresh = params.map((p) => o.momentum !== 0 && this.state.get(p)?.tensors.momentumBuffer === undefined);
    const states = params.map((p) => this.stateOf(p, o.momentum !== 0 ? ['momentumBuffer'] : []));
    runUpdate('sgd', params, states, { ...o, decoupledWeightDecay: this.decoupled }, ['momentumBuffer'], fresh);
  }
}
