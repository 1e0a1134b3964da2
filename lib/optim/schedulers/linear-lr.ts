/**
 * LinearLR: the lr times a factor that moves linearly from startFactor to endFactor over
 * totalIters epochs, then stays (torch.optim.lr_scheduler.LinearLR); the usual warm-up.
 */
import { checkInteger, checkOptions } from '../../arguments';
import { LRScheduler, type ScheduledOptimizer, checkInterval, orDefault } from './base';

export interface LinearLROptions {
  /** Factor at epoch 0, in (0, 1]; 1/3 by default. */
  startFactor?: number;
  /** Factor from epoch totalIters on, in [0, 1]; 1 by default. */
  endFactor?: number;
  /** Epochs of the ramp (an integer >= 1); 5 by default. */
  totalIters?: number;
}

type LinearLRSettings = Required<LinearLROptions>;

function readLinearLR(raw: unknown, where: string): LinearLRSettings {
  const o = checkOptions(raw as LinearLROptions | undefined, ['startFactor', 'endFactor', 'totalIters'], where);
  return {
    // 0 would divide by zero at epoch 1.
    startFactor: checkInterval(orDefault(o.startFactor, 1 / 3), 0, true, 1, false, `${where}.startFactor`),
    endFactor: checkInterval(orDefault(o.endFactor, 1), 0, false, 1, false, `${where}.endFactor`),
    // 0 would leave the lr at startFactor times the base forever.
    totalIters: checkInteger(orDefault(o.totalIters, 5), `${where}.totalIters`, 1),
  };
}

export class LinearLR extends LRScheduler<LinearLRSettings> {
  constructor(optimizer: ScheduledOptimizer, options?: LinearLROptions) {
    super(optimizer, options, readLinearLR, 'LinearLR');
  }

  protected nextLr(lr: number, _baseLr: number, t: number): number {
    const { startFactor, endFactor, totalIters } = this.settings;
    if (t === 0) return lr * startFactor;
    if (t > totalIters) return lr;
    // The ratio of this epoch's factor to the last one's.
    return lr * (1 + (endFactor - startFactor) / (totalIters * startFactor + (t - 1) * (endFactor - startFactor)));
  }
}
