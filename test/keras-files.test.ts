/**
 * Keras's own files: a Keras 3 `.keras` archive and a legacy Keras 2 `.h5`, written in Keras's
 * documented layouts with Debian's python3-h5py (scripts/keras_fixtures.py; there is no Keras on
 * this machine), load and predict what Keras's equations (computed with torch) give; a `.keras`
 * written here loads back and, where h5py is installed, holds its weights at Keras 3's paths.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { ArgumentError, FileError, ShapeError, Tensor, keras } from '../lib/index';

const fixtures = join(__dirname, 'fixtures', 'keras');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, { x: number[]; xShape: number[]; y: number[]; yShape: number[] }>;
const dir = mkdtempSync(join(tmpdir(), 'gru-native-keras-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectClose(actual: ArrayLike<number>, wanted: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(wanted.length);
  for (let i = 0; i < wanted.length; i++) {
    if (!(Math.abs(actual[i] - wanted[i]) <= tol * Math.max(1, Math.abs(wanted[i])))) throw new Error(`[${i}]: ${actual[i]} vs ${wanted[i]}`);
  }
}

const h5pyReason = (() => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import h5py'], { encoding: 'utf8' });
  return probe.status === 0 ? '' : 'h5py is not importable by /usr/bin/python3 (apt-get install -y python3-h5py)';
})();

describe('keras.loadModel of Keras files', () => {
  it('a Keras 3 .keras (GRU, relu GRU with Keras 3 hard sigmoid, Dense softmax) predicts what Keras computes', async () => {
    const model = await keras.loadModel(join(fixtures, 'keras3.keras'));
    expect(model.layers.map((l) => `${l.name} ${l.className}`)).toEqual(['encoder GRU', 'summary GRU', 'head Dense']);
    const e = expected['keras3.keras'];
    const x = Tensor.from(Float32Array.from(e.x), e.xShape);
    const y = model.predict(x);
    expect(y.shape).toEqual(e.yShape);
    expectClose(y.dataSync(), e.y, 1e-5);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('a legacy Keras 2 .h5 (Embedding, reset-before GRU with the Keras 2 hard sigmoid, Dense) predicts what Keras computes', async () => {
    const model = await keras.loadModel(join(fixtures, 'legacy-keras2.h5'));
    const e = expected['legacy-keras2.h5'];
    const x = Tensor.from(Int32Array.from(e.x), e.xShape, { dtype: 'int32' });
    const y = model.predict(x);
    expectClose(y.dataSync(), e.y, 1e-5);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('a .keras written here loads back to the same predictions', async () => {
    const model = keras.sequential([
      keras.layers.embedding({ inputDim: 7, outputDim: 3, inputShape: [5] }),
      keras.layers.bidirectional({ layer: keras.layers.gru({ units: 4, returnSequences: true }), mergeMode: 'ave' }),
      keras.layers.gru({ units: 3, resetAfter: false, recurrentActivation: 'hardSigmoid' }),
      keras.layers.dropout({ rate: 0.1 }),
      keras.layers.dense({ units: 2, activation: 'softmax' }),
    ]);
    const path = join(dir, 'model.keras');
    await model.save(path);
    const again = await keras.loadModel(path);
    const x = Tensor.from(Int32Array.from({ length: 10 }, (_, i) => i % 7), [2, 5], { dtype: 'int32' });
    const a = model.predict(x), b = again.predict(x);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    for (const t of [x, a, b]) t.dispose();
    for (const m of [model, again]) m.dispose();
  });

  it.skipIf(h5pyReason !== '')(`a .keras written here holds its weights at Keras 3's paths (read by h5py)${h5pyReason ? ` [${h5pyReason}]` : ''}`, async () => {
    const model = keras.sequential([keras.layers.gru({ units: 4, inputShape: [3, 2] }), keras.layers.dense({ units: 1 })]);
    const path = join(dir, 'paths.keras');
    await model.save(path);
    const script = `
import io, json, sys, zipfile, h5py
z = zipfile.ZipFile(sys.argv[1])
config = json.loads(z.read('config.json'))
f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
print(json.dumps({'classes': [l['class_name'] for l in config['config']['layers']],
  'shapes': {k: list(f[k].shape) for k in ['layers/gru/cell/vars/0', 'layers/gru/cell/vars/1', 'layers/gru/cell/vars/2', 'layers/dense/vars/0', 'layers/dense/vars/1']}}))`;
    const result = spawnSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ classes: ['InputLayer', 'GRU', 'Dense'],
      shapes: { 'layers/gru/cell/vars/0': [2, 12], 'layers/gru/cell/vars/1': [4, 12], 'layers/gru/cell/vars/2': [2, 12], 'layers/dense/vars/0': [4, 1], 'layers/dense/vars/1': [1] } });
    model.dispose();
  });

  it('loadWeights reads a Keras 3 .weights.h5 into a model built here; saveWeights writes one that loads back', async () => {
    const { unzipSync } = await import('fflate');
    const h5 = join(dir, 'fixture.weights.h5');
    writeFileSync(h5, unzipSync(readFileSync(join(fixtures, 'keras3.keras')))['model.weights.h5']);
    const model = keras.sequential([
      keras.layers.gru({ units: 5, inputShape: [7, 3], returnSequences: true }),
      keras.layers.gru({ units: 4, activation: 'relu', recurrentActivation: 'hardSigmoid' }),
      keras.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    await model.loadWeights(h5);
    const e = expected['keras3.keras'];
    const x = Tensor.from(Float32Array.from(e.x), e.xShape);
    const y = model.predict(x);
    expectClose(y.dataSync(), e.y, 1e-5);
    const mine = join(dir, 'mine.weights.h5');
    await model.saveWeights(mine);
    const fresh = keras.sequential([
      keras.layers.gru({ units: 5, inputShape: [7, 3], returnSequences: true }),
      keras.layers.gru({ units: 4, activation: 'relu', recurrentActivation: 'hardSigmoid' }),
      keras.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    await fresh.loadWeights(mine);
    const y2 = fresh.predict(x);
    expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
    const wrong = keras.sequential([keras.layers.gru({ units: 6, inputShape: [7, 3] })]);
    await expect(wrong.loadWeights(mine)).rejects.toThrow(ShapeError);
    for (const t of [x, y, y2]) t.dispose();
    for (const m of [model, fresh, wrong]) m.dispose();
  });

  it('refuses broken files and what Keras cannot hold, with typed errors', async () => {
    const broken = join(dir, 'broken.keras');
    writeFileSync(broken, 'not a zip');
    await expect(keras.loadModel(broken)).rejects.toThrow(/not a .keras file/);
    await expect(keras.loadModel(join(dir, 'missing.keras'))).rejects.toThrow(FileError);
    const garbage = join(dir, 'garbage.h5');
    writeFileSync(garbage, 'not hdf5 at all');
    await expect(keras.loadModel(garbage)).rejects.toThrow(/the HDF5 data cannot be read: not an HDF5 file, truncated or corrupt/);
    const truncated = join(dir, 'truncated.h5');
    writeFileSync(truncated, readFileSync(join(fixtures, 'legacy-keras2.h5')).subarray(0, 3000));
    await expect(keras.loadModel(truncated)).rejects.toThrow(ArgumentError);
    const tfjsHard = keras.sequential([keras.layers.gru({ units: 2, inputShape: [3, 2], recurrentActivation: 'hardSigmoidTfjs' })]);
    await expect(tfjsHard.save(join(dir, 'x.keras'))).rejects.toThrow(/Keras 3 has no TF.js hard sigmoid/);
    await expect(keras.loadModel(join(fixtures, 'keras3.keras'), { device: 'cpu' })).rejects.toThrow(ArgumentError);
    tfjsHard.dispose();
  });
});
