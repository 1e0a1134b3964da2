/**
 * A Keras model's weights as a safetensors file: each weight in Keras's layout under
 * `<layer>/<weight>` (`gru/kernel`, `gru/recurrent_kernel`, `gru/bias`, `dense/kernel`; a
 * bidirectional GRU's halves as Keras names them, `bidirectional/forward_gru/kernel` and
 * `bidirectional/backward_gru/...`). The layer part is Keras 3's weights-file rule, not the
 * layer's name: its class in snake case, numbered within the model (`gru`, `gru_1`, `dense`), as
 * automatic names (`gru_14`) differ between two instances of one model and the file must load
 * into a fresh one. Loading checks every name and shape before it copies anything, so a failed
 * load leaves the model as it was.
 */
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import type { Tensor } from '../tensor';
import { readSafetensors, writeSafetensors } from '../weights/safetensors';
import { Bidirectional } from './layers/bidirectional';
import type { KerasWeight, Layer } from './layers/layer';
import { layerKeys, snakeCase } from './keras-names';

/** What the file functions need of a model (keras.sequential's Sequential). */
export interface WeightsModel {
  readonly name: string;
  readonly layers: readonly Layer[];
  readonly built: boolean;
}

/** A layer's weights with their file names under `key`; the caller disposes the tensors. */
function namedWeights(layer: Layer, key: string): KerasWeight[] {
  const own = layer.getWeights();
  let named: KerasWeight[];
  if (layer instanceof Bidirectional) {
    // The forward direction's weights come first, then the backward one's (Keras's sublayers).
    const half = own.length / 2, inner = snakeCase(layer.layer.className);
    named = own.map((w, i) => ({ name: `${key}/${i < half ? 'forward' : 'backward'}_${inner}/${w.name}`, tensor: w.tensor }));
  } else {
    named = own.map((w) => ({ name: `${key}/${w.name}`, tensor: w.tensor }));
  }
  // A layer holding two weights of one name (a future wrapper) gets index suffixes, not a collision.
  const seen = new Map<string, number>();
  return named.map((w) => {
    const count = seen.get(w.name) ?? 0;
    seen.set(w.name, count + 1);
    return count === 0 ? w : { name: `${w.name}_${count}`, tensor: w.tensor };
  });
}

/** Every layer's named weights, in model order. */
function modelWeights(model: WeightsModel, where: string): KerasWeight[][] {
  if (!model.built) throw new ArgumentError(`${where}: the model is not built yet: give the first layer an inputShape, or call the model once`);
  const perLayer: KerasWeight[][] = [];
  const keys = layerKeys(model.layers);
  try {
    model.layers.forEach((layer, i) => perLayer.push(namedWeights(layer, keys[i])));
    return perLayer;
  } catch (err) {
    for (const w of perLayer.flat()) w.tensor.dispose();
    throw err;
  }
}

function checkPath(path: unknown, where: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new ArgumentError(`${where}: path must be a non-empty string, got ${describe(path)}`);
  return path;
}

/** Writes the model's weights to a safetensors file at `path` (replacing it whole, never half-written). */
export function saveModelWeights(model: WeightsModel, path: string): void {
  const where = `${model.name}.saveWeights`;
  checkPath(path, where);
  const weights = modelWeights(model, where).flat();
  try {
    writeSafetensors(path, Object.fromEntries(weights.map((w) => [w.name, w.tensor])));
  } finally {
    for (const w of weights) w.tensor.dispose();
  }
}

/**
 * Copies the weights of a file written by saveModelWeights (or any safetensors file with the
 * same names and shapes) into the model, in the model's dtype and on its device.
 */
export function loadModelWeights(model: WeightsModel, path: string): void {
  const where = `${model.name}.loadWeights`;
  checkPath(path, where);
  const current = modelWeights(model, where);
  let file: Record<string, Tensor> = {};
  const made: Tensor[] = [];
  try {
    file = readSafetensors(path);
    const expected = new Set(current.flat().map((w) => w.name));
    const missing = [...expected].filter((name) => !(name in file));
    const extra = Object.keys(file).filter((name) => !expected.has(name));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `not in the model ${extra.join(', ')}` : ''];
      throw new ArgumentError(`${where}: ${JSON.stringify(path)} does not hold this model's weights: ${parts.filter(Boolean).join('; ')} (the model has ${[...expected].join(', ')})`);
    }
    for (const w of current.flat()) {
      const t = file[w.name];
      if (t.ndim !== w.tensor.ndim || t.shape.some((s, i) => s !== w.tensor.shape[i])) {
        throw new ShapeError(`${where}: ${w.name} in ${JSON.stringify(path)} has shape ${formatShape(t.shape)}, the model's is ${formatShape(w.tensor.shape)}`);
      }
    }
    // Checked in full above: from here on every layer loads.
    model.layers.forEach((layer, i) => {
      const tensors = current[i].map((w) => {
        let t: Tensor = file[w.name];
        if (t.dtype !== w.tensor.dtype) made.push((t = t.toDType(w.tensor.dtype)));
        if (t.device !== w.tensor.device) made.push((t = t.to(w.tensor.device)));
        return t;
      });
      if (tensors.length > 0) layer.setWeights(tensors);
    });
  } finally {
    for (const t of [...made, ...Object.values(file), ...current.flat().map((w) => w.tensor)]) t.dispose();
  }
}
