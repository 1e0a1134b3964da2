/** StepLR: the lr times gamma every stepSize epochs (torch.optim.lr_scheduler.StepLR). */
import { checkInteger, checkOptions } from '../../arguments';
import { checkNonNegative } from '../option-checks';
import { LRScheduler, type ScheduledOptimizer, orDefault } from './base';

export interface StepLROptions {
  /** Epochs between decays (an integer >= 1). */
  stepSize: number;
  /** Factor applied at each decay; 0.1 by default. */
  gamma?: number;
}

type StepLRSettings = Required<StepLROptions>;

function readStepLR(raw: unknown, where: string): StepLRSettings {
  const o = checkOptions(raw as StepLROptions | undefined, ['stepSize', 'gamma'], where);
  return {
    stepSize: checkInteger(o.stepSize, `${where}.stepSize`, 1),
    gamma: checkNonNegative(orDefault(o.gamma, 0.1), `${where}.gamma`),
  };
}

export class StepLR extends LRScheduler<StepLRSettings> {
  constructor(optimizer: ScheduledOptimizer, options: StepLROptions) {
    super(optimizer, options, readStepLR, 'StepLR');
  }

  protected nextLr(lr: number, _baseLr: number, t: number): number {
    return t > 0 && t % this.settings.stepSize === 0 ? lr * this.settings.gamma : lr;
  }
}
