/**
 * A language model's training run as a checkpoint (lib/train/run-checkpoint.ts): the model and
 * Adam's tensors, the scheduler, the generator, and as its state the model config, the
 * vocabulary, the settings, where training stands (epoch, window, step, the epoch's running loss
 * and the carried hidden state) and the per-epoch history. A model for sampling is rebuilt from
 * the file alone.
 */
import type { Device } from '../dtype';
import { Generator } from '../random';
import { checkpointPath, readRun, saveRun, type RunKind } from '../train/run-checkpoint';
import type { JsonStateful, OptimizerLike } from '../weights/checkpoint';
import type { TextLevel } from './corpus';
import { LanguageModel, type LanguageModelConfig } from './language-model';

export const TEXT_RUN: RunKind = { kind: 'gru-native.text-model', version: 1, what: 'a language-model checkpoint' };

export interface EpochRecord {
  epoch: number;
  step: number;
  /** Mean cross-entropy per token (nats) on the training text over the epoch. */
  loss: number;
  perplexity: number;
  /** On the held-out text after the epoch (NaN without one). */
  valLoss: number;
  valPerplexity: number;
  lr: number;
  seconds: number;
}

export interface TextRunState {
  model: LanguageModelConfig;
  level: TextLevel;
  vocabulary: string[];
  training: { epochs: number; batch: number; seq: number; lr: number; clip: number; heldOut: number; seed: number };
  /** The text trained on: its token count and checksum, checked on resume. */
  data: { tokens: number; checksum: string };
  /** Where training stands: epochs done, the next window of the current epoch, steps taken, the epoch's loss so far, the carried state. */
  progress: { epoch: number; window: number; step: number; lossSum: number; lossTokens: number; hidden: number[] | null };
  history: EpochRecord[];
}

export interface TextRunParts {
  model: LanguageModel;
  optimizer: OptimizerLike;
  scheduler: JsonStateful;
}

/** FNV-1a over the token ids, as 8 hex digits: tells a resumed run's text from another. */
export function checksum(ids: Int32Array): string {
  let h = 0x811c9dc5;
  for (const id of ids) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (id >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function saveTextRun(path: string, parts: TextRunParts, state: TextRunState): void {
  saveRun(path, TEXT_RUN, parts, state);
}

export function readTextRun(path: string, build: (state: TextRunState) => TextRunParts, where: string): TextRunState {
  return readRun(path, TEXT_RUN, build, where);
}

/** The trained model of a checkpoint (or a run's folder), for sampling, with its vocabulary and history. */
export function loadTextModel(path: string, device: Device = 'cpu'): { model: LanguageModel; state: TextRunState } {
  let model: LanguageModel | undefined;
  try {
    const state = readRun<TextRunState>(checkpointPath(path), TEXT_RUN, (s) => {
      model = new LanguageModel(s.model, device);
      // The saved generator position goes to a throwaway generator, not the global one.
      return { model, generator: new Generator() };
    }, 'loadTextModel');
    return { model: model!, state };
  } catch (error) {
    model?.dispose();
    throw error;
  }
}
