/** MultiStepLR: the lr times gamma at each milestone epoch (torch.optim.lr_scheduler.MultiStepLR). */
import { checkInteger, checkOptions } from '../../arguments';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { checkNonNegative } from '../option-checks';
import { LRScheduler, type ScheduledOptimizer, orDefault } from './base';

export interface MultiStepLROptions {
  /** Epochs at which to decay. A milestone given k times decays by gamma^k there (torch counts them). */
  milestones: readonly number[];
  /** Factor applied at each milestone; 0.1 by default. */
  gamma?: number;
}

interface MultiStepLRSettings {
  /** Sorted, repeats kept. */
  milestones: number[];
  gamma: number;
}

function readMultiStepLR(raw: unknown, where: string): MultiStepLRSettings {
  const o = checkOptions(raw as MultiStepLROptions | undefined, ['milestones', 'gamma'], where);
  if (!Array.isArray(o.milestones)) throw new ArgumentError(`${where}.milestones must be an array of integers >= 0, got ${describe(o.milestones)}`);
  const milestones = o.milestones.map((m, i) => checkInteger(m, `${where}.milestones[${i}]`, 0)).sort((a, b) => a - b);
  return { milestones, gamma: checkNonNegative(orDefault(o.gamma, 0.1), `${where}.gamma`) };
}

export class MultiStepLR extends LRScheduler<MultiStepLRSettings> {
  constructor(optimizer: ScheduledOptimizer, options: MultiStepLROptions) {
    super(optimizer, options, readMultiStepLR, 'MultiStepLR');
  }

  protected nextLr(lr: number, _baseLr: number, t: number): number {
    const count = this.settings.milestones.filter((m) => m === t).length;
    return count === 0 ? lr : lr * this.settings.gamma ** count;
  }
}
