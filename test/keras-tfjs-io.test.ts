/**
 * TF.js layers models on disk: a model TF.js 4.22 saved (model.json + weights.bin, as tfjs-node's
 * file:// handler writes them) loads here and predicts what TF.js predicts; a model saved here
 * loads in TF.js and predicts what it predicts here; bad files are typed errors.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { ArgumentError, FileError, ShapeError, Tensor, keras } from '../lib/index';

const dir = mkdtempSync(join(tmpdir(), 'gru-native-tfjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])))) throw new Error(`[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Saves a TF.js model into `folder` as tfjs-node's file:// handler does. */
async function saveFromTfjs(model: tf.LayersModel, folder: string): Promise<string> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    writeFileSync(join(folder, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
    writeFileSync(join(folder, 'model.json'), JSON.stringify({
      modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return join(folder, 'model.json');
}

/** Loads model.json from disk into TF.js (a custom IOHandler, as pure tfjs has no file:// router). */
function loadIntoTfjs(path: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  return tf.loadLayersModel({
    load: () => tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const bytes = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(path, '..', p)))));
      return [manifest.flatMap((g) => g.weights), bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)];
    }),
  });
}

function folder(name: string): string {
  const f = join(dir, name);
  rmSync(f, { recursive: true, force: true });
  mkdirSync(f, { recursive: true });
  return f;
}

describe('TF.js model.json', () => {
  it('a TF.js model (embedding with maskZero, bidirectional, timeDistributed, dropout, relu GRU, dense) loads and predicts what TF.js predicts', async () => {
    const m = tf.sequential();
    m.add(tf.layers.embedding({ inputDim: 6, outputDim: 3, maskZero: true, inputLength: 7 }));
    m.add(tf.layers.bidirectional({ layer: tf.layers.gru({ units: 4, returnSequences: true }) as never, mergeMode: 'sum' }));
    m.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'softmax' }) }));
    m.add(tf.layers.dropout({ rate: 0.2 }));
    m.add(tf.layers.gru({ units: 3, activation: 'relu' }));
    m.add(tf.layers.dense({ units: 2, kernelRegularizer: tf.regularizers.l2({ l2: 0.01 }) }));
    const path = await saveFromTfjs(m, folder('from-tfjs'));
    const ids = Float32Array.from([3, 1, 2, 5, 4, 0, 0, 1, 2, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4]);
    const expected = (m.predict(tf.tensor2d(ids, [3, 7])) as tf.Tensor).dataSync();
    const ours = await keras.loadModel(path);
    expect(ours.layers.map((l) => l.className)).toEqual(['Embedding', 'Bidirectional', 'TimeDistributed', 'Dropout', 'GRU', 'Dense']);
    expect(ours.countParams()).toBe(m.countParams());
    const x = Tensor.from(ids, [3, 7]);
    const y = ours.predict(x);
    expectClose(y.dataSync(), expected, 1e-5);
    for (const t of [x, y]) t.dispose();
    ours.dispose();
    m.dispose();
  });

  it('a model saved here loads in TF.js and predicts the same; it can also load back here', async () => {
    const ours = keras.sequential([
      keras.layers.gru({ units: 5, inputShape: [6, 3], returnSequences: true, resetAfter: false, recurrentActivation: 'hardSigmoidTfjs' }),
      keras.layers.bidirectional({ layer: keras.layers.gru({ units: 2, resetAfter: false }), mergeMode: 'concat' }),
      keras.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    const out = folder('from-here');
    await ours.save(out, { format: 'tfjs' });
    const tfModel = await loadIntoTfjs(join(out, 'model.json'));
    const xs = Float32Array.from({ length: 2 * 6 * 3 }, (_, i) => Math.sin(i * 0.4));
    const x = Tensor.from(xs, [2, 6, 3]);
    const y = ours.predict(x);
    expectClose((tfModel.predict(tf.tensor3d(xs, [2, 6, 3])) as tf.Tensor).dataSync(), y.dataSync(), 1e-5);
    const again = await keras.loadModel(join(out, 'model.json'));
    const y2 = again.predict(x);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    for (const t of [x, y, y2]) t.dispose();
    for (const m of [ours, again]) m.dispose();
    tfModel.dispose();
  });

  it('reads quantised weights (uint8 as value * scale + min, float16)', async () => {
    const out = folder('quantised');
    const layers = [{ class_name: 'Dense', config: { name: 'd', units: 2, activation: 'linear', use_bias: true, batch_input_shape: [null, 3] } }];
    const json = { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 'q', layers }, keras_version: 'tfjs-layers 4.22.0' },
      weightsManifest: [{ paths: ['weights.bin'], weights: [
        { name: 'd/kernel', shape: [3, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'd/bias', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } }] }] };
    // kernel [[-1, -0.5], [0, 0.5], [1, 1.5]]; bias [1, -2] as halves 0x3C00, 0xC000.
    writeFileSync(join(out, 'weights.bin'), Buffer.from([0, 1, 2, 3, 4, 5, 0x00, 0x3c, 0x00, 0xc0]));
    writeFileSync(join(out, 'model.json'), JSON.stringify(json));
    const model = await keras.loadModel(join(out, 'model.json'));
    const x = Tensor.from([[1, 0, 0], [0, 1, 1]]);
    const y = model.predict(x);
    expect(Array.from(y.dataSync())).toEqual([0, -2.5, 2, 0]);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('refuses what TF.js cannot hold, and bad files, with typed errors', async () => {
    const resetAfter = keras.sequential([keras.layers.gru({ units: 2, inputShape: [3, 2] })]);
    await expect(resetAfter.save(folder('bad'), { format: 'tfjs' })).rejects.toThrow(/cannot express a reset-after GRU/);
    await expect(resetAfter.save(folder('bad'), {} as never)).rejects.toThrow(/format must be 'checkpoint', 'keras' or 'tfjs'/);
    resetAfter.dispose();
    await expect(keras.loadModel(join(dir, 'missing', 'model.json'))).rejects.toThrow(FileError);
    await expect(keras.loadModel(join(dir, 'model.onnx'))).rejects.toThrow(/Keras files \(.keras, .h5\), TF.js model.json files and checkpoints \(.safetensors\) load, not this kind/);
    const bad = folder('corrupt');
    writeFileSync(join(bad, 'model.json'), '{ not json');
    await expect(keras.loadModel(join(bad, 'model.json'))).rejects.toThrow(/not a TF.js model.json/);
    // A valid model whose weights file is short, or whose weight shape is wrong.
    const good = keras.sequential([keras.layers.dense({ units: 2, inputShape: [3] })]);
    await good.save(bad, { format: 'tfjs' });
    const json = JSON.parse(readFileSync(join(bad, 'model.json'), 'utf8'));
    writeFileSync(join(bad, 'weights.bin'), Buffer.alloc(8));
    await expect(keras.loadModel(join(bad, 'model.json'))).rejects.toThrow(/too few for/);
    await good.save(bad, { format: 'tfjs' });
    json.weightsManifest[0].weights[0].shape = [2, 3];
    writeFileSync(join(bad, 'model.json'), JSON.stringify(json));
    await expect(keras.loadModel(join(bad, 'model.json'))).rejects.toThrow(ShapeError);
    json.weightsManifest[0].weights[0].shape = [3, 2];
    json.modelTopology.config.layers[0].class_name = 'Conv1D';
    writeFileSync(join(bad, 'model.json'), JSON.stringify(json));
    await expect(keras.loadModel(join(bad, 'model.json'))).rejects.toThrow(/Conv1D is not supported/);
    await expect(keras.loadModel(join(bad, 'model.json'), { dtypes: 'float32' } as never)).rejects.toThrow(ArgumentError);
    good.dispose();
  });
});
