/**
 * ONNX export, run in onnxruntime-node 1.30 (CPU) on inputs of another batch size and sequence
 * length than any the model saw: Keras-face models (embedding, bidirectional GRUs in every merge
 * mode, relu, reset-before and goBackwards GRUs, dense, softmax) and PyTorch-face GRUs (layers, directions,
 * batch-first or not, every activation form) predict what they predict here within 1e-5.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';

import { ArgumentError, Embedding, GELU, GRU, Linear, LogSoftmax, Sequential, Tensor, exportOnnx, keras, logSoftmax, manualSeed, noGrad, scope } from '../lib/index';

const dir = mkdtempSync(join(tmpdir(), 'gru-native-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) throw new Error(`[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

async function runOnnx(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.61 + seed));
}

describe('exportOnnx: Keras-face models in onnxruntime', () => {
  for (const mergeMode of ['concat', 'sum', 'ave', 'mul'] as const) {
    it(`embedding -> bidirectional GRU (${mergeMode}) -> relu GRU -> dense softmax`, async () => {
      manualSeed(8);
      const model = keras.sequential([
        keras.layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [6] }),
        keras.layers.bidirectional({ layer: keras.layers.gru({ units: 5, returnSequences: true }), mergeMode }),
        keras.layers.dropout({ rate: 0.3 }),
        keras.layers.gru({ units: 3, activation: 'relu' }),
        keras.layers.dense({ units: 4, activation: 'softmax' }),
      ]);
      const bytes = exportOnnx(model, join(dir, `keras-${mergeMode}.onnx`));
      // Another batch size and length than the declared 6 steps.
      const ids = Int32Array.from({ length: 3 * 8 }, (_, i) => (i * 5) % 9);
      const x = Tensor.from(ids, [3, 8], { dtype: 'int32' });
      const longer = keras.sequential([keras.layers.embedding({ inputDim: 9, outputDim: 4, inputShape: [8] }),
        keras.layers.bidirectional({ layer: keras.layers.gru({ units: 5, returnSequences: true }), mergeMode }),
        keras.layers.gru({ units: 3, activation: 'relu' }), keras.layers.dense({ units: 4, activation: 'softmax' })]);
      longer.setWeights(model.getWeights());
      const expected = longer.predict(x).dataSync();
      const out = await runOnnx(bytes, { input: new ort.Tensor('int32', ids, [3, 8]) });
      expect(out.output.dims).toEqual([3, 4]);
      expectClose(out.output.data as Float32Array, expected, 1e-5);
      x.dispose();
      model.dispose();
      longer.dispose();
    });
  }

  it('a reset-before GRU with TF.js hard sigmoid gates, returning sequences, then timeDistributed dense', async () => {
    manualSeed(9);
    const model = keras.sequential([
      keras.layers.gru({ units: 4, inputShape: [null, 3], returnSequences: true, resetAfter: false, recurrentActivation: 'hardSigmoidTfjs', activation: 'linear' }),
      keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 2, activation: 'tanh' }) }),
    ]);
    const bytes = exportOnnx(model, join(dir, 'reset-before.onnx'), { opset: 14 });
    const xs = values(2 * 7 * 3, 1);
    const x = Tensor.from(xs, [2, 7, 3]);
    const expected = model.predict(x).dataSync();
    const out = await runOnnx(bytes, { input: new ort.Tensor('float32', xs, [2, 7, 3]) });
    expect(out.output.dims).toEqual([2, 7, 2]);
    expectClose(out.output.data as Float32Array, expected, 1e-5);
    x.dispose();
    model.dispose();
  });

  it('goBackwards GRUs: the sequence in the order Keras runs it (last step first), then one returning its last state', async () => {
    manualSeed(4);
    const model = keras.sequential([
      keras.layers.gru({ units: 5, inputShape: [null, 3], returnSequences: true, goBackwards: true }),
      keras.layers.gru({ units: 4, goBackwards: true, resetAfter: false }),
    ]);
    const sequenceOnly = keras.sequential([keras.layers.gru({ units: 3, inputShape: [null, 2], returnSequences: true, goBackwards: true })]);
    for (const [m, features, name] of [[model, 3, 'backwards.onnx'], [sequenceOnly, 2, 'backwards-sequence.onnx']] as const) {
      const bytes = exportOnnx(m, join(dir, name));
      const xs = values(3 * 6 * features, 2);
      const x = Tensor.from(xs, [3, 6, features]);
      const expected = m.predict(x);
      const out = await runOnnx(bytes, { input: new ort.Tensor('float32', xs, [3, 6, features]) });
      expect(out.output.dims).toEqual(expected.shape);
      expectClose(out.output.data as Float32Array, expected.dataSync(), 1e-5);
      for (const t of [x, expected]) t.dispose();
      m.dispose();
    }
  });

  it('refuses what it cannot export, with typed errors', () => {
    const masked = keras.sequential([keras.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: true, inputShape: [4] }), keras.layers.gru({ units: 2 })]);
    expect(() => exportOnnx(masked, join(dir, 'x.onnx'))).toThrow(/maskZero/);
    const stateful = keras.sequential([keras.layers.gru({ units: 2, batchInputShape: [1, 3, 2], stateful: true })]);
    expect(() => exportOnnx(stateful, join(dir, 'x.onnx'))).toThrow(/is stateful; export a model without state/);
    expect(() => exportOnnx(stateful, join(dir, 'x.onnx'), { opset: 13 })).toThrow(/opset must be an integer in \[14, 17\]/);
    expect(() => exportOnnx({} as never, join(dir, 'x.onnx'))).toThrow(ArgumentError);
    for (const m of [masked, stateful]) m.dispose();
  });
});

describe('exportOnnx: PyTorch-face GRUs in onnxruntime', () => {
  const forms = [
    { numLayers: 2, bidirectional: true, batchFirst: true },
    { numLayers: 1, bidirectional: false, batchFirst: false, activation: 'relu' as const },
    { numLayers: 2, bidirectional: false, batchFirst: true, resetAfter: false, recurrentActivation: 'hardSigmoid' as const },
  ];
  for (const form of forms) {
    it(`output and h_n: ${JSON.stringify(form)}`, async () => {
      const gru = new GRU({ inputSize: 3, hiddenSize: 4, ...form });
      const bytes = exportOnnx(gru, join(dir, 'gru.onnx'));
      const shape = form.batchFirst ? [2, 5, 3] : [5, 2, 3];
      const xs = values(30, 2);
      const x = Tensor.from(xs, shape);
      const { output, hN } = noGrad(() => gru.forward(x));
      const out = await runOnnx(bytes, { input: new ort.Tensor('float32', xs, shape) });
      expectClose(out.output.data as Float32Array, output.dataSync(), 1e-5);
      expectClose(out.h_n.data as Float32Array, hN.dataSync(), 1e-5);
      for (const t of [x, output, hN]) t.dispose();
      gru.dispose();
    });
  }
});

describe('exportOnnx: a PyTorch-face nn.Sequential chain', () => {
  it('Embedding -> GRU -> Linear -> LogSoftmax (the word LM, a GRU passing its output on) runs in onnxruntime', async () => {
    manualSeed(10);
    const embedding = new Embedding({ numEmbeddings: 11, embeddingDim: 4 });
    const gru = new GRU({ inputSize: 4, hiddenSize: 5, numLayers: 2, batchFirst: true });
    const linear = new Linear({ inFeatures: 5, outFeatures: 11 });
    const chain = new Sequential(embedding, gru, linear, new LogSoftmax({ dim: -1 }));
    const bytes = exportOnnx(chain, join(dir, 'chain.onnx'));
    const ids = Int32Array.from({ length: 3 * 7 }, (_, i) => (i * 4) % 11);
    const x = Tensor.from(ids, [3, 7], { dtype: 'int32' });
    const expected = noGrad(() => scope(() => logSoftmax(linear.forward(gru.forward(embedding.forward(x)).output), -1)));
    const out = await runOnnx(bytes, { input: new ort.Tensor('int32', ids, [3, 7]) });
    expect(out.output.dims).toEqual([3, 7, 11]);
    expectClose(out.output.data as Float32Array, expected.dataSync(), 1e-5);
    for (const t of [x, expected]) t.dispose();
    chain.dispose();
    expect(() => exportOnnx(new Sequential(new GELU()), join(dir, 'x.onnx'))).toThrow(/starts with Embedding, GRU or Linear/);
  });
});

describe('exportOnnx: lengths as sequence_lens', () => {
  it('a bidirectional two-layer GRU with lengths gives our packed-sequence outputs (padding zero, h_n at each last step)', async () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, activation: 'relu' });
    const bytes = exportOnnx(gru, join(dir, 'lengths.onnx'), { lengths: true });
    const xs = values(3 * 6 * 3, 4);
    const x = Tensor.from(xs, [3, 6, 3]);
    const lengths = [6, 2, 4];
    const { output, hN } = noGrad(() => gru.forward(x, { lengths }));
    const out = await runOnnx(bytes, { input: new ort.Tensor('float32', xs, [3, 6, 3]), lengths: new ort.Tensor('int32', Int32Array.from(lengths), [3]) });
    expectClose(out.output.data as Float32Array, output.dataSync(), 1e-5);
    expectClose(out.h_n.data as Float32Array, hN.dataSync(), 1e-5);
    for (const t of [x, output, hN]) t.dispose();
    expect(() => exportOnnx(keras.sequential([keras.layers.dense({ units: 1, inputShape: [2] })]), join(dir, 'x.onnx'), { lengths: true })).toThrow(/lengths is for a GRU/);
    gru.dispose();
  });
});

describe("exportOnnx: Debian's onnx checker", () => {
  const reason = (() => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import onnx'], { encoding: 'utf8' });
    return probe.status === 0 ? '' : 'onnx is not importable by /usr/bin/python3 (apt-get install -y python3-onnx)';
  })();
  it.skipIf(reason !== '')(`passes onnx.checker.check_model(full_check=True) for both faces${reason ? ` [${reason}]` : ''}`, () => {
    const model = keras.sequential([keras.layers.embedding({ inputDim: 5, outputDim: 3, inputShape: [4] }),
      keras.layers.bidirectional({ layer: keras.layers.gru({ units: 2, returnSequences: true }), mergeMode: 'sum' }),
      keras.layers.gru({ units: 2, activation: 'relu', resetAfter: false }), keras.layers.dense({ units: 2, activation: 'softmax' })]);
    const backwards = keras.sequential([keras.layers.gru({ units: 2, inputShape: [null, 3], returnSequences: true, goBackwards: true })]);
    const gru = new GRU({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, batchFirst: true });
    const paths = [join(dir, 'check-keras.onnx'), join(dir, 'check-backwards.onnx'), join(dir, 'check-gru.onnx')];
    exportOnnx(model, paths[0]);
    exportOnnx(backwards, paths[1], { opset: 14 });
    exportOnnx(gru, paths[2], { opset: 14 });
    const result = spawnSync('/usr/bin/python3', ['-c', 'import sys, onnx\nfor p in sys.argv[1:]: onnx.checker.check_model(onnx.load(p), full_check=True)\nprint("ok")', ...paths], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ok');
    for (const m of [model, backwards, gru]) m.dispose();
  });
});
