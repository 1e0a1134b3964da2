/**
 * One GRU layer as an ONNX GRU node (opset 14+, layout 0: X [T, B, I] -> Y [T, D, B, H] and
 * Y_h [D, B, H]): weights from the engine's PyTorch layout through the one gate table (Note [GRU
 * gate orders]: W, R in z, r, h; B = [Wb | Rb]), linear_before_reset 1 for the reset-after form
 * and 0 for reset-before, and the activations ONNX spells for the non-default ones.
 */
import { ArgumentError } from '../errors';
import { noGrad } from '../autograd/grad-mode';
import { scope } from '../scope';
import type { Tensor } from '../tensor';
import { reorderGates } from './gru-gates';
import type { Attribute, OnnxGraph } from './onnx-graph';

export interface OnnxGruDirection {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

export interface OnnxGruLayer {
  name: string;
  hidden: number;
  directions: OnnxGruDirection[];
  resetAfter: boolean;
  activation: string;
  recurrentActivation: string;
  /** An int32 [batch] value of each sequence's length (ONNX's sequence_lens), or none. */
  sequenceLens?: string;
  /** One direction run from the last step to the first (ONNX's direction 'reverse'); Y keeps the input's step order. */
  reverse?: boolean;
}

/** ONNX's spelling of an activation, with its alpha and beta. */
const ACTIVATIONS: Record<string, { name: string; alpha: number; beta: number }> = {
  sigmoid: { name: 'Sigmoid', alpha: 0, beta: 0 },
  tanh: { name: 'Tanh', alpha: 0, beta: 0 },
  relu: { name: 'Relu', alpha: 0, beta: 0 },
  linear: { name: 'Affine', alpha: 1, beta: 0 },
  hardSigmoid: { name: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 },
  hardSigmoidTfjs: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
};

function values(t: Tensor): Float32Array {
  return Float32Array.from(t.dataSync());
}

/** Emits the node on `x` (layout 0); returns the names of Y and Y_h. */
export function emitGru(graph: OnnxGraph, x: string, layer: OnnxGruLayer): { y: string; yh: string } {
  const { hidden: H, directions } = layer;
  const D = directions.length;
  const blocks = scope(() => noGrad(() => directions.map((d) => {
    const w = values(reorderGates(d.weightIh, 0, 'pytorch', 'onnx'));
    const r = values(reorderGates(d.weightHh, 0, 'pytorch', 'onnx'));
    const zeros = new Float32Array(3 * H);
    const wb = d.biasIh ? values(reorderGates(d.biasIh, 0, 'pytorch', 'onnx')) : zeros;
    const rb = d.biasHh ? values(reorderGates(d.biasHh, 0, 'pytorch', 'onnx')) : zeros;
    return { w, r, b: Float32Array.from([...wb, ...rb]) };
  })));
  const inputSize = blocks[0].w.length / (3 * H);
  const join = (parts: Float32Array[]) => Float32Array.from(parts.flatMap((p) => Array.from(p)));
  const W = graph.constant(`${layer.name}_W`, join(blocks.map((b) => b.w)), [D, 3 * H, inputSize]);
  const R = graph.constant(`${layer.name}_R`, join(blocks.map((b) => b.r)), [D, 3 * H, H]);
  const B = graph.constant(`${layer.name}_B`, join(blocks.map((b) => b.b)), [D, 6 * H]);
  const attributes: Record<string, Attribute> = {
    hidden_size: H, linear_before_reset: layer.resetAfter ? 1 : 0, direction: D === 2 ? 'bidirectional' : layer.reverse ? 'reverse' : 'forward',
  };
  const gate = ACTIVATIONS[layer.recurrentActivation], candidate = ACTIVATIONS[layer.activation];
  if (!gate || !candidate) throw new ArgumentError(`${layer.name}: no ONNX form for activation '${layer.activation}' with '${layer.recurrentActivation}'`);
  if (gate.name !== 'Sigmoid' || candidate.name !== 'Tanh') {
    const pair = [gate, candidate];
    const all = directions.flatMap(() => pair);
    attributes.activations = all.map((a) => a.name);
    attributes.activation_alpha = { floats: all.map((a) => a.alpha) };
    attributes.activation_beta = { floats: all.map((a) => a.beta) };
  }
  const inputs = layer.sequenceLens ? [x, W, R, B, layer.sequenceLens] : [x, W, R, B];
  const [y, yh] = graph.node('GRU', inputs, attributes, graph.unique(`${layer.name}_Y`), graph.unique(`${layer.name}_Y_h`));
  return { y, yh };
}
