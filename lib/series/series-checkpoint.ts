/**
 * A forecaster's training run as a checkpoint (lib/train/run-checkpoint.ts): the model and Adam,
 * the generator, and as its state the config, the settings, the standardisation, the series'
 * last window (what a forecast starts from), where training stands and the per-epoch history.
 */
import type { Device } from '../dtype';
import { Generator } from '../random';
import { readRun, saveRun, type RunKind } from '../train/run-checkpoint';
import type { OptimizerLike } from '../weights/checkpoint';
import { SeriesModel, type SeriesModelConfig } from './series-model';

export const SERIES_RUN: RunKind = { kind: 'gru-native.series-model', version: 1, what: 'a series-forecaster checkpoint' };

export interface SeriesEpochRecord {
  epoch: number;
  step: number;
  /** Mean squared error on the training windows (standardised units). */
  loss: number;
  valLoss: number;
  /** Root mean squared error on the held-out windows, in the series' units; and the naive forecast's. */
  valRmse: number;
  naiveRmse: number;
  seconds: number;
}

export interface SeriesRunState {
  name: string;
  model: SeriesModelConfig;
  training: { window: number; horizon: number; epochs: number; batch: number; lr: number; clip: number; heldOut: number; seed: number };
  scale: { mean: number; std: number };
  /** The series' length, and its last `window` values. */
  data: { length: number; tail: number[] };
  progress: { epoch: number; batch: number; step: number; lossSum: number; lossRows: number };
  history: SeriesEpochRecord[];
}

export function saveSeriesRun(path: string, parts: { model: SeriesModel; optimizer: OptimizerLike }, state: SeriesRunState): void {
  saveRun(path, SERIES_RUN, parts, state);
}

export function readSeriesRun(path: string, build: (state: SeriesRunState) => { model: SeriesModel; optimizer: OptimizerLike }, where: string): SeriesRunState {
  return readRun(path, SERIES_RUN, build, where);
}

/** The trained forecaster of a checkpoint (or a run's folder), with its state. */
export function loadSeriesModel(path: string, device: Device = 'cpu'): { model: SeriesModel; state: SeriesRunState } {
  let model: SeriesModel | undefined;
  try {
    const state = readRun<SeriesRunState>(path, SERIES_RUN, (s) => {
      model = new SeriesModel(s.model, device);
      return { model, generator: new Generator() };
    }, 'loadSeriesModel');
    return { model: model!, state };
  } catch (error) {
    model?.dispose();
    throw error;
  }
}
