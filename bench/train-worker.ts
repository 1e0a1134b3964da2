/**
 * One thread count's training-step timings for bench/train.ts, in its own process: the word
 * language model (W) and the sequence classifier (C), each a full step (forward, loss,
 * backward, clipGradNorm, Adam.step, zeroGrad), plus a per-phase split of the same step (a
 * stream sync after each phase, so the split costs a little overlap the plain step has).
 */
import { performance } from 'node:perf_hooks';

import { Embedding, GRU, Linear, Module, Tensor, clipGradNorm, losses, manualSeed, optim, scope, setNumThreads, type Device } from '../lib/index';
import { DEVICE_CODE } from '../lib/dtype';
import { native } from '../lib/native/binding';
import { measure, median, type Stats } from './lib/timing';

export interface TrainScenario {
  name: 'W' | 'C';
  warmup: number;
  repeats: number;
}

export interface TrainWorkerReport {
  threads: number;
  device: Device;
  results: (Stats & { scenario: string; phases: Record<string, number>; peakRssMiB: number })[];
}

class WordLM extends Module {
  embedding = new Embedding({ numEmbeddings: 10000, embeddingDim: 300 });
  gru = new GRU({ inputSize: 300, hiddenSize: 512, numLayers: 2 });
  fc = new Linear({ inFeatures: 512, outFeatures: 10000 });
}

class Classifier extends Module {
  gru1 = new GRU({ inputSize: 128, hiddenSize: 64, batchFirst: true });
  gru2 = new GRU({ inputSize: 64, hiddenSize: 32, batchFirst: true });
  fc = new Linear({ inFeatures: 32, outFeatures: 1 });
}

type Phase = 'forward GRU' | 'forward Linear + embedding' | 'loss' | 'backward' | 'clip' | 'optimizer';

/** A step as named phases; `timed` syncs after each so the split is measurable. */
interface Step {
  run(mark: (phase: Phase) => void): number;
  dispose(): void;
}

function wordStep(device: Device): Step {
  const model = new WordLM().to(device);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const tokens = Tensor.from(Int32Array.from({ length: 36 * 20 }, (_, i) => (i * 7919) % 10000), [36, 20], { dtype: 'int32', device });
  const input = tokens.narrow(0, 0, 35), target = tokens.narrow(0, 1, 35).reshape([-1]);
  let hidden: Tensor | undefined;
  return {
    run(mark) {
      const { loss, next } = scope(() => {
        const embedded = model.embedding.forward(input);
        const { output, hN } = model.gru.forward(embedded, { h0: hidden });
        mark('forward GRU');
        const logits = model.fc.forward(output);
        mark('forward Linear + embedding');
        const l = losses.crossEntropy(logits.reshape([-1, 10000]), target);
        mark('loss');
        l.backward();
        mark('backward');
        return { loss: l, next: hN.detach() };
      });
      hidden?.dispose();
      hidden = next;
      return finishStep(model, optimizer, loss, 0.25, mark);
    },
    dispose() {
      for (const t of [tokens, input, target, hidden]) t?.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

function classifierStep(device: Device): Step {
  const model = new Classifier().to(device);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = Tensor.randn([32, 100, 128], { device });
  const y = Tensor.rand([32, 1], { device }).ge(0.5);
  return {
    run(mark) {
      const loss = scope(() => {
        const h = model.gru1.forward(x).output;
        const last = model.gru2.forward(h).hN;   // [1, batch, 32]
        mark('forward GRU');
        const logits = model.fc.forward(last.reshape([32, 32]));
        mark('forward Linear + embedding');
        const l = losses.binaryCrossEntropyWithLogits(logits, y);
        mark('loss');
        l.backward();
        mark('backward');
        return l;
      });
      return finishStep(model, optimizer, loss, 1, mark);
    },
    dispose() {
      for (const t of [x, y]) t.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** The end of a step both models share: clip, Adam, zeroGrad, read the loss. */
function finishStep(model: Module, optimizer: optim.Optimizer, loss: Tensor, maxNorm: number, mark: (phase: Phase) => void): number {
  clipGradNorm(model.parameters(), maxNorm).dispose();
  mark('clip');
  optimizer.step();
  optimizer.zeroGrad();
  const value = loss.itemSync();
  mark('optimizer');
  loss.dispose();
  return value;
}

/** Median time of each phase over `repeats` steps that sync after every phase. */
function phaseSplit(step: Step, repeats: number, device: Device): Record<string, number> {
  const samples: Record<string, number[]> = {};
  for (let i = 0; i < repeats; i++) {
    let last = performance.now();
    step.run((phase) => {
      native.synchronize(DEVICE_CODE[device]);  // the phase's queued work is done
      const now = performance.now();
      (samples[phase] ??= []).push(now - last);
      last = performance.now();
    });
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** Runs in a process of its own per scenario, so peak RSS is the scenario's. */
export function runTrainWorker(threads: number, scenarios: TrainScenario[], device: Device = 'cpu'): TrainWorkerReport {
  setNumThreads(threads);
  manualSeed(0);
  const results: TrainWorkerReport['results'] = [];
  for (const s of scenarios) {
    const step = s.name === 'W' ? wordStep(device) : classifierStep(device);
    const stats = measure(() => step.run(() => {}), { warmup: s.warmup, repeats: s.repeats });
    const phases = phaseSplit(step, Math.max(2, Math.floor(s.repeats / 2)), device);
    step.dispose();
    results.push({ scenario: s.name, ...stats, phases, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
  }
  return { threads, device, results };
}
