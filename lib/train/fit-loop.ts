/**
 * The fit loop: batches (of tensors' rows, or from an iterable), forward, loss, backward,
 * optimizer step, with the loss and metrics summed on the device and read asynchronously once
 * per epoch, a yield to the event loop after every batch, callbacks, validation, sample and class
 * weights, and an AbortSignal that stops after the current batch (the model and optimizer then
 * hold the last completed step).
 */
import { checkOptions } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Optimizer } from '../optim/optimizer';
import { scope } from '../scope';
import type { Tensor } from '../tensor';
import { TensorBatches, type BatchSource } from './batches';
import { dataSource, splitData } from './data';
import { shuffler } from './shuffle';
import { DeviceTotals, lossSums, type BatchSums, type Logs } from './totals';
import { checkClassWeight, classSampleWeights, type ClassWeight } from './class-weight';
import { checkVerbose, progressDisplay } from './progress';

export type { Logs } from './totals';

/** TF.js's callback object; any method may return a promise, which the loop awaits. */
export interface Callback {
  onTrainBegin?(logs: Logs): unknown;
  onTrainEnd?(logs: Logs): unknown;
  onEpochBegin?(epoch: number, logs: Logs): unknown;
  onEpochEnd?(epoch: number, logs: Logs): unknown;
  onBatchBegin?(batch: number, logs: Logs): unknown;
  onBatchEnd?(batch: number, logs: Logs): unknown;
}

export interface FitOptions {
  batchSize?: number;
  epochs?: number;
  /** 0: silent; 1 ('auto', the default): a progress bar on a terminal, else as 2; 2: one line per epoch (on stderr). */
  verbose?: 0 | 1 | 2 | 'auto';
  callbacks?: Callback | Callback[];
  /** The last fraction of the rows, taken before shuffling, is held out for validation. */
  validationSplit?: number;
  /** [x, y], [x, y, sampleWeight], or an iterable of batches. */
  validationData?: unknown;
  shuffle?: boolean;
  initialEpoch?: number;
  /** A weight per row ([rows]) or per step ([rows, steps]), scaling each sample's loss. */
  sampleWeight?: unknown;
  /** { class: weight }: each sample weighs what its label's class does. */
  classWeight?: ClassWeight;
  /** Makes the shuffling (and so a CPU fit) repeatable. */
  seed?: number;
  /** Stops after the current batch; fit() then rejects with the signal's reason. */
  signal?: AbortSignal;
}

const FIT_OPTIONS = ['batchSize', 'epochs', 'verbose', 'callbacks', 'validationSplit', 'validationData', 'shuffle', 'initialEpoch',
  'sampleWeight', 'classWeight', 'seed', 'signal'] as const;

export class History {
  readonly history: Record<string, number[]> = {};
  readonly epoch: number[] = [];

  /** @internal */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (this.history[name] ??= []).push(value);
  }
}

/** A model's output for a batch, with the step mask of a masked sequence output (0/1 [batch, steps]). */
export interface Prediction {
  output: Tensor;
  mask: Tensor | null;
}


/** What the loop trains: a model's forward, its loss and metrics, its optimizer. */
export interface Trainee {
  name: string;
  forward(x: Tensor, training: boolean): Prediction;
  /** The batch's loss (a scalar), weighted by the sample weights and the prediction's mask. */
  loss(yTrue: Tensor, prediction: Prediction, sampleWeight: Tensor | null): Tensor;
  metrics: readonly {
    name: string;
    sums(yTrue: Tensor, prediction: Prediction, sampleWeight: Tensor | null): BatchSums;
    /** The logged value from the epoch's weighted mean. */
    finish(mean: number): number;
  }[];
  optimizer(): Optimizer;
  stopTraining: boolean;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function positiveInteger(value: unknown, fallback: number, argument: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new ArgumentError(`${argument} must be an integer >= 1, got ${describe(value)}`);
  return value;
}

/** The weights of a batch: its own, or its labels' classes'. */
async function batchWeights(y: Tensor, own: Tensor | null, classWeight: ClassWeight | null, dtype: 'float32' | 'float64'): Promise<{ weights: Tensor | null; made: boolean }> {
  if (!classWeight) return { weights: own, made: false };
  return { weights: await classSampleWeights(y, classWeight, dtype), made: true };
}

/** @internal Loss and metrics over a source's batches, without gradients. */
export async function evaluateSource(t: Trainee, source: BatchSource, prefix = ''): Promise<Logs> {
  const totals = new DeviceTotals();
  try {
    for await (const batch of source.epoch(null)) {
      try {
        scope(() => noGrad(() => {
          const prediction = t.forward(batch.x, false);
          totals.add('loss', lossSums(t.loss(batch.y, prediction, batch.sampleWeight), batch.rows));
          for (const m of t.metrics) totals.add(m.name, m.sums(batch.y, prediction, batch.sampleWeight), m.finish);
        }));
      } finally {
        batch.release();
      }
      await yieldToEventLoop();
    }
    return await totals.means(prefix);
  } finally {
    totals.dispose();
  }
}

export async function fitLoop(t: Trainee, xIn: unknown, yIn: unknown, options: FitOptions = {}): Promise<History> {
  const where = `${t.name}.fit`;
  const o = checkOptions(options, FIT_OPTIONS, `${where} options`);
  const batchSize = positiveInteger(o.batchSize, 32, `${where} options.batchSize`);
  const epochs = positiveInteger(o.epochs, 1, `${where} options.epochs`);
  const initialEpoch = o.initialEpoch === undefined ? 0 : positiveInteger(o.initialEpoch + 1, 1, `${where} options.initialEpoch`) - 1;
  const verbose = checkVerbose(o.verbose, `${where} options.verbose`);
  const callbacks = o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks];
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new ArgumentError(`${where} options.signal must be an AbortSignal, got ${describe(o.signal)}`);
  if (o.sampleWeight !== undefined && o.classWeight !== undefined) throw new ArgumentError(`${where} options: give sampleWeight or classWeight, not both`);
  const classWeight = o.classWeight === undefined ? null : checkClassWeight(o.classWeight, `${where} options.classWeight`);
  const data = dataSource(xIn, yIn, o.sampleWeight, batchSize, where);
  let split: ReturnType<typeof splitData> | null = null;
  const history = new History();
  try {
    split = splitData(data, o, batchSize, where);
    const { validation } = split;
    let train = split.train;
    let batchClassWeight = classWeight;
    if (classWeight && train instanceof TensorBatches) {
      // Once for every training row (one read of the labels), not per batch.
      const weights = await classSampleWeights(train.y, classWeight, optimizerDType(t.optimizer()));
      split.views.push(weights);
      train = new TensorBatches(train.x, train.y, weights, batchSize);
      batchClassWeight = null;
    }
    const shuffle = o.shuffle ?? true;
    // Keras shuffles arrays, not iterables (their order is the data's).
    const order = shuffle && train instanceof TensorBatches ? shuffler(o.seed ?? Math.floor(Math.random() * 2 ** 32)) : null;
    // A fit resumed at initialEpoch shuffles as the uninterrupted one would have from there.
    if (order && train instanceof TensorBatches) for (let e = 0; e < initialEpoch; e++) order(train.rows);
    const optimizer = t.optimizer();
    t.stopTraining = false;
    const progress = progressDisplay(verbose, epochs, train.batchesPerEpoch ?? 0);
    try {
      for (const cb of callbacks) await cb.onTrainBegin?.({});
      for (let epoch = initialEpoch; epoch < epochs && !t.stopTraining; epoch++) {
        for (const cb of callbacks) await cb.onEpochBegin?.(epoch, {});
        progress.epochBegin(epoch);
        const totals = new DeviceTotals();
        let batchIndex = 0;
        // The previous batch's loss: waited for (without blocking) once the next batch is queued,
        // so the device queue, and the memory its batches hold, stays two batches deep.
        let inFlight: Tensor | null = null;
        try {
          for await (const batch of train.epoch(order)) {
            let loss: Tensor;
            try {
              for (const cb of callbacks) await cb.onBatchBegin?.(batchIndex, { batch: batchIndex, size: batch.rows });
              const { weights, made } = await batchWeights(batch.y, batch.sampleWeight, batchClassWeight, optimizerDType(optimizer));
              try {
                loss = scope(() => {
                  const prediction = t.forward(batch.x, true);
                  const l = t.loss(batch.y, prediction, weights);
                  l.backward();
                  totals.add('loss', lossSums(l, batch.rows));
                  for (const m of t.metrics) totals.add(m.name, m.sums(batch.y, prediction, weights), m.finish);
                  return l;
                });
              } finally {
                if (made) weights?.dispose();
              }
              optimizer.step();
              optimizer.zeroGrad();
            } finally {
              batch.release();
            }
            let read: number | undefined;  // the batch's loss, only when a callback needs it (a device sync)
            if (callbacks.some((cb) => cb.onBatchEnd)) {
              const value = read = (await loss.data())[0];
              for (const cb of callbacks) await cb.onBatchEnd?.(batchIndex, { batch: batchIndex, size: batch.rows, loss: value });
            }
            progress.batchEnd(batchIndex + 1, batch.rows, read);
            if (inFlight) {
              await inFlight.data();
              inFlight.dispose();
            }
            inFlight = loss;
            batchIndex++;
            await yieldToEventLoop();
            if (o.signal?.aborted) throw o.signal.reason ?? new Error('fit() aborted');
          }
          const logs = await totals.means();
          if (validation) Object.assign(logs, await evaluateSource(t, validation.source, 'val_'));
          // Callbacks may add to the logs (reduceLROnPlateau's learning_rate) before they are kept,
          // as Keras's History callback runs last.
          for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
          history.record(epoch, logs);
          progress.epochEnd(epoch, logs);
        } finally {
          inFlight?.dispose();
          totals.dispose();
        }
      }
      for (const cb of callbacks) await cb.onTrainEnd?.({});
      return history;
    } finally {
      progress.close();
    }
  } catch (error) {
    if (error !== null && typeof error === 'object') (error as { history?: History }).history = history;
    throw error;
  } finally {
    for (const v of split?.views ?? []) v.dispose();
    split?.validation?.release();
    data.release();
  }
}

/** The dtype class weights are made in: the trained parameters'. */
function optimizerDType(optimizer: Optimizer): 'float32' | 'float64' {
  const first = optimizer.paramGroups[0]?.params[0];
  return first?.dtype === 'float64' ? 'float64' : 'float32';
}
