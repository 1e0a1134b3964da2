/**
 * TF.js's (and Keras 2's) model topology JSON for Sequential models of the layers this library
 * has: `{ class_name, config: { snake_case options } }` per layer, to layers and back. What the
 * JSON says `hard_sigmoid` means depends on who wrote it: Keras 3 means relu6(x + 3) / 6, TF.js
 * and Keras 2 clip(0.2 x + 0.5, 0, 1).
 */
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import type { GRUActivation } from '../../nn/gru-options';
import { Bidirectional, type MergeMode } from '../layers/bidirectional';
import { Dense } from '../layers/dense';
import { Dropout } from '../layers/dropout';
import { Embedding } from '../layers/embedding';
import { GRU } from '../layers/gru';
import type { Layer, Shape } from '../layers/layer';
import { Masking } from '../layers/masking';
import { TimeDistributed } from '../layers/time-distributed';
import { Regularizer } from '../regularizers';

export interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

type Config = Record<string, unknown>;

const SUPPORTED = ['GRU', 'Dense', 'Embedding', 'Dropout', 'Masking', 'Bidirectional', 'TimeDistributed', 'InputLayer'];

/** Reads a topology's layer list: the layers and the input shape (without batch) the first one declares. */
export function layersFromTopology(topology: unknown, source: string): { name: string | undefined; layers: Layer[]; inputShape: Shape | null } {
  const t = topology as { class_name?: unknown; config?: unknown; keras_version?: unknown };
  if (typeof t !== 'object' || t === null) throw new ArgumentError(`${source}: modelTopology must be an object, got ${describe(topology)}`);
  if (t.class_name !== 'Sequential') throw new ArgumentError(`${source}: only Sequential models load for now, got class_name ${describe(t.class_name)}`);
  const config = (Array.isArray(t.config) ? { layers: t.config } : t.config) as { name?: unknown; layers?: unknown } | undefined;
  if (!config || !Array.isArray(config.layers)) throw new ArgumentError(`${source}: modelTopology.config.layers must be an array, got ${describe(config)}`);
  const keras3 = typeof t.keras_version === 'string' && /^3\./.test(t.keras_version);
  let inputShape: Shape | null = null;
  const layers: Layer[] = [];
  config.layers.forEach((entry: unknown, i: number) => {
    const where = `${source}: layer ${i}`;
    const json = checkEntry(entry, where);
    const shape = declaredShape(json.config);
    if (shape && layers.length === 0) inputShape = shape;
    if (json.class_name === 'InputLayer') return;
    layers.push(layerFromJson(json, keras3, where));
  });
  return { name: typeof config.name === 'string' ? config.name : undefined, layers, inputShape };
}

function checkEntry(entry: unknown, where: string): LayerJson {
  const e = entry as LayerJson;
  if (typeof e !== 'object' || e === null || typeof e.class_name !== 'string' || typeof e.config !== 'object' || e.config === null) {
    throw new ArgumentError(`${where} must be { class_name, config }, got ${describe(entry)}`);
  }
  if (!SUPPORTED.includes(e.class_name)) throw new ArgumentError(`${where}: class ${e.class_name} is not supported (supported: ${SUPPORTED.join(', ')})`);
  return e;
}

/** batch_input_shape / batch_shape without the batch, or [input_length] (Embedding). */
function declaredShape(c: Config): Shape | null {
  const batch = (c.batch_input_shape ?? c.batch_shape) as Shape | undefined;
  if (Array.isArray(batch)) return batch.slice(1);
  if (typeof c.input_length === 'number') return [c.input_length];
  return null;
}

function activationFrom(value: unknown, keras3: boolean, where: string): GRUActivation | 'softmax' {
  const names: Record<string, GRUActivation | 'softmax'> = {
    tanh: 'tanh', sigmoid: 'sigmoid', relu: 'relu', linear: 'linear', softmax: 'softmax', hard_sigmoid: keras3 ? 'hardSigmoid' : 'hardSigmoidTfjs',
    // This library's own names, which its checkpoints write.
    hardSigmoid: 'hardSigmoid', hardSigmoidTfjs: 'hardSigmoidTfjs',
  };
  const name = value === null || value === undefined ? 'linear' : typeof value === 'string' ? value : (value as { class_name?: string }).class_name ?? '';
  if (!(name in names)) throw new ArgumentError(`${where}: activation ${describe(value)} is not supported (${Object.keys(names).join(', ')})`);
  return names[name];
}

function regularizerFrom(value: unknown, where: string): Regularizer | null {
  if (value === null || value === undefined) return null;
  const r = value as { class_name?: string; config?: { l1?: number; l2?: number } };
  if (!['L1L2', 'L1', 'L2'].includes(r.class_name ?? '')) throw new ArgumentError(`${where}: regularizer ${describe(value)} is not supported (L1, L2, L1L2)`);
  return new Regularizer(r.config?.l1 ?? 0, r.config?.l2 ?? 0);
}

function refuseSet(c: Config, keys: string[], where: string): void {
  for (const key of keys) if (c[key] !== null && c[key] !== undefined) throw new ArgumentError(`${where}: ${key} is not supported, got ${describe(c[key])}`);
}

function layerFromJson(json: LayerJson, keras3: boolean, where: string): Layer {
  const c = json.config;
  const name = typeof c.name === 'string' ? c.name : undefined;
  if (c.trainable === false) throw new ArgumentError(`${where}: trainable: false layers are not supported yet`);
  refuseSet(c, ['activity_regularizer', 'kernel_constraint', 'recurrent_constraint', 'bias_constraint', 'embeddings_constraint'], where);
  const inputShape = declaredShape(c) ?? undefined;
  switch (json.class_name) {
    case 'GRU':
      if (c.return_state) throw new ArgumentError(`${where}: a GRU with return_state gives two outputs, which a Sequential model cannot hold`);
      return new GRU({
        name, inputShape, units: c.units as number, activation: activationFrom(c.activation, keras3, where) as GRUActivation,
        recurrentActivation: activationFrom(c.recurrent_activation, keras3, where) as GRUActivation, useBias: c.use_bias !== false,
        // Every writer states it; where it is missing, the writer's own default.
        resetAfter: c.reset_after === undefined ? keras3 : Boolean(c.reset_after),
        returnSequences: Boolean(c.return_sequences), goBackwards: Boolean(c.go_backwards), stateful: Boolean(c.stateful),
        dropout: (c.dropout as number) ?? 0, recurrentDropout: (c.recurrent_dropout as number) ?? 0,
        kernelRegularizer: regularizerFrom(c.kernel_regularizer, where) ?? undefined, recurrentRegularizer: regularizerFrom(c.recurrent_regularizer, where) ?? undefined,
        biasRegularizer: regularizerFrom(c.bias_regularizer, where) ?? undefined,
      });
    case 'Dense':
      return new Dense({ name, inputShape, units: c.units as number, activation: activationFrom(c.activation, keras3, where) as never, useBias: c.use_bias !== false,
        kernelRegularizer: regularizerFrom(c.kernel_regularizer, where) ?? undefined, biasRegularizer: regularizerFrom(c.bias_regularizer, where) ?? undefined });
    case 'Embedding':
      return new Embedding({ name, inputShape, inputDim: c.input_dim as number, outputDim: c.output_dim as number, maskZero: Boolean(c.mask_zero),
        embeddingsRegularizer: regularizerFrom(c.embeddings_regularizer, where) ?? undefined });
    case 'Dropout':
      return new Dropout({ name, inputShape, rate: c.rate as number });
    case 'Masking':
      return new Masking({ name, inputShape, maskValue: (c.mask_value as number) ?? 0 });
    case 'Bidirectional': {
      const inner = layerFromJson(checkEntry(c.layer, `${where}.layer`), keras3, `${where}.layer`);
      if (!(inner instanceof GRU)) throw new ArgumentError(`${where}: Bidirectional must wrap a GRU, got ${inner.className}`);
      return new Bidirectional({ name, inputShape, layer: inner, mergeMode: ((c.merge_mode as string) ?? 'concat') as MergeMode });
    }
    case 'TimeDistributed':
      return new TimeDistributed({ name, inputShape, layer: layerFromJson(checkEntry(c.layer, `${where}.layer`), keras3, `${where}.layer`) });
  }
  throw new ArgumentError(`${where}: class ${json.class_name} is not supported`);
}

function regularizerJson(r: Regularizer | null): unknown {
  return r ? { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } } : null;
}

function activationJson(name: string, target: Target, where: string): string {
  if (target === 'native') return name;
  if (target === 'keras3') {
    if (name === 'hardSigmoidTfjs') throw new ArgumentError(`${where}: Keras 3 has no TF.js hard sigmoid (clip(0.2 x + 0.5, 0, 1)); its 'hard_sigmoid' is relu6(x + 3) / 6`);
    return name === 'hardSigmoid' ? 'hard_sigmoid' : name;
  }
  if (name === 'hardSigmoid') throw new ArgumentError(`${where}: TF.js has no Keras 3 hard sigmoid (relu6(x + 3) / 6); use 'hardSigmoidTfjs' or another activation to export to TF.js`);
  return name === 'hardSigmoidTfjs' ? 'hard_sigmoid' : name;
}

/** Who reads the JSON: TF.js (its GRU is reset-before only), Keras 3 (its hard sigmoid), or this library (its checkpoints: every form, its own activation names). */
export type Target = 'tfjs' | 'keras3' | 'native';

/** A layer's JSON (inputShape given for the first: it carries the model's input shape). */
export function layerToJson(layer: Layer, inputShape: Shape | null, target: Target = 'tfjs'): LayerJson {
  const where = `${layer.name} (${layer.className})`;
  const base: Config = { name: layer.name, trainable: true, ...(inputShape ? { batch_input_shape: [null, ...inputShape] } : {}) };
  if (layer instanceof GRU) {
    if (layer.resetAfter && target === 'tfjs') {
      throw new ArgumentError(`${where}: TF.js cannot express a reset-after GRU (resetAfter: true, Keras 3's default): its GRU is reset-before only; build the model with resetAfter: false to export it to TF.js`);
    }
    return { class_name: 'GRU', config: { ...base, units: layer.units, activation: activationJson(layer.activation, target, where), recurrent_activation: activationJson(layer.recurrentActivation, target, where),
      use_bias: layer.useBias, dropout: layer.dropout, recurrent_dropout: layer.recurrentDropout, reset_after: layer.resetAfter, return_sequences: layer.returnSequences,
      return_state: false, go_backwards: layer.goBackwards, stateful: layer.stateful, unroll: false, kernel_regularizer: regularizerJson(layer.regularizers.kernel),
      recurrent_regularizer: regularizerJson(layer.regularizers.recurrent), bias_regularizer: regularizerJson(layer.regularizers.bias) } };
  }
  if (layer instanceof Dense) {
    return { class_name: 'Dense', config: { ...base, units: layer.units, activation: layer.activation, use_bias: layer.useBias,
      kernel_regularizer: regularizerJson(layer.regularizers.kernel), bias_regularizer: regularizerJson(layer.regularizers.bias) } };
  }
  if (layer instanceof Embedding) {
    return { class_name: 'Embedding', config: { ...base, input_dim: layer.inputDim, output_dim: layer.outputDim, mask_zero: layer.maskZero,
      embeddings_regularizer: regularizerJson(layer.regularizer) } };
  }
  if (layer instanceof Dropout) return { class_name: 'Dropout', config: { ...base, rate: layer.rate } };
  if (layer instanceof Masking) return { class_name: 'Masking', config: { ...base, mask_value: layer.maskValue } };
  if (layer instanceof Bidirectional) return { class_name: 'Bidirectional', config: { ...base, merge_mode: layer.mergeMode, layer: layerToJson(layer.layer, null, target) } };
  if (layer instanceof TimeDistributed) return { class_name: 'TimeDistributed', config: { ...base, layer: layerToJson(layer.layer, null, target) } };
  throw new ArgumentError(`${where}: this layer has no TF.js form`);
}
