/**
 * Keras's own model files. A Keras 3 `.keras` file is a zip (fflate) of metadata.json,
 * config.json and model.weights.h5, whose weights sit under paths made from class names, not
 * layer names (`layers/gru/cell/vars/0`, `layers/gru_1/...`, `layers/dense/vars/1`: the config's
 * layers in order, the InputLayer left out); a legacy (Keras 2) `.h5` holds `model_config` and,
 * per layer name, `model_weights/<layer>` with its `weight_names` in order. Both are read from the
 * config, never guessed from order alone; `.keras` is also written (h5wasm for HDF5).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';

import { ArgumentError, ShapeError } from '../../errors';
import { formatShape } from '../../format';
import { Tensor } from '../../tensor';
import { isDataset, openH5, readH5, type H5Group } from '../../weights/hdf5';
import { fileError, writeFileAtomically } from '../../weights/safetensors';
import { Bidirectional } from '../layers/bidirectional';
import type { Layer } from '../layers/layer';
import { TimeDistributed } from '../layers/time-distributed';
import type { Sequential, SequentialOptions } from '../sequential';
import { layerKeys } from '../keras-names';
import { layersFromTopology, layerToJson, type LayerJson } from './tfjs-topology';

/** The HDF5 groups holding each layer's variables, in getWeights() order, under Keras 3's key for it. */
function keras3Groups(layer: Layer, key: string): string[] {
  if (layer instanceof Bidirectional) return [`${key}/forward_layer/cell/vars`, `${key}/backward_layer/cell/vars`];
  if (layer instanceof TimeDistributed) return [`${key}/layer/vars`];
  if (layer.className === 'GRU') return [`${key}/cell/vars`];
  return [`${key}/vars`];
}

/** Keras 3's HDF5 key of each layer of a Sequential. */
function keras3Keys(layers: readonly Layer[]): string[] {
  return layerKeys(layers).map((key) => `layers/${key}`);
}

function datasetValues(root: H5Group, path: string, where: string): { shape: number[]; values: ArrayLike<number> } {
  const node = root.get(path);
  if (!isDataset(node)) throw new ArgumentError(`${where}: no weight at ${path} in the HDF5 weights`);
  return { shape: [...node.shape], values: node.value };
}

/** Copies weights (Keras layout, getWeights() order per layer) into the built model, checking shapes. */
function assignWeights(model: Sequential, perLayer: { shape: number[]; values: ArrayLike<number> }[][], where: string): void {
  const tensors: Tensor[] = [];
  try {
    model.layers.forEach((layer, i) => {
      const own = layer.getWeights();
      if (own.length !== perLayer[i].length) {
        for (const w of own) w.tensor.dispose();
        throw new ArgumentError(`${where}: layer ${layer.name} has ${own.length} weights, the file ${perLayer[i].length}`);
      }
      own.forEach((w, k) => {
        const found = perLayer[i][k];
        const expected = w.tensor.shape;
        w.tensor.dispose();
        if (found.shape.length !== expected.length || found.shape.some((d, j) => d !== expected[j])) {
          throw new ShapeError(`${where}: ${layer.name}'s ${w.name} is ${formatShape(found.shape)} in the file, the layer needs ${formatShape(expected)}`);
        }
        tensors.push(Tensor.from(Float32Array.from(found.values), found.shape));
      });
    });
    model.setWeights(tensors);
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/** A path for h5wasm to open: the bytes in a temporary file (its Node build reads host paths). */
async function withTemporaryFile<T>(bytes: Uint8Array | null, use: (path: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gru-native-h5-'));
  const path = join(dir, 'weights.h5');
  try {
    if (bytes) writeFileAtomically(path, bytes, 'keras weights');
    return await use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readBytes(path: string, where: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw fileError(err, `${where}: cannot read`, path, 'read');
  }
}

export async function loadKerasFile(path: string, make: (o: SequentialOptions) => Sequential): Promise<Sequential> {
  const where = `keras.loadModel(${JSON.stringify(path)})`;
  const bytes = readBytes(path, where);
  return path.endsWith('.keras') ? loadKeras3(bytes, make, where) : loadLegacyH5(path, make, where);
}

async function loadKeras3(bytes: Uint8Array, make: (o: SequentialOptions) => Sequential, where: string): Promise<Sequential> {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (err) {
    throw new ArgumentError(`${where}: not a .keras file: the zip cannot be read (${(err as Error).message})`);
  }
  for (const name of ['config.json', 'model.weights.h5']) if (!entries[name]) throw new ArgumentError(`${where}: the archive has no ${name}`);
  const config = parseJson(strFromU8(entries['config.json']), `${where}: config.json`);
  // Keras 3's own files spell the Keras 3 hard sigmoid.
  const { name, layers, inputShape } = layersFromTopology({ ...config, keras_version: '3.0' }, where);
  const model = make({ name, layers });
  try {
    if (!inputShape) throw new ArgumentError(`${where}: the config declares no input shape`);
    model.build(inputShape);
    await withTemporaryFile(entries['model.weights.h5'], (h5path) => readKeras3Weights(model, h5path, `${where}: model.weights.h5`));
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Keras 3's weight tree (a .keras's model.weights.h5, or a .weights.h5 file) at `path` into the built model. */
async function readKeras3Weights(model: Sequential, path: string, where: string): Promise<void> {
  const keys = keras3Keys(model.layers);
  const file = await openH5(path, 'r', where);
  try {
    readH5(where, () => assignWeights(model, model.layers.map((layer, i) => keras3Groups(layer, keys[i]).flatMap((group) => {
      const node = file.get(group);
      if (node === null || isDataset(node)) {
        if (layer.getWeights().length === 0) return [];
        throw new ArgumentError(`${where}: no weights group ${group} for layer ${layer.name}`);
      }
      return node.keys().sort((a, b) => Number(a) - Number(b)).map((k) => datasetValues(file, `${group}/${k}`, where));
    })), where));
  } finally {
    file.close();
  }
}

/** Writes the model's weights as Keras 3's tree (`layers/<key>/.../vars/<i>`, float32) to a new HDF5 file at `path`. */
async function writeKeras3Weights(model: Sequential, path: string, where: string): Promise<void> {
  const keys = keras3Keys(model.layers);
  const file = await openH5(path, 'w', where);
  try {
    const ensure = (groupPath: string): H5Group => {
      let group: H5Group = file;
      for (const part of groupPath.split('/')) {
        const next = group.get(part);
        group = next !== null && !isDataset(next) ? next : group.create_group(part);
      }
      return group;
    };
    ensure('vars');
    model.layers.forEach((layer, i) => {
      const weights = layer.getWeights();
      const groups = keras3Groups(layer, keys[i]);
      const per = weights.length / groups.length;
      ensure(`${keys[i]}/vars`);
      groups.forEach((g, d) => {
        const group = ensure(g);
        weights.slice(d * per, (d + 1) * per).forEach((w, k) => {
          group.create_dataset({ name: String(k), data: Float32Array.from(w.tensor.dataSync()), shape: [...w.tensor.shape], dtype: '<f' });
        });
      });
      for (const w of weights) w.tensor.dispose();
    });
  } finally {
    file.close();
  }
}

/** model.saveWeights('x.weights.h5'): Keras 3's weights-only file (written beside, then renamed over the target). */
export async function saveKerasWeights(model: Sequential, path: string): Promise<void> {
  const where = `${model.name}.saveWeights(${JSON.stringify(path)})`;
  if (!model.built) throw new ArgumentError(`${where}: the model is not built yet`);
  const bytes = await withTemporaryFile(null, async (h5path) => {
    await writeKeras3Weights(model, h5path, where);
    return readFileSync(h5path);
  });
  writeFileAtomically(path, bytes, where);
}

/** model.loadWeights('x.weights.h5'): a Keras 3 weights-only file into the built model, by Keras 3's paths. */
export async function loadKerasWeights(model: Sequential, path: string): Promise<void> {
  const where = `${model.name}.loadWeights(${JSON.stringify(path)})`;
  if (!model.built) throw new ArgumentError(`${where}: the model is not built yet`);
  readBytes(path, where);  // a missing file is a FileError, not libhdf5's message
  await readKeras3Weights(model, path, where);
}

async function loadLegacyH5(path: string, make: (o: SequentialOptions) => Sequential, where: string): Promise<Sequential> {
  const file = await openH5(path, 'r', where);
  try {
    return readH5(where, () => legacyModel(file, make, where));
  } finally {
    file.close();
  }
}

/** The model a legacy .h5's model_config describes, with its weights. */
function legacyModel(file: H5Group, make: (o: SequentialOptions) => Sequential, where: string): Sequential {
  const configText = file.attrs.model_config?.value;
  if (typeof configText !== 'string') throw new ArgumentError(`${where}: no model_config attribute (a weights-only .h5 needs the model built first; use model.loadWeights)`);
  const version = typeof file.attrs.keras_version?.value === 'string' ? file.attrs.keras_version.value : '2';
  const { name, layers, inputShape } = layersFromTopology({ ...parseJson(configText, `${where}: model_config`), keras_version: version }, where);
  const model = make({ name, layers });
  try {
    if (!inputShape) throw new ArgumentError(`${where}: model_config declares no input shape`);
    model.build(inputShape);
    const weights = file.get('model_weights');
    if (weights === null || isDataset(weights)) throw new ArgumentError(`${where}: no model_weights group`);
    assignWeights(model, model.layers.map((layer) => {
      const group = weights.get(layer.name);
      if (group === null || isDataset(group)) {
        if (layer.getWeights().length === 0) return [];
        throw new ArgumentError(`${where}: no model_weights/${layer.name} group`);
      }
      const names = group.attrs.weight_names?.value;
      const list = Array.isArray(names) ? names.map(String) : typeof names === 'string' ? [names] : [];
      return list.map((n) => datasetValues(group, n, where));
    }), where);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function parseJson(text: string, where: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch (err) {
    throw new ArgumentError(`${where} is not JSON (${(err as Error).message})`);
  }
}

/** Keras 3's config entry of a layer: module, class_name, config, registered_name (nested ones too). */
function keras3Entry(json: LayerJson): Record<string, unknown> {
  const config: Record<string, unknown> = { ...json.config };
  if (config.layer) config.layer = keras3Entry(config.layer as LayerJson);
  delete config.batch_input_shape;
  return { module: 'keras.layers', class_name: json.class_name, config, registered_name: null };
}

/** Writes a Keras 3 `.keras` archive (stored entries, as Keras writes them). */
export async function saveKerasFile(model: Sequential, path: string): Promise<void> {
  const where = `${model.name}.save(${JSON.stringify(path)})`;
  if (!model.built) throw new ArgumentError(`${where}: the model is not built yet`);
  const inputShape = model.layers[0].inputShape!;
  const layers = [
    { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, ...inputShape], dtype: 'float32', sparse: false, ragged: false, name: 'input_layer' }, registered_name: null },
    ...model.layers.map((l) => keras3Entry(layerToJson(l, null, 'keras3'))),
  ];
  const config = { module: 'keras', class_name: 'Sequential', config: { name: model.name, trainable: true, dtype: 'float32', layers }, registered_name: null,
    build_config: { input_shape: [null, ...inputShape] } };
  const weightsBytes = await withTemporaryFile(null, async (h5path) => {
    await writeKeras3Weights(model, h5path, where);
    return readFileSync(h5path);
  });
  const archive = zipSync({
    'metadata.json': strToU8(JSON.stringify({ keras_version: '3.0.0', date_saved: new Date().toISOString(), generated_by: 'gru-native' })),
    'config.json': strToU8(JSON.stringify(config)),
    'model.weights.h5': new Uint8Array(weightsBytes),
  }, { level: 0 });
  writeFileAtomically(path, archive, where);
}

