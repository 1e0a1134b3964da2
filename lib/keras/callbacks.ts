/**
 * Keras callbacks for fit(): earlyStopping with Keras 3's rule (improvement beyond minDelta,
 * wait >= patience after the first epoch, baseline, restoreBestWeights at the end of training
 * whenever best weights were recorded), reduceLROnPlateau, and the `callbacks` factories, which
 * also make jsonLinesLogger (json-lines-logger.ts) and modelCheckpoint (model-checkpoint.ts).
 */
import { checkOptions, optionalBoolean } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Optimizer } from '../optim/optimizer';
import type { Tensor } from '../tensor';
import type { Callback, Logs } from '../train/fit-loop';
import { JsonLinesLogger, type JsonLinesLoggerOptions } from './json-lines-logger';
import { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint';
import { monitorDirection } from './monitor';

/** What a callback may reach on the model (set by fit()). */
export interface CallbackModel {
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: readonly Tensor[]): void;
  /** The optimizer fit() trains with (built at the start of fit). */
  readonly optimizer: Optimizer | null;
}

export interface EarlyStoppingOptions {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number | null;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

export class EarlyStopping implements Callback {
  readonly monitor: string;
  private readonly minDelta: number;
  private readonly patience: number;
  private readonly direction: 'min' | 'max';
  private readonly baseline: number | null;
  private readonly restoreBestWeights: boolean;
  private readonly startFromEpoch: number;
  private model: CallbackModel | null = null;
  private wait = 0;
  private best = Infinity;
  private bestWeights: Tensor[] | null = null;
  /** The epoch training stopped at (0 when it ran to the end). */
  stoppedEpoch = 0;
  bestEpoch = 0;

  constructor(options: EarlyStoppingOptions = {}) {
    const o = checkOptions(options, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch'], 'earlyStopping options');
    this.monitor = o.monitor ?? 'val_loss';
    const number = (v: unknown, name: string, fallback: number) => {
      if (v === undefined) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(`earlyStopping options.${name} must be a number >= 0, got ${describe(v)}`);
      return v;
    };
    this.minDelta = number(o.minDelta, 'minDelta', 0);
    this.patience = number(o.patience, 'patience', 0);
    this.startFromEpoch = number(o.startFromEpoch, 'startFromEpoch', 0);
    this.direction = monitorDirection(o.mode, this.monitor, 'earlyStopping options.mode');
    this.baseline = o.baseline ?? null;
    this.restoreBestWeights = optionalBoolean(o.restoreBestWeights, false, 'earlyStopping options.restoreBestWeights');
  }

  /** @internal */
  setModel(model: CallbackModel): void {
    this.model = model;
  }

  private improves(current: number, reference: number): boolean {
    return this.direction === 'min' ? current + this.minDelta < reference : current - this.minDelta > reference;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.direction === 'min' ? Infinity : -Infinity;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.dropBest();
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.model!.getWeights();
    this.wait++;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) {
        this.dropBest();
        this.bestWeights = this.model!.getWeights();
      }
      if (this.baseline === null || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== null) this.model!.setWeights(this.bestWeights);
    this.dropBest();
  }

  private dropBest(): void {
    for (const t of this.bestWeights ?? []) t.dispose();
    this.bestWeights = null;
  }
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  factor?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/**
 * Keras's ReduceLROnPlateau (torch's differs): an improvement beats the best by more than
 * minDelta (absolute); during cooldown the count of bad epochs is reset and not increased; the
 * rate drops by `factor` once bad epochs reach `patience` (torch waits one epoch more), never
 * below minLr, and only while above it. Each epoch's logs get `learning_rate`.
 */
export class ReduceLROnPlateau implements Callback {
  readonly monitor: string;
  private readonly factor: number;
  private readonly patience: number;
  private readonly direction: 'min' | 'max';
  private readonly minDelta: number;
  private readonly cooldown: number;
  private readonly minLr: number;
  private model: CallbackModel | null = null;
  private wait = 0;
  private cooldownCounter = 0;
  private best = Infinity;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    const o = checkOptions(options, ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr'], 'reduceLROnPlateau options');
    const number = (v: unknown, name: string, fallback: number) => {
      if (v === undefined) return fallback;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(`reduceLROnPlateau options.${name} must be a number >= 0, got ${describe(v)}`);
      return v;
    };
    this.monitor = o.monitor ?? 'val_loss';
    this.factor = number(o.factor, 'factor', 0.1);
    if (this.factor >= 1) throw new ArgumentError(`reduceLROnPlateau options.factor must be below 1, got ${this.factor}`);
    this.patience = number(o.patience, 'patience', 10);
    this.minDelta = number(o.minDelta, 'minDelta', 1e-4);
    this.cooldown = number(o.cooldown, 'cooldown', 0);
    this.minLr = number(o.minLr, 'minLr', 0);
    const mode = o.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new ArgumentError(`reduceLROnPlateau options.mode must be 'auto', 'min' or 'max', got ${describe(mode)}`);
    this.direction = mode !== 'auto' ? mode : /acc/.test(this.monitor) ? 'max' : 'min';
  }

  /** @internal */
  setModel(model: CallbackModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = this.direction === 'min' ? Infinity : -Infinity;
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const optimizer = this.model?.optimizer;
    if (!optimizer) return;
    logs.learning_rate = optimizer.paramGroups[0].lr;
    const current = logs[this.monitor];
    if (current === undefined) return;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    const improved = this.direction === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
    if (improved) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait++;
      if (this.wait >= this.patience) {
        const old = optimizer.paramGroups[0].lr;
        // Keras compares in float32.
        if (Math.fround(old) > Math.fround(this.minLr)) {
          const next = Math.max(old * this.factor, this.minLr);
          for (const group of optimizer.paramGroups) group.lr = next;
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

export const callbacks = {
  earlyStopping: (options?: EarlyStoppingOptions) => new EarlyStopping(options),
  reduceLROnPlateau: (options?: ReduceLROnPlateauOptions) => new ReduceLROnPlateau(options),
  jsonLinesLogger: (options: JsonLinesLoggerOptions) => new JsonLinesLogger(options),
  modelCheckpoint: (options: ModelCheckpointOptions) => new ModelCheckpoint(options),
};
