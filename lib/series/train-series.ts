/**
 * Training a forecaster on one series: windows of `window` past values predict the value
 * `horizon` steps later; the last `heldOut` share of the windows (the latest ones) is held out and
 * scored against the naive forecast "the window's last value". Values are standardised with the
 * training part's mean and deviation. MSE, Adam, clipping, a seeded shuffle per epoch; a
 * checkpoint at each epoch's end and, when `signal` asks for a stop, after the current batch,
 * from which `resumeFrom` continues exactly.
 */
import { checkInteger, checkOptions } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import type { Device } from '../dtype';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { mse } from '../losses/index';
import { clipGradNorm } from '../optim/clip';
import { Adam } from '../optim/adam';
import { manualSeed } from '../random';
import { scope } from '../scope';
import { Tensor } from '../tensor';
import { progressDisplay } from '../train/progress';
import { RUN_OPTION_KEYS, checkOptimisation, checkRunControls, checkShare, refuseFixedOptions, type RunOptions } from '../train/run-options';
import { shuffler } from '../train/shuffle';
import { readSeriesRun, saveSeriesRun, type SeriesEpochRecord, type SeriesRunState } from './series-checkpoint';
import { SeriesModel } from './series-model';
import { seriesWindows, type Windows } from './windows';

export interface SeriesTrainingOptions extends RunOptions {
  values: ArrayLike<number>;
  /** The series' name (a CSV column), kept in the checkpoint. */
  name?: string;
  /** Past values per forecast (default 24). */
  window?: number;
  /** Steps ahead forecast (default 1). */
  horizon?: number;
  onEpochEnd?: (record: SeriesEpochRecord, model: SeriesModel) => void | Promise<void>;
}

export interface SeriesTrainingResult {
  model: SeriesModel;
  history: SeriesEpochRecord[];
  step: number;
  stopped: boolean;
  state: SeriesRunState;
}

const WHERE = 'trainSeriesModel';
const OPTION_KEYS = [...RUN_OPTION_KEYS, 'values', 'name', 'window', 'horizon', 'onEpochEnd'];
const FIXED_BY_CHECKPOINT = ['window', 'horizon', 'hidden', 'layers', 'batch', 'lr', 'clip', 'heldOut', 'seed'] as const;

function freshRun(o: Partial<SeriesTrainingOptions>, values: Float64Array): SeriesRunState {
  const int = (v: unknown, name: string, fallback: number) => checkInteger(v ?? fallback, `${WHERE}: ${name}`, 1);
  const { lr, clip } = checkOptimisation(o, { lr: 0.005, clip: 1 }, WHERE);
  const heldOut = checkShare(o.heldOut, 0.2, 0.5, `${WHERE}: heldOut`);
  return {
    name: o.name ?? 'series',
    model: { hidden: int(o.hidden, 'hidden', 32), layers: int(o.layers, 'layers', 1) },
    training: { window: int(o.window, 'window', 24), horizon: int(o.horizon, 'horizon', 1), epochs: int(o.epochs, 'epochs', 100), batch: int(o.batch, 'batch', 32),
      lr, clip, heldOut, seed: checkInteger(o.seed ?? 1, `${WHERE}: seed`, 0) },
    scale: { mean: 0, std: 1 },
    data: { length: values.length, tail: [] },
    progress: { epoch: 0, batch: 0, step: 0, lossSum: 0, lossRows: 0 },
    history: [],
  };
}

/** MSE over `w` in normalised units, and RMSEs in the series' units for the model and the naive forecast. */
async function score(model: SeriesModel, w: Windows, std: number, device: Device): Promise<{ loss: number; rmse: number; naiveRmse: number }> {
  model.eval();
  try {
    const predicted = scope(() => noGrad(() => model.forward(Tensor.from(w.x, [w.count, w.window, 1], { device }))));
    const p = await predicted.data();
    predicted.dispose();
    let model2 = 0, naive2 = 0;
    for (let i = 0; i < w.count; i++) {
      model2 += (p[i] - w.y[i]) ** 2;
      naive2 += (w.x[i * w.window + w.window - 1] - w.y[i]) ** 2;
    }
    return { loss: model2 / w.count, rmse: Math.sqrt(model2 / w.count) * std, naiveRmse: Math.sqrt(naive2 / w.count) * std };
  } finally {
    model.train();
  }
}

export async function trainSeriesModel(options: SeriesTrainingOptions): Promise<SeriesTrainingResult> {
  const o = checkOptions(options, OPTION_KEYS, `${WHERE} options`);
  if (o.values === undefined || typeof (o.values as ArrayLike<number>).length !== 'number') throw new ArgumentError(`${WHERE}: values must be an array of numbers, got ${describe(o.values)}`);
  const values = Float64Array.from(o.values);
  if (!values.every(Number.isFinite)) throw new ArgumentError(`${WHERE}: values must all be finite numbers`);
  const { device, verbose } = checkRunControls(o, WHERE);

  let model: SeriesModel | undefined, optimizer: Adam | undefined;
  const build = (run: SeriesRunState) => {
    model = new SeriesModel(run.model, device);
    optimizer = new Adam(model.parameters(), { lr: run.training.lr });
    return { model, optimizer };
  };
  // Whatever fails after the model is built disposes it (and Adam's state).
  try {
    let state: SeriesRunState;
    if (o.resumeFrom !== undefined) {
      refuseFixedOptions(o, FIXED_BY_CHECKPOINT, o.resumeFrom, WHERE);
      state = readSeriesRun(o.resumeFrom, build, WHERE);
      if (state.data.length !== values.length) throw new ArgumentError(`${WHERE}: the series has ${values.length} values, the one ${o.resumeFrom} was trained on had ${state.data.length}`);
      if (o.epochs !== undefined) state.training.epochs = checkInteger(o.epochs, `${WHERE}: epochs`, 1);
    } else {
      state = freshRun(o, values);
      manualSeed(state.training.seed);
      build(state);
    }
    const { window, horizon, batch, epochs, clip, heldOut, seed } = state.training;
    const total = values.length - window - horizon + 1;
    const heldCount = Math.floor(total * heldOut);
    if (total - heldCount < 1) throw new ArgumentError(`${WHERE}: ${values.length} values make no training window of ${window} values with horizon ${horizon}`);
    if (o.resumeFrom === undefined) {
      // Standardised with the training part only: the held-out values stay unseen.
      const trainPart = values.subarray(0, total - heldCount + window + horizon - 1);
      const mean = trainPart.reduce((a, b) => a + b, 0) / trainPart.length;
      const std = Math.sqrt(trainPart.reduce((a, b) => a + (b - mean) ** 2, 0) / trainPart.length) || 1;
      state.scale = { mean, std };
      state.data.tail = Array.from(values.subarray(values.length - window));
    }
    const normalised = values.map((v) => (v - state.scale.mean) / state.scale.std);
    const all = seriesWindows(normalised, window, horizon);
    const train = all.slice(0, total - heldCount), held = all.slice(total - heldCount, total);
    const batches = Math.ceil(train.count / batch);
    const save = () => {
      if (o.checkpoint !== undefined) saveSeriesRun(o.checkpoint, { model: model!, optimizer: optimizer! }, state);
    };
    const p = state.progress;
    const progress = progressDisplay(verbose, epochs, batches);
    let stopped = false;
    try {
      while (p.epoch < epochs) {
        const began = Date.now();
        // One order per epoch, drawn from the seed and the epoch alone: a resumed epoch sees the same.
        const order = shuffler(seed * 1000003 + p.epoch)(train.count);
        progress.epochBegin(p.epoch);
        for (; p.batch < batches; p.batch++) {
          const rows = order.subarray(p.batch * batch, (p.batch + 1) * batch);
          const { x, y } = train.gather(rows, device);
          const loss = scope(() => {
            const l = mse(model!.forward(x), y);
            l.backward();
            return l;
          });
          if (clip > 0) clipGradNorm(model!.parameters(), clip).dispose();
          optimizer!.step();
          optimizer!.zeroGrad();
          const value = await loss.item();
          for (const t of [x, y, loss]) t.dispose();
          p.step++;
          p.lossSum += value * rows.length;
          p.lossRows += rows.length;
          progress.batchEnd(p.batch + 1, rows.length, value);
          o.onBatchEnd?.(p.step, value);
          if (o.signal?.aborted && p.batch + 1 < batches) {
            p.batch++;
            stopped = true;
            break;
          }
        }
        if (stopped) break;
        const loss = p.lossSum / p.lossRows;
        const scored = held.count > 0 ? await score(model!, held, state.scale.std, device) : null;
        const record: SeriesEpochRecord = {
          epoch: p.epoch + 1, step: p.step, loss, valLoss: scored?.loss ?? NaN, valRmse: scored?.rmse ?? NaN, naiveRmse: scored?.naiveRmse ?? NaN, seconds: (Date.now() - began) / 1000,
        };
        state.history.push(record);
        progress.epochEnd(p.epoch, scored ? { loss, val_loss: scored.loss, val_rmse: scored.rmse } : { loss });
        Object.assign(p, { epoch: p.epoch + 1, batch: 0, lossSum: 0, lossRows: 0 });
        save();
        await o.onEpochEnd?.(record, model!);
        if (o.signal?.aborted && p.epoch < epochs) {
          stopped = true;
          break;
        }
      }
      if (stopped && p.batch > 0) save(); // a stop at an epoch's end has just been saved
    } finally {
      progress.close();
    }
    optimizer!.dispose();
    return { model: model!, history: state.history, step: p.step, stopped, state };
  } catch (error) {
    optimizer?.dispose();
    model?.dispose();
    throw error;
  }
}
