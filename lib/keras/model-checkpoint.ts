/**
 * keras.callbacks.modelCheckpoint: Keras 3's ModelCheckpoint saving the model's weights (a
 * safetensors file, see weights-file.ts) at the end of every epoch or every `saveFreq` batches,
 * to a path whose placeholders (`{epoch:02d}`, `{val_loss:.4f}`) are filled with the epoch
 * (1-based, as Keras) and the logs. With saveBestOnly it saves only when the monitored log beats
 * the best so far (strictly, in earlyStopping's direction for mode 'auto'); the best carries
 * over from one fit() to the next, as Keras's does.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { checkInteger, checkOptions, optionalBoolean } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Callback, Logs } from '../train/fit-loop';
import { fileError } from '../weights/safetensors';
import { monitorDirection, type Direction } from './monitor';
import { PathTemplate } from './path-template';

export interface ModelCheckpointOptions {
  /** Where to save; may hold placeholders such as `{epoch:02d}` and `{val_loss:.4f}`. */
  filepath: string;
  /** The log saveBestOnly compares (default 'val_loss'). */
  monitor?: string;
  saveBestOnly?: boolean;
  /**
   * false (the default, as in Keras 3): the whole model through model.save(), to a filepath
   * ending in `.keras` (Keras 3's archive) or `.safetensors` (a training checkpoint with the
   * optimizer's state); true: saveWeights(), in the format its suffix names.
   */
  saveWeightsOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
  /** 'epoch' (default), or a number of batches between saves. */
  saveFreq?: 'epoch' | number;
  /** saveBestOnly's first best: a value must beat this one to be saved. */
  initialValueThreshold?: number;
}

const OPTIONS = ['filepath', 'monitor', 'saveBestOnly', 'saveWeightsOnly', 'mode', 'saveFreq', 'initialValueThreshold'] as const;

/** What the callback saves through (keras.sequential's Sequential). */
export interface CheckpointModel {
  saveWeights(path: string): unknown;
  save(path: string): Promise<void>;
}

export class ModelCheckpoint implements Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  readonly saveWeightsOnly: boolean;
  /** The best monitored value saved so far (saveBestOnly). */
  best: number;
  private readonly direction: Direction;
  private readonly template: PathTemplate;
  private model: CheckpointModel | null = null;
  private epoch = 0;
  private batchesSinceSave = 0;
  private warned = false;
  /**
   * Only with a batch saveFreq: the fit loop reads each batch's loss (a device sync) whenever a
   * callback has onBatchEnd, so saving per epoch must not define it.
   */
  onBatchEnd?: (batch: number, logs: Logs) => void;

  constructor(options: ModelCheckpointOptions) {
    const where = 'modelCheckpoint options';
    const o = checkOptions(options, OPTIONS, where);
    if (typeof o.filepath !== 'string' || o.filepath.length === 0) throw new ArgumentError(`${where}.filepath must be a non-empty string, got ${describe(o.filepath)}`);
    this.filepath = o.filepath;
    this.template = new PathTemplate(o.filepath, `${where}.filepath`);
    const monitor = o.monitor ?? 'val_loss';
    if (typeof monitor !== 'string' || monitor.length === 0) throw new ArgumentError(`${where}.monitor must be a log name such as 'val_loss', got ${describe(monitor)}`);
    this.monitor = monitor;
    this.saveBestOnly = optionalBoolean(o.saveBestOnly, false, `${where}.saveBestOnly`);
    this.saveWeightsOnly = optionalBoolean(o.saveWeightsOnly, false, `${where}.saveWeightsOnly`);
    this.direction = monitorDirection(o.mode, monitor, `${where}.mode`);
    const freq = o.saveFreq ?? 'epoch';
    this.saveFreq = freq === 'epoch' ? freq : checkInteger(freq, `${where}.saveFreq`, 1, Number.MAX_SAFE_INTEGER, "batches between saves, or 'epoch'");
    if (o.initialValueThreshold !== undefined && (typeof o.initialValueThreshold !== 'number' || Number.isNaN(o.initialValueThreshold))) {
      throw new ArgumentError(`${where}.initialValueThreshold must be a number, got ${describe(o.initialValueThreshold)}`);
    }
    this.best = o.initialValueThreshold ?? (this.direction === 'min' ? Infinity : -Infinity);
    if (this.saveFreq !== 'epoch') this.onBatchEnd = (batch, logs) => this.batchEnded(batch, logs);
    if (!this.saveWeightsOnly && !/\.(keras|safetensors)$/.test(o.filepath)) {
      const how = o.saveWeightsOnly === undefined ? 'the default, as in Keras 3; pass saveWeightsOnly: true to save the weights only' : 'saveWeightsOnly: false';
      throw new ArgumentError(`${where}.filepath must end in .keras or .safetensors to save the whole model (${how}), got ${JSON.stringify(o.filepath)}`);
    }
  }

  /** @internal */
  setModel(model: CheckpointModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.batchesSinceSave = 0;
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') await this.save({ ...logs, epoch: epoch + 1 }, logs);
  }

  private async batchEnded(batch: number, logs: Logs): Promise<void> {
    if (++this.batchesSinceSave < (this.saveFreq as number)) return;
    this.batchesSinceSave = 0;
    await this.save({ ...logs, epoch: this.epoch + 1, batch: batch + 1 }, logs);
  }

  private async save(values: Logs, logs: Logs): Promise<void> {
    // Keras fills the path first: a placeholder naming no log fails even on epochs it would skip.
    const path = this.template.format(values);
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        if (!this.warned) process.stderr.write(`modelCheckpoint: can save the best weights only with ${JSON.stringify(this.monitor)} in the logs (they hold ${Object.keys(logs).join(', ')}); skipping\n`);
        this.warned = true;
        return;
      }
      if (!(this.direction === 'min' ? current < this.best : current > this.best)) return;
      this.best = current;
    }
    const model = this.model;
    if (model === null || typeof model.saveWeights !== 'function') {
      throw new ArgumentError(`modelCheckpoint: needs a model with saveWeights() (a keras.sequential model's fit() sets it), got ${describe(model)}`);
    }
    // Keras makes the folder a placeholder may name (`ckpt/{epoch}/weights`).
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw fileError(err, `modelCheckpoint: cannot make the folder for ${JSON.stringify(path)}`, path, 'write');
    }
    if (this.saveWeightsOnly) await model.saveWeights(path);
    else await model.save(path);
  }
}
