/**
 * exportOnnx(model, path, { opset }): a Keras-face Sequential (Embedding, GRU, Bidirectional,
 * Dense, TimeDistributed(Dense), Dropout) or a PyTorch-face GRU as an ONNX model, for inference
 * in onnxruntime and the like. Inputs and outputs have symbolic batch and time dimensions; GRU
 * nodes use layout 0 with Transposes around batch-first tensors (onnxruntime runs no other).
 */
import { checkOptions } from '../../arguments';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { ReLU, Sigmoid, Softmax, LogSoftmax, Tanh, Dropout as NnDropout } from '../../nn/activations';
import { Sequential as ModuleSequential } from '../../nn/containers';
import { Embedding as NnEmbedding } from '../../nn/embedding';
import { GRU as GruModule } from '../../nn/gru';
import { Linear } from '../../nn/linear';
import type { Module } from '../../nn/module';
import { transpose } from '../../ops/layout';
import { scope } from '../../scope';
import { OnnxGraph, type Dim } from '../../weights/onnx-graph';
import { emitGru, type OnnxGruDirection } from '../../weights/onnx-gru';
import { writeFileAtomically } from '../../weights/safetensors';
import { Bidirectional } from '../layers/bidirectional';
import { Dense } from '../layers/dense';
import { Dropout } from '../layers/dropout';
import { Embedding } from '../layers/embedding';
import { GRU } from '../layers/gru';
import type { Layer } from '../layers/layer';
import { TimeDistributed } from '../layers/time-distributed';
import { Sequential } from '../sequential';

export interface ExportOnnxOptions {
  /** 14 to 17 (default 17): GRU-14 with layout, what Debian's onnx checker (IR 8) knows. */
  opset?: number;
  /** A GRU's model also takes `lengths` (int32 [batch], each in [1, time]) as every layer's sequence_lens, PyTorch's packed semantics. */
  lengths?: boolean;
}

const PRODUCER = 'gru-native';

/** The engine GRU's directions of layer `l` (PyTorch layout). */
function directionsOf(module: GruModule, layer: number): OnnxGruDirection[] {
  const p = new Map(module.namedParameters());
  const suffixes = module.bidirectional ? [`_l${layer}`, `_l${layer}_reverse`] : [`_l${layer}`];
  return suffixes.map((s) => ({ weightIh: p.get(`weight_ih${s}`)!, weightHh: p.get(`weight_hh${s}`)!, biasIh: p.get(`bias_ih${s}`) ?? null, biasHh: p.get(`bias_hh${s}`) ?? null }));
}

/** Y [T, D, B, H] as [B, T, D*H] (batch-first sequences). */
function sequenceBatchFirst(g: OnnxGraph, y: string): string {
  const [t] = g.node('Transpose', [y], { perm: { ints: [2, 0, 1, 3] } });
  return g.node('Reshape', [t, g.int64s('shape_bt_flat', [0, 0, -1])])[0];
}

/** Y [T, ...] with its steps in reverse order (a Slice with step -1: T stays symbolic). */
function reversedSteps(g: OnnxGraph, y: string): string {
  // An end below -T is clamped to "before the first step" (ONNX Slice).
  return g.node('Slice', [y, g.int64s('slice_last', [-1]), g.int64s('slice_before_first', [Number.MIN_SAFE_INTEGER]), g.int64s('axis_0', [0]), g.int64s('step_back', [-1])])[0];
}

/** Y_h [D, B, H] as [B, D*H]. */
function lastBatchFirst(g: OnnxGraph, yh: string): string {
  const [t] = g.node('Transpose', [yh], { perm: { ints: [1, 0, 2] } });
  return g.node('Reshape', [t, g.int64s('shape_b_flat', [0, -1])])[0];
}

function emitDense(g: OnnxGraph, x: string, dense: Dense): string {
  const module = dense.module!;
  const kernel = scope(() => transpose(module.weight, 0, 1).dataSync());
  const [inFeatures, units] = [module.weight.shape[1], module.weight.shape[0]];
  let out = g.node('MatMul', [x, g.constant(`${dense.name}_kernel`, kernel, [inFeatures, units])])[0];
  if (module.bias) out = g.node('Add', [out, g.constant(`${dense.name}_bias`, module.bias.dataSync(), [units])])[0];
  switch (dense.activation) {
    case 'linear': return out;
    case 'relu': return g.node('Relu', [out])[0];
    case 'sigmoid': return g.node('Sigmoid', [out])[0];
    case 'tanh': return g.node('Tanh', [out])[0];
    case 'softmax': return g.node('Softmax', [out], { axis: -1 })[0];
  }
}

function emitLayer(g: OnnxGraph, x: string, layer: Layer, where: string): string {
  if (layer instanceof Dropout) return x;
  if (layer instanceof Dense) return emitDense(g, x, layer);
  if (layer instanceof TimeDistributed && layer.layer instanceof Dense) return emitDense(g, x, layer.layer);
  if (layer instanceof Embedding) {
    if (layer.maskZero) throw new ArgumentError(`${where}: ${layer.name} has maskZero; masks are not exported to ONNX yet`);
    return g.node('Gather', [g.constant(`${layer.name}_embeddings`, layer.module!.weight.dataSync(), layer.module!.weight.shape), x], { axis: 0 })[0];
  }
  if (layer instanceof GRU || layer instanceof Bidirectional) {
    const gru = layer instanceof Bidirectional ? layer.layer : layer;
    if (gru.stateful) throw new ArgumentError(`${where}: ${gru.name} is stateful; export a model without state`);
    const [timeMajor] = g.node('Transpose', [x], { perm: { ints: [1, 0, 2] } });
    const { y, yh } = emitGru(g, timeMajor, { name: layer.name, hidden: gru.units, directions: directionsOf(gru.module!, 0), resetAfter: gru.resetAfter,
      activation: gru.activation, recurrentActivation: gru.recurrentActivation, reverse: gru.goBackwards });
    // Keras gives a goBackwards GRU's outputs in the order it ran them, last input step first.
    const both = gru.returnSequences ? sequenceBatchFirst(g, gru.goBackwards ? reversedSteps(g, y) : y) : lastBatchFirst(g, yh);
    if (!(layer instanceof Bidirectional) || layer.mergeMode === 'concat') return both;
    // [..., 2H] as [..., 2, H], merged over the directions' axis.
    const split = g.node('Reshape', [both, g.int64s('shape_directions', gru.returnSequences ? [0, 0, 2, gru.units] : [0, 2, gru.units])])[0];
    const axis = gru.returnSequences ? 2 : 1;
    const op = { sum: 'ReduceSum', ave: 'ReduceMean', mul: 'ReduceProd' }[layer.mergeMode];
    // ReduceSum takes its axes as an input from opset 13; the others from opset 18 (attribute before).
    return op === 'ReduceSum' ? g.node(op, [split, g.int64s('axes', [axis])], { keepdims: 0 })[0] : g.node(op, [split], { axes: { ints: [axis] }, keepdims: 0 })[0];
  }
  throw new ArgumentError(`${where}: ${layer.name} (${layer.className}) has no ONNX export yet`);
}

function checkOpset(value: unknown): number {
  const opset = value ?? 17;
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < 14 || opset > 17) throw new ArgumentError(`exportOnnx options.opset must be an integer in [14, 17], got ${describe(opset)}`);
  return opset;
}

function sequentialGraph(model: Sequential): OnnxGraph {
  const where = `exportOnnx(${model.name})`;
  if (!model.built) throw new ArgumentError(`${where}: the model is not built yet`);
  const g = new OnnxGraph(model.name);
  const inputShape = model.layers[0].inputShape!;
  const ids = model.layers[0] instanceof Embedding;
  const dims: Dim[] = ['batch', ...inputShape.map((d, i) => (i === 0 && inputShape.length >= (ids ? 1 : 2) ? 'time' : d ?? `dim_${i}`))];
  let x = g.input('input', ids ? 'int32' : 'float32', dims);
  let shape = inputShape;
  for (const layer of model.layers) {
    x = emitLayer(g, x, layer, where);
    shape = layer.outputShape(shape);
  }
  const outDims: Dim[] = ['batch', ...shape.map((d, i) => (i === 0 && shape.length >= 2 ? 'time' : d ?? `out_${i}`))];
  g.output(x, 'output', 'float32', outDims);
  return g;
}

function gruGraph(gru: GruModule, lengths: boolean): OnnxGraph {
  const g = new OnnxGraph('gru');
  const D = gru.bidirectional ? 2 : 1;
  const dims: Dim[] = gru.batchFirst ? ['batch', 'time', gru.inputSize] : ['time', 'batch', gru.inputSize];
  let x = g.input('input', 'float32', dims);
  const sequenceLens = lengths ? g.input('lengths', 'int32', ['batch']) : undefined;
  if (gru.batchFirst) x = g.node('Transpose', [x], { perm: { ints: [1, 0, 2] } })[0];
  const { sequence, states } = emitGruLayers(g, x, gru, sequenceLens);
  const output = gru.batchFirst ? g.node('Transpose', [sequence], { perm: { ints: [1, 0, 2] } })[0] : sequence;
  g.output(output, 'output', 'float32', gru.batchFirst ? ['batch', 'time', D * gru.hiddenSize] : ['time', 'batch', D * gru.hiddenSize]);
  const hN = states.length === 1 ? states[0] : g.node('Concat', states, { axis: 0 })[0];
  g.output(hN, 'h_n', 'float32', [gru.numLayers * D, 'batch', gru.hiddenSize]);
  return g;
}

/** A GRU's layers on a time-major x [T, B, I]: the output sequence [T, B, D*H] and each layer's Y_h. */
function emitGruLayers(g: OnnxGraph, x: string, gru: GruModule, sequenceLens?: string): { sequence: string; states: string[] } {
  const states: string[] = [];
  for (let l = 0; l < gru.numLayers; l++) {
    const { y, yh } = emitGru(g, x, { name: `gru_l${l}`, hidden: gru.hiddenSize, directions: directionsOf(gru, l), resetAfter: gru.resetAfter,
      activation: gru.activation, recurrentActivation: gru.recurrentActivation, sequenceLens });
    states.push(yh);
    // [T, D, B, H] as [T, B, D*H], the next layer's input.
    const [t] = g.node('Transpose', [y], { perm: { ints: [0, 2, 1, 3] } });
    x = g.node('Reshape', [t, g.int64s('shape_tb_flat', [0, 0, -1])])[0];
  }
  return { sequence: x, states };
}

/**
 * A PyTorch-face nn.Sequential chain (Embedding, GRU, Linear, ReLU, Tanh, Sigmoid, Softmax,
 * LogSoftmax, Dropout), a GRU passing on its output sequence as torch users' models do.
 */
function moduleChainGraph(chain: ModuleSequential): OnnxGraph {
  const g = new OnnxGraph('sequential');
  const modules = [...chain] as Module[];
  const firstGru = modules.find((m): m is GruModule => m instanceof GruModule);
  const batchFirst = firstGru?.batchFirst ?? true;
  const seq: Dim[] = batchFirst ? ['batch', 'time'] : ['time', 'batch'];
  const first = modules[0];
  let x: string;
  if (first instanceof NnEmbedding) x = g.input('input', 'int32', seq);
  else if (first instanceof GruModule) x = g.input('input', 'float32', [...seq, first.inputSize]);
  else if (first instanceof Linear) x = g.input('input', 'float32', ['batch', first.inFeatures]);
  else throw new ArgumentError(`exportOnnx: a module chain starts with Embedding, GRU or Linear, got ${describe(first)}`);
  let width = 0;
  for (const [i, m] of modules.entries()) {
    const where = `exportOnnx: module ${i}`;
    if (m instanceof NnEmbedding) {
      x = g.node('Gather', [g.constant(`embedding_${i}`, m.weight.dataSync(), m.weight.shape), x], { axis: 0 })[0];
      width = m.embeddingDim;
    } else if (m instanceof GruModule) {
      if (m.batchFirst !== batchFirst) throw new ArgumentError(`${where}: every GRU of a chain must agree on batchFirst`);
      const timeMajor = batchFirst ? g.node('Transpose', [x], { perm: { ints: [1, 0, 2] } })[0] : x;
      const { sequence } = emitGruLayers(g, timeMajor, m);
      x = batchFirst ? g.node('Transpose', [sequence], { perm: { ints: [1, 0, 2] } })[0] : sequence;
      width = (m.bidirectional ? 2 : 1) * m.hiddenSize;
    } else if (m instanceof Linear) {
      const kernel = scope(() => transpose(m.weight, 0, 1).dataSync());
      x = g.node('MatMul', [x, g.constant(`linear_${i}_weight`, kernel, [m.inFeatures, m.outFeatures])])[0];
      if (m.bias) x = g.node('Add', [x, g.constant(`linear_${i}_bias`, m.bias.dataSync(), [m.outFeatures])])[0];
      width = m.outFeatures;
    } else if (m instanceof ReLU || m instanceof Tanh || m instanceof Sigmoid) {
      x = g.node(m instanceof ReLU ? 'Relu' : m instanceof Tanh ? 'Tanh' : 'Sigmoid', [x])[0];
    } else if (m instanceof Softmax || m instanceof LogSoftmax) {
      x = g.node(m instanceof Softmax ? 'Softmax' : 'LogSoftmax', [x], { axis: m.dim })[0];
    } else if (!(m instanceof NnDropout)) {
      throw new ArgumentError(`${where}: ${m.constructor.name} has no ONNX export yet (Embedding, GRU, Linear, ReLU, Tanh, Sigmoid, Softmax, LogSoftmax, Dropout)`);
    }
  }
  const sequenceOut = modules.some((m) => m instanceof GruModule || m instanceof NnEmbedding);
  g.output(x, 'output', 'float32', sequenceOut ? [...seq, width] : ['batch', width]);
  return g;
}

/** Writes `model` to `path` as ONNX (atomically); returns the bytes written. */
export function exportOnnx(model: Sequential | GruModule | ModuleSequential, path: string, options: ExportOnnxOptions = {}): Uint8Array {
  const o = checkOptions(options, ['opset', 'lengths'], 'exportOnnx options');
  const lengths = o.lengths ?? false;
  if (typeof lengths !== 'boolean') throw new ArgumentError(`exportOnnx options.lengths must be a boolean, got ${describe(lengths)}`);
  const opset = checkOpset(o.opset);
  if (typeof path !== 'string') throw new ArgumentError(`exportOnnx: path must be a string, got ${describe(path)}`);
  let graph: OnnxGraph;
  if (model instanceof Sequential) {
    if (lengths) throw new ArgumentError('exportOnnx options.lengths: a Keras model takes masks, which are not exported yet; lengths is for a GRU');
    graph = sequentialGraph(model);
  } else if (model instanceof GruModule) graph = gruGraph(model, lengths);
  else if (model instanceof ModuleSequential) {
    if (lengths) throw new ArgumentError('exportOnnx options.lengths is for a GRU on its own');
    graph = moduleChainGraph(model);
  } else throw new ArgumentError(`exportOnnx: model must be a keras Sequential (or keras.model), a GRU or an nn.Sequential chain, got ${describe(model)}`);
  const bytes = graph.encode(opset, PRODUCER);
  writeFileAtomically(path, bytes, 'exportOnnx');
  return bytes;
}
