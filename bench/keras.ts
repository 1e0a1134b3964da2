/**
 * Keras-face benchmark: the tutorial's model T (keras.sequential of gru(128, returnSequences) ->
 * gru(128) -> dense(10, softmax) on [64, 100, 16] batches, categorical_crossentropy, adam) fitted
 * with verbose 0 and shuffle false, against TensorFlow.js's pure-JS CPU backend (optional) and
 * PyTorch (optional peer, Debian's python3-torch), plus the event-loop delay during fit() of T
 * and of the training benchmark's word LM W built with keras.layers (embedding -> gru x2 ->
 * dense over the vocabulary, sparse_categorical_crossentropy).
 *
 *   node --import tsx bench/keras.ts                 # writes bench/results/keras-cpu.json
 *   node --import tsx bench/keras.ts --quick --threads 1 --no-tfjs --out /tmp/keras.json
 *   node --import tsx bench/keras.ts --device cuda   # on a GPU machine: keras-cuda.json, torch on the same GPU, no TF.js
 *
 * Epoch time = median per-batch step time x 16 batches (1024 rows). Steps are timed from one
 * onBatchEnd to the next inside fit(), so they include everything fit() does per batch; an
 * onBatchEnd callback makes our fit() read each batch's loss, so our timed fit cannot run ahead
 * of the stream: the plain fit's epoch wall time (no per-batch callback) is reported beside it.
 * Every (framework, threads) runs in a fresh child process.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { backends, type Device } from '../lib/index';
import type { KerasPlan, KerasWorkerConfig, KerasWorkerReport, LoopDelay } from './keras-worker';
import { gitCommit, hostInfo, openblasKernels } from './lib/machine';
import { pinOpenblasCore } from './lib/openblas-core';
import { runJsonChild } from './lib/peer';
import { fmt, formatTable, writeJson, type Cell } from './lib/report';
import type { Stats } from './lib/timing';
import { findTorchPython } from './lib/torch-python';

const TORCH_PEER = join(__dirname, 'peers', 'torch_keras.py');
const TORCH_ENV = { OMP_WAIT_POLICY: 'PASSIVE' };  // see bench/gru.ts
const CHILD_TIMEOUT_MS = 30 * 60_000;  // TF.js takes seconds per batch
const LOOP_DELAY_TARGET_MS = 20;

interface TorchReport {
  framework: 'torch';
  version: string;
  threads: number;
  params: number;
  T: { step: Stats; epochMs: number; lastLoss: number };
  peakRssMiB: number;
}

function plan(quick: boolean): KerasPlan {
  return {
    T: { batch: 64, seq: 100, features: 16, units: 128, classes: 10, batchesPerEpoch: 16, warmupEpochs: 1,
         timedEpochs: quick ? 1 : 3, lagEpochs: quick ? 1 : 2, tfjsWarmupBatches: 1, tfjsBatches: quick ? 1 : 4 },
    W: { batch: 20, seq: 35, vocab: 10000, embedding: 300, units: 512, warmupBatches: quick ? 1 : 2, timedBatches: quick ? 2 : 6, lagBatches: quick ? 3 : 8 },
  };
}


function spawnWorker(config: KerasWorkerConfig): KerasWorkerReport {
  return runJsonChild<KerasWorkerReport>(process.execPath, [...process.execArgv, __filename, '--worker', JSON.stringify(config)],
    { threads: config.threads, timeoutMs: CHILD_TIMEOUT_MS });
}

/** Whether the loop never stalled past the target, by either probe. */
function meetsDelayTarget(d: LoopDelay): boolean {
  return d.samples > 0 && d.maxMs! < LOOP_DELAY_TARGET_MS && d.longestGapMs < LOOP_DELAY_TARGET_MS;
}

function delayRow(model: string, threads: number | string, who: string, fit: string, d: LoopDelay | null): Cell[] {
  if (!d) return [model, threads, who, fit, '-', '-', '-', '-', '-', '-', '-', '-', '-'];
  return [model, threads, who, fit, d.batches, fmt(d.maxMs, 1), fmt(d.p99Ms, 1), fmt(d.p50Ms, 1), fmt(d.longestGapMs, 1), fmt(d.fitWallMs / 1000, 2),
    d.minorPageFaults, fmt(d.jsThreadRunQueueMs, 0), meetsDelayTarget(d) ? 'yes' : 'no'];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      worker: { type: 'string' }, threads: { type: 'string', default: '1' }, quick: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false }, 'no-tfjs': { type: 'boolean', default: false }, out: { type: 'string' },
      device: { type: 'string', default: 'cpu' },
    },
  });
  if (values.worker) {
    // Only children load gru-native or TF.js.
    const worker = require('./keras-worker') as typeof import('./keras-worker');
    worker.runKerasWorker(JSON.parse(values.worker) as KerasWorkerConfig).then((report) => {
      process.stdout.write(JSON.stringify(report));
    }, (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
    return;
  }
  const device = values.device as Device;
  if (device !== 'cpu' && device !== 'cuda') throw new Error(`--device must be cpu or cuda, got ${device}`);
  const backend = backends().find((b) => b.name === device)!;
  if (!backend.available) {
    console.error(`bench/keras.ts: the ${device} backend is not available here: ${backend.reason}`);
    process.exit(1);
  }
  pinOpenblasCore();
  const threadCounts = values.threads!.split(',').map(Number);
  if (threadCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--threads must be positive integers, got ${values.threads}`);
  const quick = values.quick!;
  const p = plan(quick);
  const python = values['no-torch'] ? null : findTorchPython(device);
  if (!values['no-torch'] && !python) console.log(`torch: no Python with torch for ${device} (apt-get install -y python3-torch); peer skipped`);
  // @tensorflow/tfjs has no GPU backend in Node; on cuda its CPU numbers would say nothing.
  const withTfjs = !values['no-tfjs'] && device === 'cpu';
  const tfjsNote = values['no-tfjs'] ? 'skipped (--no-tfjs)' : device !== 'cpu' ? 'skipped on cuda (no GPU backend in @tensorflow/tfjs for Node)' : null;
  const host = hostInfo();
  if (host.loadAtStart > 0.5) console.error(`warning: load average is ${host.loadAtStart}; other processes will skew the timings`);

  // TF.js's CPU backend is single-threaded JS: measured once, at the first thread count.
  let tfjs: KerasWorkerReport | null = null;
  const runs: {
    threads: number; ours: KerasWorkerReport; torch: TorchReport | null; tfjs: KerasWorkerReport | null;
    ratios: { torchOverOurs: number | null; tfjsOverOurs: number | null; torchOverOursPlainEpoch: number | null };
  }[] = [];
  for (const threads of threadCounts) {
    console.error(`threads ${threads}: gru-native`);
    const ours = spawnWorker({ framework: 'gru-native', threads, device, plan: p });
    let torch: TorchReport | null = null;
    if (python) {
      console.error(`threads ${threads}: torch`);
      torch = runJsonChild<TorchReport>(python, [TORCH_PEER, JSON.stringify({ threads, device, plan: p })], { threads, env: TORCH_ENV, timeoutMs: CHILD_TIMEOUT_MS });
    }
    if (withTfjs && !tfjs) {
      console.error(`threads ${threads}: tfjs (pure-JS CPU backend, ${p.T.tfjsWarmupBatches} warm-up + ${p.T.tfjsBatches} timed batches)`);
      tfjs = spawnWorker({ framework: 'tfjs', threads: 1, device: 'cpu', plan: p });
    }
    const over = (peer: { T: { epochMs: number } } | null) => (peer ? peer.T.epochMs / ours.T.epochMs : null);
    runs.push({ threads, ours, torch, tfjs, ratios: { torchOverOurs: over(torch), tfjsOverOurs: over(tfjs),
      torchOverOursPlainEpoch: torch && ours.T.plainEpochMs ? torch.T.epochMs / ours.T.plainEpochMs : null } });
  }

  const b = p.T.batchesPerEpoch;
  const epochRows: Cell[][] = [];
  const delayRows: Cell[][] = [];
  for (const r of runs) {
    const ourEpoch = r.ours.T.epochMs;
    epochRows.push(['T', r.threads, `gru-native ${r.ours.version}`, fmt(r.ours.T.step.medianMs, 1), fmt(r.ours.T.step.p90Ms, 1), r.ours.T.step.repeats,
      fmt(ourEpoch / 1000, 3), fmt((r.ours.T.plainEpochMs ?? NaN) / 1000, 3), '1.00x', r.ours.params, r.ours.T.peakRssMiB]);
    if (r.torch) {
      epochRows.push(['T', r.threads, `torch ${r.torch.version}`, fmt(r.torch.T.step.medianMs, 1), fmt(r.torch.T.step.p90Ms, 1), r.torch.T.step.repeats,
        fmt(r.torch.T.epochMs / 1000, 3), '-', `${fmt(r.ratios.torchOverOurs)}x`, r.torch.params, r.torch.peakRssMiB]);
    }
    if (r.tfjs) {
      epochRows.push(['T', `${r.tfjs.threads} (JS)`, `tfjs ${r.tfjs.version} (reset-before)`, fmt(r.tfjs.T.step.medianMs, 1), fmt(r.tfjs.T.step.p90Ms, 1),
        r.tfjs.T.step.repeats, fmt(r.tfjs.T.epochMs / 1000, 3), '-', `${fmt(r.ratios.tfjsOverOurs)}x`, r.tfjs.params, r.tfjs.peakRssMiB]);
    }
    if (r.ours.W) {
      epochRows.push(['W', r.threads, `gru-native ${r.ours.version}`, fmt(r.ours.W.step.medianMs, 1), fmt(r.ours.W.step.p90Ms, 1), r.ours.W.step.repeats,
        '-', '-', '-', r.ours.W.params, r.ours.W.peakRssMiB]);
    }
    delayRows.push(delayRow('T', r.threads, 'gru-native', 'plain', r.ours.T.loopDelay.plain));
    delayRows.push(delayRow('T', r.threads, 'gru-native', 'onBatchEnd', r.ours.T.loopDelay.withBatchCallback));
    if (r.ours.W) {
      delayRows.push(delayRow('W', r.threads, 'gru-native', 'plain', r.ours.W.loopDelay.plain));
      delayRows.push(delayRow('W', r.threads, 'gru-native', 'onBatchEnd', r.ours.W.loopDelay.withBatchCallback));
    }
  }
  if (tfjs) delayRows.push(delayRow('T', `${tfjs.threads} (JS)`, 'tfjs', 'onBatchEnd', tfjs.T.loopDelay.withBatchCallback));

  const openblas = runs[0]?.ours.openblas ?? null;
  const torchVersion = runs.find((r) => r.torch)?.torch?.version ?? null;
  console.log(`\nKeras-face benchmark, ${device}: ${host.cpu}, ${host.availableCores} cores, ${host.os}, Node ${host.node}, load ${host.loadAtStart} at start, ${openblasKernels(host)}`);
  console.log(`${openblas}${torchVersion ? `; torch ${torchVersion}` : ''}${tfjs ? `; @tensorflow/tfjs ${tfjs.version} (cpu backend)` : ''}`);
  console.log(`T: gru(${p.T.units}, returnSequences) -> gru(${p.T.units}) -> dense(${p.T.classes}, softmax), categorical_crossentropy, adam; batch ${p.T.batch}, seq ${p.T.seq}, ${p.T.features} features; epoch = ${b} batches (${b * p.T.batch} rows)`);
  console.log(`W: embedding(${p.W.vocab}, ${p.W.embedding}) -> gru(${p.W.units}) x2 (returnSequences) -> dense(${p.W.vocab}, softmax), sparse_categorical_crossentropy, adam; batch ${p.W.batch}, seq ${p.W.seq}`);
  console.log(`\n${formatTable(['model', 'threads', 'framework', 'step ms', 'p90 ms', 'steps', `epoch s (${b} x median)`, 'plain-fit epoch s', 'peer/ours', 'params', 'peak RSS MiB'], epochRows)}`);
  console.log(`\npeer/ours > 1 means gru-native is faster (epoch times). TF.js runs the reset-before GRU (its only form; recurrentActivation 'sigmoid'),`);
  console.log(`timed on ${p.T.tfjsBatches} batch(es) after ${p.T.tfjsWarmupBatches} warm-up; torch runs with ${Object.entries(TORCH_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}.`);
  console.log(`plain-fit epoch: onEpochBegin to onEpochEnd of a fit() without an onBatchEnd callback, where fit() queues batches ahead of the CPU stream.`);
  console.log(`W is bench/train.ts's word LM in the Keras face (no state carried, no clipping): step times only, no peers.`);
  for (const r of runs.slice(0, 1)) {
    console.log(`keras.sequential(...) build (initial weights drawn, synchronous): T ${fmt(r.ours.T.buildMs, 0)} ms${r.ours.W ? `, W ${fmt(r.ours.W.buildMs, 0)} ms` : ''}.`);
  }
  if (tfjsNote) console.log(`tfjs: ${tfjsNote}`);
  console.log(`\nEvent-loop delay during fit() (monitorEventLoopDelay, resolution 1 ms; target: max < ${LOOP_DELAY_TARGET_MS} ms):`);
  console.log(formatTable(['model', 'threads', 'framework', 'fit', 'batches', 'max ms', 'p99 ms', 'p50 ms', 'longest gap ms', 'fit s', 'page faults', 'JS run-queue ms', `under ${LOOP_DELAY_TARGET_MS} ms`], delayRows));
  console.log(`plain: fit() with verbose 0 and no per-batch callback; onBatchEnd: the timed fit, whose callback makes fit() read every batch's loss.`);
  console.log(`max/p99/p50: the histogram's samples (a 1 ms timer's whole interval: ~1.1 ms when idle; '-' when the timer never ran);`);
  console.log(`longest gap: the longest time between ticks of a 1 ms setInterval, counting the one open when fit() resolves;`);
  console.log(`under ${LOOP_DELAY_TARGET_MS} ms: both the max and the longest gap. page faults: the process's minor faults during that fit();`);
  console.log(`JS run-queue: time the JS thread was runnable but waiting for a core during that fit() (/proc schedstat): other load shows here.`);

  const out = values.out ?? join(__dirname, 'results', `keras-${device}.json`);
  const pkgVersion = runs[0]?.ours.version ?? null;
  writeJson(out, {
    benchmark: `keras-${device}`, device, date: new Date().toISOString(), quick,
    machine: { ...host, openblas },
    versions: { node: process.version, gruNative: pkgVersion, commit: gitCommit(), openblas, tfjs: tfjs?.version ?? null, torch: torchVersion },
    models: {
      T: `keras.sequential([gru({units: ${p.T.units}, returnSequences: true, inputShape: [${p.T.seq}, ${p.T.features}]}), gru({units: ${p.T.units}}), dense({units: ${p.T.classes}, activation: 'softmax'})]), compile({optimizer: 'adam', loss: 'categorical_crossentropy'}); fit batchSize ${p.T.batch}, verbose 0, shuffle false; random data, fixed seed`,
      W: `keras.sequential([embedding({inputDim: ${p.W.vocab}, outputDim: ${p.W.embedding}, inputShape: [${p.W.seq}]}), gru({units: ${p.W.units}, returnSequences: true}) x2, dense({units: ${p.W.vocab}, activation: 'softmax'})]), compile({optimizer: 'adam', loss: 'sparse_categorical_crossentropy'}); batch ${p.W.batch}, random tokens. bench/train.ts's W in the Keras face: no hidden state carried between batches, no gradient clipping, softmax + Keras's clipped log instead of a fused cross-entropy`,
    },
    shapes: p,
    peers: {
      torch: python ? { python, env: TORCH_ENV, model: 'nn.GRU(batch_first) x2 -> Linear -> softmax, Keras categorical cross-entropy (renormalised, clipped to [1e-7, 1 - 1e-7]), torch.optim.Adam(lr 1e-3, eps 1e-7), batches in order, epoch loss summed on the device' }
        : { skipped: values['no-torch'] ? '--no-torch' : `no Python with torch for ${device}` },
      tfjs: tfjs ? { backend: 'cpu (pure JS, single-threaded)', gru: 'reset-before (resetAfter: true is unsupported in TF.js), recurrentActivation sigmoid, otherwise TF.js defaults; bias [3U] instead of [2, 3U]',
        timing: `one fit() epoch of ${p.T.tfjsWarmupBatches} warm-up + ${p.T.tfjsBatches} timed batches; epoch = median x ${b}`, measuredAtThreads: tfjs.threads } : { skipped: tfjsNote },
    },
    method: `step = time between consecutive onBatchEnd callbacks inside fit() (the epoch's start opens the first); epochMs = median step x ${b}; ratios = peer epochMs / gru-native epochMs (> 1: gru-native faster). plainEpochMs: onEpochBegin to onEpochEnd of a fit() without per-batch callbacks. Event-loop delay: perf_hooks.monitorEventLoopDelay({ resolution: 1 }) enabled around one await model.fit(...).`,
    loopDelayTargetMs: LOOP_DELAY_TARGET_MS,
    runs,
  });
  console.log(`\nwrote ${out}`);
}

main();
