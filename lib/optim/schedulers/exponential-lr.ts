/** ExponentialLR: the lr times gamma every epoch (torch.optim.lr_scheduler.ExponentialLR). */
import { checkOptions } from '../../arguments';
import { checkNonNegative } from '../option-checks';
import { LRScheduler, type ScheduledOptimizer } from './base';

export interface ExponentialLROptions {
  /** Factor applied each epoch (no default, as in torch). */
  gamma: number;
}

function readExponentialLR(raw: unknown, where: string): ExponentialLROptions {
  const o = checkOptions(raw as ExponentialLROptions | undefined, ['gamma'], where);
  return { gamma: checkNonNegative(o.gamma, `${where}.gamma`) };
}

export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: ScheduledOptimizer, options: ExponentialLROptions) {
    super(optimizer, options, readExponentialLR, 'ExponentialLR');
  }

  protected nextLr(lr: number, _baseLr: number, t: number): number {
    return t === 0 ? lr : lr * this.settings.gamma;
  }
}
