/**
 * Note [GRU gate orders]
 * The one table every GRU weight converter is derived from. A GRU's three weight blocks per
 * matrix are the reset gate r, the update gate z and the candidate n (Keras and ONNX call it h).
 *
 *   framework            gate order   input weights            recurrent weights   biases
 *   PyTorch / cuDNN      r, z, n      weight_ih [3H, I]        weight_hh [3H, H]   bias_ih [3H], bias_hh [3H]
 *   Keras 3 / TF.js      z, r, h      kernel [I, 3H]           recurrent_kernel [H, 3H]
 *                                     bias [2, 3H] (row 0 input, row 1 recurrent) with reset_after,
 *                                     bias [3H] without (TF.js has only this form)
 *   ONNX                 z, r, h      W [D, 3H, I]             R [D, 3H, H]        B [D, 6H] = [Wb | Rb]
 *
 * PyTorch is canonical here. Keras's kernels are PyTorch's transposed with the first two blocks
 * swapped. In the reset-before form every bias sits outside the reset product, so one bias
 * vector is the sum of PyTorch's two. The converters are pure functions of tensors (no layers),
 * run on the tensors' device without reading them back.
 */
import { noGrad } from '../autograd/grad-mode';
import { ShapeError } from '../errors';
import { formatShape } from '../format';
import { add, scale } from '../ops/arithmetic';
import { cat, select, stack, transpose } from '../ops/layout';
import { narrow } from '../ops/views';
import { scope } from '../scope';
import type { Tensor } from '../tensor';

export const GATE_ORDER = {
  pytorch: ['r', 'z', 'n'],
  keras: ['z', 'r', 'n'],
  onnx: ['z', 'r', 'n'],
} as const;
export type GateLayout = keyof typeof GATE_ORDER;

/** The gate blocks of `t` (stacked along `dim`) reordered from one layout's order to another's. */
export function reorderGates(t: Tensor, dim: number, from: GateLayout, to: GateLayout): Tensor {
  const size = t.shape[dim];
  if (size % 3 !== 0) throw new ShapeError(`GRU weights need 3 gate blocks along dimension ${dim}, got shape ${formatShape(t.shape)}`);
  const block = size / 3;
  return scope(() => noGrad(() => cat(GATE_ORDER[to].map((gate) => narrow(t, dim, GATE_ORDER[from].indexOf(gate as never) * block, block)), dim)));
}

export interface PytorchGruWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh?: Tensor | null;
  biasHh?: Tensor | null;
}

export interface KerasGruWeights {
  kernel: Tensor;
  recurrentKernel: Tensor;
  bias?: Tensor | null;
}

/** PyTorch's blocks as Keras's kernel, recurrent_kernel and bias ([2, 3H] reset-after, [3H] reset-before). */
export function pytorchGruToKeras(w: PytorchGruWeights, resetAfter: boolean): KerasGruWeights {
  return scope(() => noGrad(() => {
    const kernelOf = (t: Tensor) => transpose(reorderGates(t, 0, 'pytorch', 'keras'), 0, 1);
    const kernel = kernelOf(w.weightIh);
    const recurrentKernel = kernelOf(w.weightHh);
    if (!w.biasIh || !w.biasHh) return { kernel, recurrentKernel, bias: null };
    const ih = reorderGates(w.biasIh, 0, 'pytorch', 'keras');
    const hh = reorderGates(w.biasHh, 0, 'pytorch', 'keras');
    const bias = resetAfter ? stack([ih, hh], 0) : add(ih, hh);
    return { kernel, recurrentKernel, bias };
  }));
}

/** Keras's kernel, recurrent_kernel and bias as PyTorch's blocks (reset-before: bias_hh is zeros). */
export function kerasGruToPytorch(w: KerasGruWeights, resetAfter: boolean): PytorchGruWeights {
  const H3 = w.recurrentKernel.shape[1];
  if (w.bias) {
    const expected = resetAfter ? [2, H3] : [H3];
    if (w.bias.ndim !== expected.length || w.bias.shape.some((s, i) => s !== expected[i])) {
      throw new ShapeError(`Keras GRU bias must be ${formatShape(expected)} (${resetAfter ? 'reset_after' : 'reset_before'}), got ${formatShape(w.bias.shape)}`);
    }
  }
  return scope(() => noGrad(() => {
    const weightOf = (t: Tensor) => reorderGates(transpose(t, 0, 1), 0, 'keras', 'pytorch');
    const weightIh = weightOf(w.kernel);
    const weightHh = weightOf(w.recurrentKernel);
    if (!w.bias) return { weightIh, weightHh, biasIh: null, biasHh: null };
    const rows = resetAfter ? [select(w.bias, 0, 0), select(w.bias, 0, 1)] : [w.bias];
    const biasIh = reorderGates(rows[0], 0, 'keras', 'pytorch');
    const biasHh = resetAfter ? reorderGates(rows[1], 0, 'keras', 'pytorch') : scale(biasIh, 0);
    return { weightIh, weightHh, biasIh, biasHh };
  }));
}
