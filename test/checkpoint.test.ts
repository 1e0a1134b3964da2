/**
 * Checkpoints: training resumed from one in a new process continues bit for bit on the CPU (4
 * epochs straight against 2, save, load in another process, 2 more: the same losses and weights),
 * with dropout (the generator), Adam's state and a StepLR schedule; bad files are typed errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { ArgumentError, Linear, Tensor, loadCheckpoint, optim, saveCheckpoint, writeSafetensors } from '../lib/index';
import { runChild } from './helpers/child';

const dir = mkdtempSync(join(tmpdir(), 'gru-native-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small word model trained for epochs [from, to): the losses, and the parameters at the end. */
function script(phase: 'straight' | 'first' | 'second', path: string): string {
  return `
const { GRU, Linear, Embedding, Module, Tensor, losses, optim, manualSeed, scope, saveCheckpoint, loadCheckpoint } = gn;
class Model extends Module {
  embedding = new Embedding({ numEmbeddings: 12, embeddingDim: 6 });
  gru = new GRU({ inputSize: 6, hiddenSize: 8, numLayers: 2, dropout: 0.3, batchFirst: true });
  fc = new Linear({ inFeatures: 8, outFeatures: 12 });
  forward(x) { return this.fc.forward(this.gru.forward(this.embedding.forward(x)).output); }
}
manualSeed(${phase === 'second' ? 999 : 1});
const model = new Model();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
const scheduler = new optim.StepLR(optimizer, { stepSize: 1, gamma: 0.7 });
const ids = Int32Array.from({ length: 4 * 5 * 3 }, (_, i) => (i * 7 + 3) % 12);
const losses_ = [];
let from = 0, to = 4;
if (${JSON.stringify(phase)} === 'first') to = 2;
if (${JSON.stringify(phase)} === 'second') from = loadCheckpoint(${JSON.stringify(path)}, { model, optimizer, scheduler }).epoch;
for (let epoch = from; epoch < to; epoch++) {
  for (let b = 0; b < 3; b++) {
    const loss = scope(() => {
      const x = Tensor.from(ids.subarray(b * 20, b * 20 + 20), [4, 5], { dtype: 'int32' });
      const logits = model.forward(x);
      const l = losses.crossEntropy(logits.reshape([20, 12]), x.reshape([20]));
      l.backward();
      return l;
    });
    optimizer.step();
    optimizer.zeroGrad();
    losses_.push(loss.itemSync());
    loss.dispose();
  }
  scheduler.step();
}
if (${JSON.stringify(phase)} === 'first') saveCheckpoint(${JSON.stringify(path)}, { model, optimizer, scheduler, extra: { epoch: 2 } });
const weights = model.namedParameters().map(([name, p]) => [name, Array.from(p.dataSync())]);
process.stdout.write(JSON.stringify({ losses: losses_, weights }));
`;
}

function run(phase: 'straight' | 'first' | 'second', path: string): { losses: number[]; weights: [string, number[]][] } {
  const result = runChild(script(phase, path), { timeoutMs: 60_000 });
  if (result.status !== 0) throw new Error(`child (${phase}) failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

describe('checkpoints', () => {
  it('resume training in a new process bit for bit (dropout, Adam, StepLR)', () => {
    const path = join(dir, 'resume.safetensors');
    const straight = run('straight', path);
    const first = run('first', path);
    const second = run('second', path);
    expect([...first.losses, ...second.losses]).toEqual(straight.losses);
    expect(second.weights).toEqual(straight.weights);
  });

  it('refuse files that are not checkpoints, parts they lack, and unknown parts', () => {
    const model = new Linear({ inFeatures: 2, outFeatures: 3 });
    const plain = join(dir, 'plain.safetensors');
    writeSafetensors(plain, { w: Tensor.zeros([1]) });
    expect(() => loadCheckpoint(plain, { model })).toThrow(/not a checkpoint/);
    const path = join(dir, 'model-only.safetensors');
    saveCheckpoint(path, { model });
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    expect(() => loadCheckpoint(path, { model, optimizer })).toThrow(/holds no optimizer state/);
    expect(() => saveCheckpoint(path, { model, extras: {} } as never)).toThrow(/unknown part 'extras'/);
    expect(() => saveCheckpoint(path, { model: {} as never })).toThrow(ArgumentError);
    expect(() => saveCheckpoint(path, { model, extra: { n: 1n } as never })).toThrow(/extra must be JSON-able/);
    expect(loadCheckpoint(path, { model })).toEqual({});
    model.dispose();
    optimizer.dispose();
  });
});

/** The Keras face: fit for epochs, or save after 2, or load and fit from epoch 2 (initialEpoch). */
function kerasScript(phase: 'straight' | 'first' | 'second', path: string): string {
  return `
const { keras, Tensor, manualSeed } = gn;
const x = Tensor.from(Float32Array.from({ length: 24 * 5 * 3 }, (_, i) => Math.sin(i * 0.37)), [24, 5, 3]);
const y = Tensor.from(Float32Array.from({ length: 24 * 4 }, (_, i) => ((i * 5) % 4 === i % 4 ? 1 : 0)), [24, 4]);
(async () => {
  let model;
  let history;
  if (${JSON.stringify(phase)} === 'second') {
    manualSeed(999);
    model = await keras.loadModel(${JSON.stringify(path)});
    history = await model.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 8, seed: 3, verbose: 0 });
  } else {
    manualSeed(1);
    model = keras.sequential([
      keras.layers.gru({ units: 6, inputShape: [5, 3], dropout: 0.2, returnSequences: true }),
      keras.layers.gru({ units: 4, activation: 'relu', recurrentDropout: 0.1 }),
      keras.layers.dropout({ rate: 0.3 }),
      keras.layers.dense({ units: 4, activation: 'softmax', kernelRegularizer: keras.regularizers.l2() }),
    ]);
    model.compile({ optimizer: keras.optimizers.adam({ learningRate: 0.02, clipnorm: 1 }), loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    history = await model.fit(x, y, { epochs: ${phase === 'first' ? 2 : 4}, batchSize: 8, seed: 3, verbose: 0 });
    if (${JSON.stringify(phase)} === 'first') await model.save(${JSON.stringify(path)});
  }
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  process.stdout.write(JSON.stringify({ losses: history.history.loss, accuracy: history.history.accuracy, weights }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

describe('Keras-face checkpoints', () => {
  it('model.save(path.safetensors) and keras.loadModel(path) resume fit() bit for bit (dropout, recurrent dropout, Adam with clipnorm)', () => {
    const path = join(dir, 'keras.safetensors');
    const runIt = (phase: 'straight' | 'first' | 'second') => {
      const result = runChild(kerasScript(phase, path), { timeoutMs: 60_000 });
      if (result.status !== 0) throw new Error(`child (${phase}) failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as { losses: number[]; accuracy: number[]; weights: number[][] };
    };
    const straight = runIt('straight'), first = runIt('first'), second = runIt('second');
    expect([...first.losses, ...second.losses]).toEqual(straight.losses);
    expect([...first.accuracy, ...second.accuracy]).toEqual(straight.accuracy);
    expect(second.weights).toEqual(straight.weights);
  });
});
