/**
 * The fit loop both faces share: batches of (x, y) rows, forward, loss, backward, optimizer step,
 * with the loss and metrics summed on the device and read asynchronously once per epoch, a yield
 * to the event loop after every batch, callbacks, validation, and an AbortSignal that stops after
 * the current batch (the model and optimizer then hold the last completed step).
 */
import { checkOptions } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import { checkTensor } from '../checks';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { add, scale } from '../ops/arithmetic';
import { indexSelect } from '../ops/indexing';
import { narrow } from '../ops/views';
import type { Optimizer } from '../optim/optimizer';
import { keep, scope } from '../scope';
import { Tensor } from '../tensor';

/** Logs of one epoch or batch: `loss`, metrics, `val_` versions. */
export type Logs = Record<string, number>;

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
  /** 0: silent; 1 and 2: one line per epoch on stderr (default 1). */
  verbose?: 0 | 1 | 2;
  callbacks?: Callback | Callback[];
  /** The last fraction of the rows, taken before shuffling, is held out for validation. */
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  shuffle?: boolean;
  initialEpoch?: number;
  /** Makes the shuffling (and so a CPU fit) repeatable. */
  seed?: number;
  /** Stops after the current batch; fit() then rejects with the signal's reason. */
  signal?: AbortSignal;
}

const FIT_OPTIONS = ['batchSize', 'epochs', 'verbose', 'callbacks', 'validationSplit', 'validationData', 'shuffle', 'initialEpoch', 'seed', 'signal'] as const;

export class History {
  readonly history: Record<string, number[]> = {};
  readonly epoch: number[] = [];

  /** @internal */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (this.history[name] ??= []).push(value);
  }
}

/** What the loop trains: a model's forward, its loss and metrics, its optimizer. */
export interface Trainee {
  name: string;
  forward(x: Tensor, training: boolean): Tensor;
  loss(yTrue: Tensor, yPred: Tensor): Tensor;
  metrics: readonly { name: string; value(yTrue: Tensor, yPred: Tensor): Tensor }[];
  optimizer(): Optimizer;
  stopTraining: boolean;
}

/** A small seeded generator for shuffling (mulberry32). */
function shuffler(seed: number): (n: number) => Int32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n) => {
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function checkPair(x: unknown, y: unknown, where: string): [Tensor, Tensor] {
  const xs = checkTensor(x, `${where}: x`), ys = checkTensor(y, `${where}: y`);
  if (xs.ndim === 0 || ys.ndim === 0 || xs.shape[0] !== ys.shape[0]) {
    throw new ShapeError(`${where}: x and y must have the same number of rows (their first dimension), got x ${formatShape(xs.shape)} and y ${formatShape(ys.shape)}`);
  }
  if (xs.shape[0] === 0) throw new ShapeError(`${where}: x has no rows`);
  return [xs, ys];
}

function positiveInteger(value: unknown, fallback: number, argument: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new ArgumentError(`${argument} must be an integer >= 1, got ${describe(value)}`);
  return value;
}

/** Sums of each log's per-batch value times the batch's rows, kept on the device. */
class DeviceTotals {
  private readonly totals = new Map<string, Tensor>();
  rows = 0;
  add(name: string, value: Tensor, rows: number): void {
    const weighted = noGrad(() => scale(value, rows));
    const current = this.totals.get(name);
    if (current) {
      const next = keep(noGrad(() => add(current, weighted)));
      current.dispose();
      weighted.dispose();
      this.totals.set(name, next);
    } else {
      this.totals.set(name, keep(weighted));
    }
  }
  /** The means, read without blocking the event loop. */
  async means(prefix = ''): Promise<Logs> {
    const logs: Logs = {};
    for (const [name, total] of this.totals) logs[prefix + name] = (await total.data())[0] / this.rows;
    return logs;
  }
  dispose(): void {
    for (const t of this.totals.values()) t.dispose();
    this.totals.clear();
  }
}

/** Loss and metrics over (x, y) in batches, without gradients. */
export async function evaluateRows(t: Trainee, x: Tensor, y: Tensor, batchSize: number, prefix = ''): Promise<Logs> {
  const totals = new DeviceTotals();
  try {
    for (let start = 0; start < x.shape[0]; start += batchSize) {
      const rows = Math.min(batchSize, x.shape[0] - start);
      scope(() => noGrad(() => {
        const xb = narrow(x, 0, start, rows), yb = narrow(y, 0, start, rows);
        const pred = t.forward(xb, false);
        totals.add('loss', t.loss(yb, pred), rows);
        for (const m of t.metrics) totals.add(m.name, m.value(yb, pred), rows);
      }));
      totals.rows += rows;
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
  let [x, y] = checkPair(xIn, yIn, where);
  const batchSize = positiveInteger(o.batchSize, 32, `${where} options.batchSize`);
  const epochs = positiveInteger(o.epochs, 1, `${where} options.epochs`);
  const initialEpoch = o.initialEpoch === undefined ? 0 : positiveInteger(o.initialEpoch + 1, 1, `${where} options.initialEpoch`) - 1;
  const verbose = o.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ArgumentError(`${where} options.verbose must be 0, 1 or 2, got ${describe(verbose)}`);
  const callbacks = o.callbacks === undefined ? [] : Array.isArray(o.callbacks) ? o.callbacks : [o.callbacks];
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new ArgumentError(`${where} options.signal must be an AbortSignal, got ${describe(o.signal)}`);
  let validation: [Tensor, Tensor] | null = null;
  const views: Tensor[] = [];
  if (o.validationData !== undefined) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) throw new ArgumentError(`${where} options.validationData must be [x, y], got ${describe(o.validationData)}`);
    validation = checkPair(o.validationData[0], o.validationData[1], `${where} options.validationData`);
  } else if (o.validationSplit !== undefined && o.validationSplit !== 0) {
    const split = o.validationSplit;
    if (typeof split !== 'number' || !(split > 0 && split < 1)) throw new ArgumentError(`${where} options.validationSplit must be in (0, 1), got ${describe(split)}`);
    // Keras: the last fraction of the rows, before any shuffling.
    const at = Math.floor(x.shape[0] * (1 - split));
    if (at === 0 || at === x.shape[0]) throw new ArgumentError(`${where}: validationSplit ${split} of ${x.shape[0]} rows leaves one side empty`);
    views.push(narrow(x, 0, at, x.shape[0] - at), narrow(y, 0, at, y.shape[0] - at), narrow(x, 0, 0, at), narrow(y, 0, 0, at));
    validation = [views[0], views[1]];
    [x, y] = [views[2], views[3]];
  }
  const shuffle = o.shuffle ?? true;
  const order = shuffler(o.seed ?? Math.floor(Math.random() * 2 ** 32));
  const history = new History();
  const optimizer = t.optimizer();
  t.stopTraining = false;
  const rowsTotal = x.shape[0];
  try {
    for (const cb of callbacks) await cb.onTrainBegin?.({});
    for (let epoch = initialEpoch; epoch < epochs && !t.stopTraining; epoch++) {
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch, {});
      const started = Date.now();
      const totals = new DeviceTotals();
      const permutation = shuffle ? order(rowsTotal) : null;
      let batch = 0;
      try {
        for (let start = 0; start < rowsTotal; start += batchSize, batch++) {
          const rows = Math.min(batchSize, rowsTotal - start);
          for (const cb of callbacks) await cb.onBatchBegin?.(batch, { batch, size: rows });
          const { loss } = scope(() => {
            let xb: Tensor, yb: Tensor;
            if (permutation) {
              const index = Tensor.from(permutation.subarray(start, start + rows), [rows], { dtype: 'int32', device: x.device });
              xb = indexSelect(x, 0, index);
              yb = indexSelect(y, 0, index);
            } else {
              xb = narrow(x, 0, start, rows);
              yb = narrow(y, 0, start, rows);
            }
            const pred = t.forward(xb, true);
            const l = t.loss(yb, pred);
            l.backward();
            totals.add('loss', l, rows);
            for (const m of t.metrics) totals.add(m.name, m.value(yb, pred), rows);
            return { loss: l };
          });
          optimizer.step();
          optimizer.zeroGrad();
          totals.rows += rows;
          if (callbacks.some((cb) => cb.onBatchEnd)) {
            const value = (await loss.data())[0];
            for (const cb of callbacks) await cb.onBatchEnd?.(batch, { batch, size: rows, loss: value });
          }
          loss.dispose();
          await yieldToEventLoop();
          if (o.signal?.aborted) throw o.signal.reason ?? new Error('fit() aborted');
        }
        const logs = await totals.means();
        if (validation) Object.assign(logs, await evaluateRows(t, validation[0], validation[1], batchSize, 'val_'));
        // Callbacks may add to the logs (reduceLROnPlateau's learning_rate) before they are kept,
        // as Keras's History callback runs last.
        for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
        history.record(epoch, logs);
        if (verbose > 0) {
          const perStep = Math.round((Date.now() - started) / Math.max(batch, 1));
          const values = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ');
          process.stderr.write(`Epoch ${epoch + 1}/${epochs} - ${perStep}ms/step - ${values}\n`);
        }
      } finally {
        totals.dispose();
      }
    }
    for (const cb of callbacks) await cb.onTrainEnd?.({});
    return history;
  } catch (error) {
    if (error !== null && typeof error === 'object') (error as { history?: History }).history = history;
    throw error;
  } finally {
    for (const v of views) v.dispose();
  }
}
