/**
 * TF.js layers models on disk: `model.json` (format "layers-model": the topology and a weights
 * manifest) beside its weight files, as tfjs-node's `file://` handler writes them (one
 * `weights.bin`) or the Python converter does (shards). Weights are matched by name,
 * `<layer>/.../<weight>` (`bidirectional/forward_gru/kernel`, a converted Keras model's
 * `gru/gru_cell/kernel`), never by position.
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ArgumentError, ShapeError } from '../../errors';
import { describe, formatShape } from '../../format';
import { Tensor } from '../../tensor';
import { fileError, writeFileAtomically } from '../../weights/safetensors';
import { Bidirectional } from '../layers/bidirectional';
import type { Layer } from '../layers/layer';
import type { Sequential, SequentialOptions } from '../sequential';
import { layersFromTopology, layerToJson } from './tfjs-topology';
import { readManifestWeights, writeManifestWeights } from './tfjs-weights';

const VERSION = 'gru-native 0.1.0';

/** The manifest names of a layer's Keras weights, in getWeights() order. */
function weightNames(layer: Layer): string[] {
  const names = layer.getWeights().map((w) => {
    w.tensor.dispose();
    return w.name;
  });
  if (!(layer instanceof Bidirectional)) return names.map((n) => `${layer.name}/${n}`);
  const half = names.length / 2;
  return names.map((n, i) => `${layer.name}/${i < half ? 'forward' : 'backward'}_${layer.layer.name}/${n}`);
}

/** The manifest entry standing for `wanted` (`a/b/kernel`): same first and last segments (a `_1` suffix TF.js adds ignored), the middle as given or absent. */
function findWeight(available: Map<string, unknown>, wanted: string, source: string): string {
  const segments = wanted.split('/');
  const [first, last] = [segments[0], segments[segments.length - 1]];
  const middle = segments.slice(1, -1);
  // A direction segment must agree; other middle segments (a cell scope) may be missing or differ.
  const direction = middle.find((m) => /^(forward|backward)_/.test(m))?.split('_')[0];
  const matches = [...available.keys()].filter((name) => {
    const s = name.split('/');
    if (s[0] !== first || s[s.length - 1].replace(/_\d+$/, '') !== last) return false;
    return direction === undefined || s.slice(1, -1).some((x) => x.startsWith(`${direction}_`));
  });
  if (matches.length !== 1) {
    throw new ArgumentError(`${source}: ${matches.length === 0 ? 'no weight' : `${matches.length} weights (${matches.join(', ')})`} in the manifest for ${wanted}; it holds ${[...available.keys()].join(', ')}`);
  }
  return matches[0];
}

function readJson(path: string, source: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fileError(err, `${source}: cannot read`, path, 'read');
  }
  try {
    const json = JSON.parse(text);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
    return json;
  } catch (err) {
    throw new ArgumentError(`${source}: not a TF.js model.json (${(err as Error).message})`);
  }
}

/** A Sequential model (made by `make`) from a TF.js model.json and its weight files, placed as `options` say. */
export function loadTfjsModel(path: string, options: Pick<SequentialOptions, 'dtype' | 'device'>, make: (o: SequentialOptions) => Sequential): Sequential {
  const source = `keras.loadModel(${JSON.stringify(path)})`;
  const json = readJson(path, source);
  if (json.format !== undefined && json.format !== 'layers-model') throw new ArgumentError(`${source}: format ${describe(json.format)} is not a layers model (graph models from the converter do not load here)`);
  const { name, layers, inputShape } = layersFromTopology(json.modelTopology, source);
  if (!inputShape) throw new ArgumentError(`${source}: the first layer declares no input shape (batch_input_shape)`);
  const weights = readManifestWeights(json.weightsManifest ?? [], dirname(path), source);
  const model = make({ name, dtype: options.dtype, device: options.device, layers });
  try {
    model.build(inputShape);
    const tensors: Tensor[] = [];
    try {
      for (const layer of model.layers) {
        const own = layer.getWeights();
        weightNames(layer).forEach((wanted, i) => {
          const found = weights.get(findWeight(weights, wanted, source))!;
          const expected = own[i].tensor.shape;
          own[i].tensor.dispose();
          if (found.shape.length !== expected.length || found.shape.some((d, k) => d !== expected[k])) {
            throw new ShapeError(`${source}: ${wanted} is ${formatShape(found.shape)} in the file, the layer needs ${formatShape(expected)}`);
          }
          tensors.push(Tensor.from(found.values, found.shape, { dtype: options.dtype ?? 'float32', device: options.device ?? 'cpu' }));
        });
      }
      model.setWeights(tensors);
    } finally {
      for (const t of tensors) t.dispose();
    }
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Writes `dir/model.json` and `dir/weights.bin` as tfjs-node's `file://` handler does (float32 weights). */
export function saveTfjsModel(model: Sequential, dir: string): void {
  const where = `${model.name}.save(${JSON.stringify(dir)})`;
  if (!model.built) throw new ArgumentError(`${where}: the model is not built yet`);
  const inputShape = model.layers[0].inputShape!;
  const layers = model.layers.map((l, i) => layerToJson(l, i === 0 ? inputShape : null));
  const entries = model.layers.flatMap((layer) => {
    const names = weightNames(layer);
    return layer.getWeights().map((w, i) => {
      const values = w.tensor.dataSync();
      const entry = { name: names[i], shape: [...w.tensor.shape], values };
      w.tensor.dispose();
      return entry;
    });
  });
  const { manifest, bytes } = writeManifestWeights(entries, 'weights.bin');
  const json = {
    format: 'layers-model', generatedBy: VERSION, convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: model.name, layers }, keras_version: VERSION, backend: 'tensor_flow.js' },
    weightsManifest: manifest,
  };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw fileError(err, `${where}: cannot make the directory`, dir, 'write');
  }
  // Weights first: a model.json never points at weights that are not there yet.
  writeFileAtomically(join(dir, 'weights.bin'), bytes, where);
  writeFileAtomically(join(dir, 'model.json'), JSON.stringify(json), where);
}
