/**
 * The measuring side of bench/keras.ts, in a child process per (framework, thread count):
 * gru-native's Keras face and TensorFlow.js (pure-JS CPU backend) fitting the tutorial model T,
 * per-batch step times from onBatchEnd timestamps, and the event-loop delay around a plain
 * fit() (no per-batch callback) of T and of the word LM W built with keras.layers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

import type { Device } from '../lib/dtype';
import { median, stats, type Stats } from './lib/timing';
import { mulberry32 } from '../lib/train/shuffle';

/** Shapes and repeats, decided by the parent (--quick shrinks the repeats only). */
export interface KerasPlan {
  T: { batch: number; seq: number; features: number; units: number; classes: number; batchesPerEpoch: number;
       warmupEpochs: number; timedEpochs: number; lagEpochs: number; tfjsWarmupBatches: number; tfjsBatches: number };
  W: { batch: number; seq: number; vocab: number; embedding: number; units: number; warmupBatches: number; timedBatches: number; lagBatches: number };
}

export interface KerasWorkerConfig {
  framework: 'gru-native' | 'tfjs';
  threads: number;
  device: Device;
  plan: KerasPlan;
}

/**
 * Event-loop delay (ms) from monitorEventLoopDelay({ resolution: 1 }) over one fit() call: its
 * samples are the 1 ms timer's whole interval, so an idle loop reads about 1.1 ms; null without
 * samples.
 */
export interface LoopDelay {
  maxMs: number | null;
  p99Ms: number | null;
  p50Ms: number | null;
  meanMs: number | null;
  samples: number;
  /** The longest time between two ticks of a 1 ms setInterval (or the last tick and fit()'s end). */
  longestGapMs: number;
  /** The process's minor page faults during the fit (fresh memory being touched). */
  minorPageFaults: number;
  /** Time the JS thread spent runnable but waiting for a core (Linux schedstat), null elsewhere. */
  jsThreadRunQueueMs: number | null;
  fitWallMs: number;
  batches: number;
}

export interface FitTiming {
  /** Per-batch step time: from one onBatchEnd (or the epoch's start) to the next. */
  step: Stats;
  epochMs: number;
  /** The mean loss of the last timed epoch: finite means it trained. */
  lastLoss: number;
}

export interface KerasWorkerReport {
  framework: string;
  version: string;
  threads: number;
  device: Device;
  params: number;
  T: FitTiming & {
    /** Wall time of whole epochs of a plain fit (no per-batch callback): onEpochBegin to onEpochEnd. */
    plainEpochMs: number | null;
    /** Plain fit (what the delay target is about) and the timed fit with an onBatchEnd callback. */
    loopDelay: { plain: LoopDelay | null; withBatchCallback: LoopDelay };
    /** The process's peak RSS once T is done (before W is built). */
    peakRssMiB: number;
    /** keras.sequential(...) with the first layer's inputShape: building and drawing the initial weights (synchronous). */
    buildMs?: number;
  };
  /** The Keras-face word LM (no peers: its epoch is whatever the data is, so steps only). */
  W: { step: Stats; lastLoss: number; params: number; loopDelay: { plain: LoopDelay; withBatchCallback: LoopDelay }; peakRssMiB: number; buildMs: number } | null;
  openblas?: string;
  peakRssMiB: number;
}

/** The same inputs for both JS frameworks, without either's generator. */
const uniforms = mulberry32;

/** x ~ N(0, 1) [rows, seq, features] and one-hot labels [rows, classes], from a fixed seed. */
function classifierData(rows: number, seq: number, features: number, classes: number): { x: Float32Array; y: Float32Array } {
  const next = uniforms(42);
  const x = new Float32Array(rows * seq * features);
  for (let i = 0; i < x.length; i += 2) {
    // Box-Muller, two normals per pair of uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - next())), a = 2 * Math.PI * next();
    x[i] = r * Math.cos(a);
    if (i + 1 < x.length) x[i + 1] = r * Math.sin(a);
  }
  const y = new Float32Array(rows * classes);
  for (let row = 0; row < rows; row++) y[row * classes + Math.floor(next() * classes)] = 1;
  return { x, y };
}

/** Random tokens [rows, seq + 1]: inputs are the first seq, targets the last seq. */
function wordData(rows: number, seq: number, vocab: number): { x: Int32Array; y: Int32Array } {
  const next = uniforms(7);
  const x = new Int32Array(rows * seq), y = new Int32Array(rows * seq);
  for (let row = 0; row < rows; row++) {
    let token = Math.floor(next() * vocab);
    for (let t = 0; t < seq; t++) {
      x[row * seq + t] = token;
      token = Math.floor(next() * vocab);
      y[row * seq + t] = token;
    }
  }
  return { x, y };
}

/** What fit() callbacks see of either framework. */
interface Callbacks {
  onEpochBegin?(epoch: number): void;
  onEpochEnd?(epoch: number, logs?: Record<string, unknown>): void;
  onBatchEnd?(batch: number, logs?: Record<string, unknown>): void;
}

/** Step samples from consecutive onBatchEnd calls; the epoch's start opens the first. */
function stepRecorder(): { callbacks: Callbacks; samples: number[]; losses: number[] } {
  const samples: number[] = [], losses: number[] = [];
  let last = 0;
  return {
    samples, losses,
    callbacks: {
      onEpochBegin: () => { last = performance.now(); },
      onBatchEnd: () => {
        const now = performance.now();
        samples.push(now - last);
        last = now;
      },
      onEpochEnd: (_epoch, logs) => {
        if (typeof logs?.loss === 'number') losses.push(logs.loss);
      },
    },
  };
}

/**
 * Runs `fit` with the event-loop delay histogram on (ns there, ms here), and a 1 ms interval
 * whose longest gap, counting the one still open when fit() resolves, catches a loop that never
 * got back to its timers at all (the histogram then has no samples).
 */
async function withLoopDelay(batches: number, fit: () => Promise<unknown>): Promise<LoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const start = performance.now();
  let lastTick = start, longestGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - lastTick);
    lastTick = now;
  }, 1);
  const faultsBefore = process.resourceUsage().minorPageFault;
  const schedBefore = jsThreadSchedstat();
  histogram.enable();
  try {
    await fit();
  } finally {
    histogram.disable();
    clearInterval(ticker);
  }
  const end = performance.now();
  const schedAfter = jsThreadSchedstat();
  longestGap = Math.max(longestGap, end - lastTick);
  const ms = (ns: number) => (histogram.count > 0 ? ns / 1e6 : null);
  return { maxMs: ms(histogram.max), p99Ms: ms(histogram.percentile(99)), p50Ms: ms(histogram.percentile(50)), meanMs: ms(histogram.mean),
           samples: histogram.count, longestGapMs: longestGap, minorPageFaults: process.resourceUsage().minorPageFault - faultsBefore,
           jsThreadRunQueueMs: schedBefore && schedAfter ? (schedAfter[1] - schedBefore[1]) / 1e6 : null,
           fitWallMs: end - start, batches };
}

/** The main thread's [on-CPU, waiting-for-CPU] ns from /proc (its tid is the pid). */
function jsThreadSchedstat(): [number, number] | null {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return [onCpu, waiting];
  } catch {
    return null;
  }
}

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function runGruNative(config: KerasWorkerConfig): Promise<KerasWorkerReport> {
  const gn = await import('../lib/index');
  const { keras, Tensor, manualSeed, setNumThreads, backends } = gn;
  const { blasInfo } = await import('./lib/machine');
  const { device, plan } = config;
  setNumThreads(config.threads);
  manualSeed(0);
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

  // T: the tutorial's classifier.
  const t = plan.T;
  const rows = t.batch * t.batchesPerEpoch;
  const data = classifierData(rows, t.seq, t.features, t.classes);
  const x = Tensor.from(data.x, [rows, t.seq, t.features], { device });
  const y = Tensor.from(data.y, [rows, t.classes], { device });
  const buildStart = performance.now();
  const model = keras.sequential({
    device,
    layers: [
      keras.layers.gru({ units: t.units, returnSequences: true, inputShape: [t.seq, t.features] }),
      keras.layers.gru({ units: t.units }),
      keras.layers.dense({ units: t.classes, activation: 'softmax' }),
    ],
  });
  const buildMs = performance.now() - buildStart;  // inputShape given: the weights are drawn here
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
  const fitOptions = { batchSize: t.batch, verbose: 0 as const, shuffle: false };
  await model.fit(x, y, { ...fitOptions, epochs: t.warmupEpochs });
  const timed = stepRecorder();
  const timedDelay = await withLoopDelay(t.timedEpochs * t.batchesPerEpoch,
    () => model.fit(x, y, { ...fitOptions, epochs: t.timedEpochs, callbacks: timed.callbacks }));
  // Every sample counts, the first of each epoch (which carries the epoch's setup) too, as in an epoch.
  const step = stats(timed.samples);
  const epochWalls: number[] = [];
  let epochStart = 0;
  const plainDelay = await withLoopDelay(t.lagEpochs * t.batchesPerEpoch, () => model.fit(x, y, {
    ...fitOptions, epochs: t.lagEpochs,
    // Epoch callbacks only: fit() reads the loss per batch only when some callback has onBatchEnd.
    callbacks: { onEpochBegin: () => { epochStart = performance.now(); }, onEpochEnd: () => { epochWalls.push(performance.now() - epochStart); } },
  }));
  const T = {
    step, epochMs: step.medianMs * t.batchesPerEpoch, lastLoss: timed.losses[timed.losses.length - 1] ?? NaN,
    plainEpochMs: median(epochWalls), loopDelay: { plain: plainDelay, withBatchCallback: timedDelay }, peakRssMiB: peakRssMiB(), buildMs,
  };
  const params = model.countParams();
  model.dispose();
  x.dispose();
  y.dispose();

  // W: the training benchmark's word LM in the Keras face (no carried state, no clipping).
  const w = plan.W;
  const wRows = w.batch * Math.max(w.warmupBatches, w.timedBatches, w.lagBatches);
  const words = wordData(wRows, w.seq, w.vocab);
  const wx = Tensor.from(words.x, [wRows, w.seq], { dtype: 'int32', device });
  const wy = Tensor.from(words.y, [wRows, w.seq], { dtype: 'int32', device });
  const lmBuildStart = performance.now();
  const lm = keras.sequential({
    device,
    layers: [
      keras.layers.embedding({ inputDim: w.vocab, outputDim: w.embedding, inputShape: [w.seq] }),
      keras.layers.gru({ units: w.units, returnSequences: true }),
      keras.layers.gru({ units: w.units, returnSequences: true }),
      keras.layers.dense({ units: w.vocab, activation: 'softmax' }),
    ],
  });
  const lmBuildMs = performance.now() - lmBuildStart;
  lm.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  const rowsOf = (batches: number) => [gn.narrow(wx, 0, 0, batches * w.batch), gn.narrow(wy, 0, 0, batches * w.batch)] as const;
  const wFit = { batchSize: w.batch, verbose: 0 as const, shuffle: false, epochs: 1 };
  const [warmX, warmY] = rowsOf(w.warmupBatches);
  await lm.fit(warmX, warmY, wFit);
  const wTimed = stepRecorder();
  const [timedX, timedY] = rowsOf(w.timedBatches);
  const wTimedDelay = await withLoopDelay(w.timedBatches, () => lm.fit(timedX, timedY, { ...wFit, callbacks: wTimed.callbacks }));
  const [lagX, lagY] = rowsOf(w.lagBatches);
  const wPlainDelay = await withLoopDelay(w.lagBatches, () => lm.fit(lagX, lagY, wFit));
  const W = {
    step: stats(wTimed.samples), lastLoss: wTimed.losses[wTimed.losses.length - 1] ?? NaN, params: lm.countParams(),
    loopDelay: { plain: wPlainDelay, withBatchCallback: wTimedDelay }, peakRssMiB: peakRssMiB(), buildMs: lmBuildMs,
  };
  for (const v of [warmX, warmY, timedX, timedY, lagX, lagY, wx, wy]) v.dispose();
  lm.dispose();
  return { framework: 'gru-native', version: pkg.version, threads: config.threads, device, params, T, W,
           openblas: blasInfo(backends()).openblas, peakRssMiB: peakRssMiB() };
}

async function runTfjs(config: KerasWorkerConfig): Promise<KerasWorkerReport> {
  const tf = await import('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  await tf.ready();
  const t = config.plan.T;
  const batches = t.tfjsWarmupBatches + t.tfjsBatches;
  const rows = t.batch * batches;
  const data = classifierData(rows, t.seq, t.features, t.classes);
  const x = tf.tensor3d(data.x, [rows, t.seq, t.features]);
  const y = tf.tensor2d(data.y, [rows, t.classes]);
  // TF.js's GRU is reset-before only (resetAfter: true throws): one bias [3U] instead of [2, 3U].
  // recurrentActivation 'sigmoid' as Keras 3 (TF.js's default is hardSigmoid); else defaults.
  const model = tf.sequential({
    layers: [
      tf.layers.gru({ units: t.units, returnSequences: true, inputShape: [t.seq, t.features], recurrentActivation: 'sigmoid' }),
      tf.layers.gru({ units: t.units, recurrentActivation: 'sigmoid' }),
      tf.layers.dense({ units: t.classes, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const timed = stepRecorder();
  // One epoch over warm-up + timed batches: TF.js takes seconds per batch, so few of them.
  const delay = await withLoopDelay(batches, () => model.fit(x, y, { batchSize: t.batch, epochs: 1, shuffle: false, verbose: 0, callbacks: timed.callbacks }));
  const step = stats(timed.samples.slice(t.tfjsWarmupBatches));
  const report: KerasWorkerReport = {
    framework: 'tfjs', version: tf.version.tfjs, threads: config.threads, device: 'cpu', params: model.countParams(),
    T: { step, epochMs: step.medianMs * t.batchesPerEpoch, lastLoss: timed.losses[timed.losses.length - 1] ?? NaN, plainEpochMs: null,
         loopDelay: { plain: null, withBatchCallback: delay }, peakRssMiB: peakRssMiB() },
    W: null, peakRssMiB: peakRssMiB(),
  };
  tf.dispose([x, y]);
  model.dispose();
  return report;
}

export function runKerasWorker(config: KerasWorkerConfig): Promise<KerasWorkerReport> {
  return config.framework === 'tfjs' ? runTfjs(config) : runGruNative(config);
}
