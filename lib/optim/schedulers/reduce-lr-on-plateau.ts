/**
 * ReduceLROnPlateau: multiplies each group's lr by `factor` once a metric has not improved for
 * more than `patience` epochs (torch.optim.lr_scheduler.ReduceLROnPlateau). Driven by step(metric),
 * not by the epoch count, so it is not an LRScheduler; it leaves the lr alone when made.
 */
import { checkInteger, checkOptions } from '../../arguments';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { checkNonNegative, checkOptimizerNumber } from '../option-checks';
import type { Optimizer } from '../optimizer';
import { type ScheduledOptimizer, checkDict, checkInterval, checkLrList, checkOptimizer, orDefault } from './base';

export interface ReduceLROnPlateauOptions {
  /** 'min': lower metrics are better (a loss); 'max': higher are (an accuracy). 'min' by default. */
  mode?: 'min' | 'max';
  /** new lr = lr * factor, in [0, 1); 0.1 by default. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (an integer >= 0); 10 by default. */
  patience?: number;
  /** How much better a metric must be to count as an improvement; 1e-4 by default. */
  threshold?: number;
  /** 'rel': better than best * (1 -/+ threshold); 'abs': than best -/+ threshold. 'rel' by default. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs after a reduction during which bad epochs are not counted; 0 by default. */
  cooldown?: number;
  /** The lowest lr, for every group or one per group; 0 by default. */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped; 1e-8 by default. */
  eps?: number;
}

interface PlateauSettings {
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  /** One per param group. */
  minLr: number[];
  eps: number;
}

/** JSON has no infinities; `best` is ±Infinity until a finite metric is seen (or after an infinite one). */
type JsonNumber = number | 'Infinity' | '-Infinity';

export interface ReduceLROnPlateauState extends PlateauSettings {
  best: JsonNumber;
  numBadEpochs: number;
  cooldownCounter: number;
  lastEpoch: number;
  lastLr: number[];
}

const OPTION_NAMES = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'] as const;

function oneOf<T extends string>(value: unknown, choices: readonly T[], argument: string): T {
  if (!choices.includes(value as T)) throw new ArgumentError(`${argument} must be ${choices.map((c) => `'${c}'`).join(' or ')}, got ${describe(value)}`);
  return value as T;
}

/** One lower bound per param group. */
function readMinLr(value: unknown, groups: number, argument: string): number[] {
  if (value === undefined) return Array.from({ length: groups }, () => 0);
  if (Array.isArray(value)) return checkLrList(value, groups, argument);
  if (typeof value !== 'number') throw new ArgumentError(`${argument} must be a number >= 0 or an array of ${groups} (one per param group), got ${describe(value)}`);
  const v = checkNonNegative(value, argument);
  return Array.from({ length: groups }, () => v);
}

function readSettings(raw: unknown, groups: number, where: string): PlateauSettings {
  const o = checkOptions(raw as ReduceLROnPlateauOptions | undefined, OPTION_NAMES, where);
  return {
    mode: oneOf(orDefault<unknown>(o.mode, 'min'), ['min', 'max'], `${where}.mode`),
    factor: checkInterval(orDefault(o.factor, 0.1), 0, false, 1, true, `${where}.factor`),
    patience: checkInteger(orDefault(o.patience, 10), `${where}.patience`, 0),
    threshold: checkNonNegative(orDefault(o.threshold, 1e-4), `${where}.threshold`),
    thresholdMode: oneOf(orDefault<unknown>(o.thresholdMode, 'rel'), ['rel', 'abs'], `${where}.thresholdMode`),
    cooldown: checkInteger(orDefault(o.cooldown, 0), `${where}.cooldown`, 0),
    minLr: readMinLr(o.minLr, groups, `${where}.minLr`),
    eps: checkNonNegative(orDefault(o.eps, 1e-8), `${where}.eps`),
  };
}

function toJson(x: number): JsonNumber {
  return x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x;
}

function fromJson(x: unknown, argument: string): number {
  if (x === 'Infinity' || x === Infinity) return Infinity;
  if (x === '-Infinity' || x === -Infinity) return -Infinity;
  return checkOptimizerNumber(x, argument);
}

export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  private settings: PlateauSettings;
  private bestValue: number;
  private badEpochs = 0;
  private cooldownLeft = 0;
  private epoch = 0;
  private applied: number[];

  constructor(optimizer: ScheduledOptimizer, options?: ReduceLROnPlateauOptions) {
    checkOptimizer(optimizer, 'ReduceLROnPlateau');
    this.optimizer = optimizer;
    this.settings = readSettings(options, optimizer.paramGroups.length, 'ReduceLROnPlateau options');
    this.bestValue = this.settings.mode === 'min' ? Infinity : -Infinity;
    this.applied = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The best metric so far (±Infinity before the first). */
  get best(): number {
    return this.bestValue;
  }

  get numBadEpochs(): number {
    return this.badEpochs;
  }

  get cooldownCounter(): number {
    return this.cooldownLeft;
  }

  /** step() calls so far. */
  get lastEpoch(): number {
    return this.epoch;
  }

  get inCooldown(): boolean {
    return this.cooldownLeft > 0;
  }

  /** Records one epoch's metric and reduces the lrs if it has plateaued. NaN counts as no improvement. */
  step(metric: number): void {
    if (typeof metric !== 'number') throw new ArgumentError(`ReduceLROnPlateau.step: metric must be a number, got ${describe(metric)}`);
    const groups = this.optimizer.paramGroups;
    const { minLr } = this.settings;
    if (groups.length !== minLr.length) {
      throw new ArgumentError(
        `ReduceLROnPlateau.step: the optimizer has ${groups.length} param groups but the scheduler was made for ${minLr.length}; ` +
          'make the scheduler after adding param groups',
      );
    }
    this.epoch += 1;
    if (this.isBetter(metric)) {
      this.bestValue = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs += 1;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.settings.patience) {
      groups.forEach((g, i) => {
        const lr = Math.max(g.lr * this.settings.factor, minLr[i]);
        // Skips reductions too small to matter, as at minLr.
        if (g.lr - lr > this.settings.eps) g.lr = lr;
      });
      this.cooldownLeft = this.settings.cooldown;
      this.badEpochs = 0;
    }
    this.applied = groups.map((g) => g.lr);
  }

  /** Each group's lr after the last step (or when made, before any). */
  getLastLr(): number[] {
    return [...this.applied];
  }

  /** Options and counters as plain JSON-able data (an infinite `best` as a string). */
  stateDict(): ReduceLROnPlateauState {
    return {
      ...this.settings,
      minLr: [...this.settings.minLr],
      best: toJson(this.bestValue),
      numBadEpochs: this.badEpochs,
      cooldownCounter: this.cooldownLeft,
      lastEpoch: this.epoch,
      lastLr: [...this.applied],
    };
  }

  /** Restores a stateDict() (options included); the optimizer's lrs are not touched. */
  loadStateDict(dict: ReduceLROnPlateauState): void {
    const where = 'ReduceLROnPlateau.loadStateDict dict';
    const { best, numBadEpochs, cooldownCounter, lastEpoch, lastLr, ...rest } = checkDict(dict, Object.keys(this.stateDict()), where);
    const n = this.optimizer.paramGroups.length;
    const state = {
      best: fromJson(best, `${where}.best`),
      badEpochs: checkInteger(numBadEpochs, `${where}.numBadEpochs`, 0),
      cooldownLeft: checkInteger(cooldownCounter, `${where}.cooldownCounter`, 0),
      epoch: checkInteger(lastEpoch, `${where}.lastEpoch`, 0),
      applied: checkLrList(lastLr, n, `${where}.lastLr`),
    };
    this.settings = readSettings(rest, n, where);
    this.bestValue = state.best;
    this.badEpochs = state.badEpochs;
    this.cooldownLeft = state.cooldownLeft;
    this.epoch = state.epoch;
    this.applied = state.applied;
  }

  private isBetter(a: number): boolean {
    const { mode, thresholdMode, threshold } = this.settings;
    const best = this.bestValue;
    // Comparisons with NaN are false, so a NaN metric is never an improvement.
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (1 + threshold) : a > best + threshold;
  }
}
