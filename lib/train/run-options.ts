/**
 * What the resumable trainers (lib/text, lib/series) share in their options: the run's
 * checkpoint and resumption, the network's size, the optimisation settings, where it runs, how
 * it reports and how it is stopped; and their checks, each naming the option.
 */
import { checkFiniteNumber } from '../arguments';
import { checkDevice, type Device } from '../dtype';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { checkVerbose } from './progress';

export interface RunOptions {
  /** A checkpoint to continue from: its model and settings are used; `epochs` may be raised. */
  resumeFrom?: string;
  /** Where checkpoints are written (each epoch's end, and at a stop). */
  checkpoint?: string;
  hidden?: number;
  layers?: number;
  /** Epochs in all, counting those of a resumed run. */
  epochs?: number;
  batch?: number;
  /** Adam's learning rate. */
  lr?: number;
  /** Largest gradient norm (0: no clipping). */
  clip?: number;
  /** Share of the data held out for validation. */
  heldOut?: number;
  seed?: number;
  device?: Device;
  /** Keras's: 1 a progress bar on a terminal (lines elsewhere), 2 a line per epoch, 0 nothing. */
  verbose?: 0 | 1 | 2;
  /** Asks training to stop after the current batch (Ctrl-C in the CLI); a checkpoint is written. */
  signal?: AbortSignal;
  /** After each batch: the step count (over every run) and the batch's mean loss. */
  onBatchEnd?: (step: number, loss: number) => void;
}

export const RUN_OPTION_KEYS = ['resumeFrom', 'checkpoint', 'hidden', 'layers', 'epochs', 'batch', 'lr', 'clip', 'heldOut', 'seed', 'device', 'verbose',
  'signal', 'onBatchEnd'] as const;

/** Where the run goes and how it reports: device, verbose, signal. */
export function checkRunControls(o: RunOptions, where: string): { device: Device; verbose: 0 | 1 | 2 } {
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new ArgumentError(`${where}: signal must be an AbortSignal, got ${describe(o.signal)}`);
  return { device: checkDevice(o.device ?? 'cpu', `${where}: device`), verbose: checkVerbose(o.verbose, `${where}: verbose`) };
}

/** A resumed run takes these from its checkpoint: giving one is an error. */
export function refuseFixedOptions(o: object, keys: readonly string[], resumeFrom: string, where: string): void {
  for (const key of keys) {
    if ((o as Record<string, unknown>)[key] !== undefined) throw new ArgumentError(`${where}: ${key} is fixed by the checkpoint being resumed (${resumeFrom}); leave it out`);
  }
}

/** Adam's lr (> 0) and the clipping norm (>= 0), with the trainer's defaults. */
export function checkOptimisation(o: RunOptions, defaults: { lr: number; clip: number }, where: string): { lr: number; clip: number } {
  const lr = checkFiniteNumber(o.lr ?? defaults.lr, `${where}: lr`);
  if (lr <= 0) throw new ArgumentError(`${where}: lr must be > 0, got ${lr}`);
  const clip = checkFiniteNumber(o.clip ?? defaults.clip, `${where}: clip`);
  if (clip < 0) throw new ArgumentError(`${where}: clip must be >= 0, got ${clip}`);
  return { lr, clip };
}

/** A share in [0, max), e.g. heldOut or dropout. */
export function checkShare(value: unknown, fallback: number, max: number, argument: string): number {
  const v = checkFiniteNumber(value ?? fallback, argument);
  if (v < 0 || v >= max) throw new ArgumentError(`${argument} must be in [0, ${max}), got ${v}`);
  return v;
}
