/**
 * CosineAnnealingLR: the lr follows half a cosine from the base lr down to etaMin over tMax
 * epochs (torch.optim.lr_scheduler.CosineAnnealingLR). Past tMax it is not clamped: it rises back
 * to the base lr at 2*tMax and repeats, as in torch.
 */
import { checkInteger, checkOptions } from '../../arguments';
import { checkNonNegative } from '../option-checks';
import { LRScheduler, type ScheduledOptimizer, orDefault } from './base';

export interface CosineAnnealingLROptions {
  /** Epochs from the base lr down to etaMin (an integer >= 1). */
  tMax: number;
  /** The lowest lr; 0 by default. */
  etaMin?: number;
}

type CosineAnnealingLRSettings = Required<CosineAnnealingLROptions>;

function readCosineAnnealingLR(raw: unknown, where: string): CosineAnnealingLRSettings {
  const o = checkOptions(raw as CosineAnnealingLROptions | undefined, ['tMax', 'etaMin'], where);
  return {
    tMax: checkInteger(o.tMax, `${where}.tMax`, 1),
    etaMin: checkNonNegative(orDefault(o.etaMin, 0), `${where}.etaMin`),
  };
}

export class CosineAnnealingLR extends LRScheduler<CosineAnnealingLRSettings> {
  constructor(optimizer: ScheduledOptimizer, options: CosineAnnealingLROptions) {
    super(optimizer, options, readCosineAnnealingLR, 'CosineAnnealingLR');
  }

  protected nextLr(lr: number, baseLr: number, t: number): number {
    const { tMax, etaMin } = this.settings;
    if (t === 0) return lr;
    // At the bottom of the cosine the ratio below would divide by zero: torch adds a fixed rise instead.
    if ((t - 1 - tMax) % (2 * tMax) === 0) return lr + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2;
    // Operations in torch's order, so the float64 results agree.
    return ((1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax))) * (lr - etaMin) + etaMin;
  }
}
