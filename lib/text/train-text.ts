/**
 * Training a language model on a text, the PyTorch word-language-model recipe: cross-entropy
 * over the vocabulary, truncated BPTT (the hidden state carried from window to window of each
 * stream, off the tape), gradient clipping, Adam, the learning rate quartered when the held-out
 * loss stops improving, a checkpoint at each epoch's end. A stop asked for through `signal`
 * takes effect after the current batch and writes a checkpoint from which `resumeFrom`
 * continues exactly where it stopped (step count, epoch's running loss, carried hidden state,
 * generator).
 */
import { checkInteger, checkOptions } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import type { Device } from '../dtype';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { crossEntropy } from '../losses/index';
import { clipGradNorm } from '../optim/clip';
import { Adam } from '../optim/adam';
import { ReduceLROnPlateau } from '../optim/schedulers/index';
import { manualSeed } from '../random';
import { scope } from '../scope';
import { Tensor } from '../tensor';
import { progressDisplay } from '../train/progress';
import { RUN_OPTION_KEYS, checkOptimisation, checkRunControls, checkShare, refuseFixedOptions, type RunOptions } from '../train/run-options';
import { buildVocabulary, checkLevel, encode, tokenize, type TextLevel } from './corpus';
import { streams, window, windowStarts, type Streams } from './bptt';
import { LanguageModel, type LanguageModelConfig } from './language-model';
import { checksum, readTextRun, saveTextRun, type EpochRecord, type TextRunState } from './text-checkpoint';

export interface TextTrainingOptions extends RunOptions {
  /** The training text; the last `heldOut` part of it (default 0.1) is held out. Required also when resuming (the same text). */
  text: string;
  level?: TextLevel;
  /** Most tokens in the vocabulary, <unk> included (default: char 256, word 10000). */
  vocabulary?: number;
  embedding?: number;
  /** Dropout between GRU layers (default 0.2). */
  dropout?: number;
  /** BPTT length: tokens per window. */
  seq?: number;
  /** After each epoch (and its checkpoint): the epoch's record, the model and its vocabulary, e.g. to sample. */
  onEpochEnd?: (record: EpochRecord, model: LanguageModel, vocabulary: string[]) => void | Promise<void>;
}

export interface TextTrainingResult {
  model: LanguageModel;
  vocabulary: string[];
  level: TextLevel;
  history: EpochRecord[];
  /** Optimizer steps taken, over every run of this training. */
  step: number;
  /** True when `signal` stopped it before the last epoch ended. */
  stopped: boolean;
}

const OPTION_KEYS = [...RUN_OPTION_KEYS, 'text', 'level', 'vocabulary', 'embedding', 'dropout', 'seq', 'onEpochEnd'];
/** What a resumed run takes from its checkpoint: giving one of these differently is an error. */
const FIXED_BY_CHECKPOINT = ['level', 'vocabulary', 'embedding', 'hidden', 'layers', 'dropout', 'batch', 'seq', 'lr', 'clip', 'heldOut', 'seed'] as const;

const WHERE = 'trainTextModel';

function positive(value: unknown, name: string, fallback: number): number {
  return checkInteger(value ?? fallback, `${WHERE}: ${name}`, 1);
}


/** A new run's state from the options. */
function freshRun(o: Partial<TextTrainingOptions>, tokens: string[], level: TextLevel): TextRunState {
  const vocabulary = buildVocabulary(tokens, positive(o.vocabulary, 'vocabulary', level === 'char' ? 256 : 10000));
  const model: LanguageModelConfig = {
    vocabulary: vocabulary.length,
    embedding: positive(o.embedding, 'embedding', level === 'char' ? 32 : 300),
    hidden: positive(o.hidden, 'hidden', level === 'char' ? 256 : 512),
    layers: positive(o.layers, 'layers', 2),
    dropout: checkShare(o.dropout, 0.2, 1, `${WHERE}: dropout`),
  };
  const { lr, clip } = checkOptimisation(o, { lr: 0.002, clip: 0.25 }, WHERE);
  return {
    model, level, vocabulary,
    training: {
      epochs: positive(o.epochs, 'epochs', 2), batch: positive(o.batch, 'batch', 32), seq: positive(o.seq, 'seq', level === 'char' ? 100 : 35), lr, clip,
      heldOut: checkShare(o.heldOut, 0.1, 0.5, `${WHERE}: heldOut`), seed: checkInteger(o.seed ?? 1, `${WHERE}: seed`, 0),
    },
    data: { tokens: tokens.length, checksum: '' },
    progress: { epoch: 0, window: 0, step: 0, lossSum: 0, lossTokens: 0, hidden: null },
    history: [],
  };
}

/** Mean cross-entropy per token over `s` (no gradients; dropout off). */
async function heldOutLoss(model: LanguageModel, s: Streams, seq: number, device: Device): Promise<number> {
  model.eval();
  let hidden: Tensor | undefined, total = 0, count = 0;
  try {
    for (const start of windowStarts(s, seq)) {
      const { x, y, steps } = window(s, start, seq, device);
      const { loss, next } = scope(() => noGrad(() => {
        const { logits, hidden: h } = model.forward(x, hidden);
        return { loss: crossEntropy(logits.reshape([-1, model.config.vocabulary]), y.reshape([-1])), next: h };
      }));
      hidden?.dispose();
      hidden = next;
      total += (await loss.item()) * steps;
      count += steps;
      for (const t of [x, y, loss]) t.dispose();
    }
  } finally {
    hidden?.dispose();
    model.train();
  }
  return count > 0 ? total / count : NaN;
}

export async function trainTextModel(options: TextTrainingOptions): Promise<TextTrainingResult> {
  const o = checkOptions(options, OPTION_KEYS, `${WHERE} options`);
  if (typeof o.text !== 'string') throw new ArgumentError(`${WHERE}: text must be a string, got ${describe(o.text)}`);
  const { device, verbose } = checkRunControls(o, WHERE);

  let state: TextRunState, model: LanguageModel | undefined, optimizer: Adam | undefined, scheduler: ReduceLROnPlateau | undefined;
  const build = (run: TextRunState) => {
    model = new LanguageModel(run.model, device);
    optimizer = new Adam(model.parameters(), { lr: run.training.lr });
    scheduler = new ReduceLROnPlateau(optimizer, { factor: 0.25, patience: 0 });
    return { model, optimizer, scheduler };
  };
  // Whatever fails after the model is built disposes it (and Adam's state).
  try {
    let tokens: string[];
    if (o.resumeFrom !== undefined) {
      refuseFixedOptions(o, FIXED_BY_CHECKPOINT, o.resumeFrom, WHERE);
      state = readTextRun(o.resumeFrom, build, WHERE);
      tokens = tokenize(o.text, state.level);
      if (o.epochs !== undefined) state.training.epochs = positive(o.epochs, 'epochs', 1);
    } else {
      const level = checkLevel(o.level ?? 'char', `${WHERE}: level`);
      tokens = tokenize(o.text, level);
      state = freshRun(o, tokens, level);
      manualSeed(state.training.seed);
      build(state);
    }
    const ids = encode(tokens, state.vocabulary);
    const split = Math.floor(ids.length * (1 - state.training.heldOut));
    const { batch, seq, epochs, clip } = state.training;
    const train = streams(ids.subarray(0, split), batch), held = streams(ids.subarray(split), batch);
    if (train.length < 2) throw new ArgumentError(`${WHERE}: the text has ${ids.length} tokens, too few for batch ${batch} (each of the ${batch} streams needs at least 2)`);
    if (state.training.heldOut > 0 && held.length < 2) throw new ArgumentError(`${WHERE}: the held-out part (${ids.length - split} tokens) is too short for batch ${batch}; give more text or a smaller batch`);
    const sum = checksum(ids);
    if (o.resumeFrom !== undefined && (state.data.tokens !== tokens.length || state.data.checksum !== sum)) {
      throw new ArgumentError(`${WHERE}: the text is not the one ${o.resumeFrom} was trained on (${tokens.length} tokens against ${state.data.tokens}, or different tokens)`);
    }
    state.data = { tokens: tokens.length, checksum: sum };

    const starts = windowStarts(train, seq);
    const save = () => {
      if (o.checkpoint !== undefined) saveTextRun(o.checkpoint, { model: model!, optimizer: optimizer!, scheduler: scheduler! }, state);
    };
    const progress = progressDisplay(verbose, epochs, starts.length);
    const p = state.progress;
    let hidden: Tensor | undefined = p.hidden ? Tensor.from(Float32Array.from(p.hidden), [state.model.layers, batch, state.model.hidden], { device }) : undefined;
    let stopped = false;
    try {
      while (p.epoch < epochs) {
        const began = Date.now();
        progress.epochBegin(p.epoch);
        for (; p.window < starts.length; p.window++) {
          const { x, y, steps } = window(train, starts[p.window], seq, device);
          const { loss, next } = scope(() => {
            const { logits, hidden: h } = model!.forward(x, hidden);
            const l = crossEntropy(logits.reshape([-1, state.model.vocabulary]), y.reshape([-1]));
            l.backward();
            // Truncated BPTT: the next window starts from this state, off the tape.
            return { loss: l, next: h.detach() };
          });
          hidden?.dispose();
          hidden = next;
          if (clip > 0) clipGradNorm(model!.parameters(), clip).dispose();
          optimizer!.step();
          optimizer!.zeroGrad();
          // Awaiting the loss keeps the event loop free (a Ctrl-C is seen here) and the queue short.
          const value = await loss.item();
          for (const t of [x, y, loss]) t.dispose();
          p.step++;
          p.lossSum += value * steps * batch;
          p.lossTokens += steps * batch;
          progress.batchEnd(p.window + 1, steps * batch, value);
          o.onBatchEnd?.(p.step, value);
          // A stop on the epoch's last batch waits for the epoch's end (and its checkpoint).
          if (o.signal?.aborted && p.window + 1 < starts.length) {
            p.window++;
            p.hidden = Array.from(await hidden.data());
            stopped = true;
            break;
          }
        }
        if (stopped) break;
        hidden?.dispose();
        hidden = undefined;
        const loss = p.lossSum / p.lossTokens;
        const valLoss = state.training.heldOut > 0 ? await heldOutLoss(model!, held, seq, device) : NaN;
        scheduler!.step(Number.isNaN(valLoss) ? loss : valLoss);
        const record: EpochRecord = {
          epoch: p.epoch + 1, step: p.step, loss, perplexity: Math.exp(loss), valLoss, valPerplexity: Math.exp(valLoss),
          lr: optimizer!.paramGroups[0].lr, seconds: (Date.now() - began) / 1000,
        };
        state.history.push(record);
        progress.epochEnd(p.epoch, { loss, perplexity: record.perplexity, ...(Number.isNaN(valLoss) ? {} : { val_loss: valLoss, val_perplexity: record.valPerplexity }) });
        Object.assign(p, { epoch: p.epoch + 1, window: 0, lossSum: 0, lossTokens: 0, hidden: null });
        save();
        await o.onEpochEnd?.(record, model!, state.vocabulary);
        if (o.signal?.aborted && p.epoch < epochs) {
          stopped = true;
          break;
        }
      }
      if (stopped && p.window > 0) save(); // a stop at an epoch's end has just been saved
    } finally {
      progress.close();
      hidden?.dispose();
    }
    optimizer!.dispose();
    return { model: model!, vocabulary: state.vocabulary, level: state.level, history: state.history, step: p.step, stopped };
  } catch (error) {
    optimizer?.dispose();
    model?.dispose();
    throw error;
  }
}
