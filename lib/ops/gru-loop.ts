/**
 * One GRU direction run step by step from differentiable ops, recorded for autograd, on any
 * device: per step, one GEMM and a fused gate pass of gru-gates.ts (reset-after; reset-before
 * takes two of each), or with recurrent dropout a GEMM per gate and the gate math as elementwise ops. It runs what the
 * fused engine GRU cannot: every activation form on CUDA (gru-composed.ts), and for the Keras
 * face recurrent dropout (implementation 1: one mask per gate on the inputs and one on the state,
 * fixed over the sequence, the undropped state carried) and masks with holes. A masked step keeps
 * the state and outputs zeros (PyTorch's padding) or repeats the previous output (Keras's
 * zero_output_for_mask=False: zeros before the first real step). Weights are the engine's
 * (PyTorch layout, gates r, z, n).
 */
import { add, mul, scale, sub } from './arithmetic';
import { gruGates, gruResetPass, gruUpdatePass } from './gru-gates';
import { cat, stack } from './layout';
import { linear } from './matmul';
import { clamp, relu, sigmoid, tanh } from './unary';
import { narrow } from './views';
import { ArgumentError } from '../errors';
import { scope } from '../scope';
import type { Tensor } from '../tensor';

/** The engine's weights of one direction: weight_ih [3U, I], weight_hh [3U, U], biases [3U]. */
export interface LoopWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

export interface LoopOptions {
  /** Names of GRU_ACTIVATIONS (lib/nn/gru-options.ts). */
  activation: string;
  recurrentActivation: string;
  resetAfter: boolean;
  /** The initial state [batch, U]. */
  h0: Tensor;
  /** Input dropout masks [batch, I] for the gates r, z, n (scaled by 1 / (1 - rate)). */
  inputMasks: readonly [Tensor, Tensor, Tensor] | null;
  /** Recurrent dropout masks [batch, U] for the gates r, z, n. */
  stateMasks: readonly [Tensor, Tensor, Tensor] | null;
  /** 0/1 per step [batch, steps]; a 0 step keeps the state. */
  stepMask: Tensor | null;
  /** What a masked step outputs: zeros (PyTorch), or the previous output (Keras; the default). */
  maskedOutput?: 'zero' | 'previous';
}

export function activationFunction(name: string): (t: Tensor) => Tensor {
  switch (name) {
    case 'tanh': return tanh;
    case 'sigmoid': return sigmoid;
    case 'relu': return relu;
    case 'linear': return (t) => t;
    // Keras 3: relu6(x + 3) / 6.
    case 'hardSigmoid': return (t) => clamp(add(scale(t, 1 / 6), 0.5), 0, 1);
    // TF.js and Keras 2: clip(0.2 x + 0.5, 0, 1).
    case 'hardSigmoidTfjs': return (t) => clamp(add(scale(t, 0.2), 0.5), 0, 1);
    default: throw new ArgumentError(`unknown GRU activation '${name}'`);
  }
}

/** Rows [gate * U, (gate + 1) * U) of a stacked weight or bias (a free view). */
function gateRows(t: Tensor, gate: number, count = 1): Tensor {
  const units = t.shape[0] / 3;
  return narrow(t, 0, gate * units, count * units);
}

/**
 * The GRU over x [batch, steps, I] in step order: the outputs [batch, steps, U] and the last
 * state [batch, U].
 */
export function gruLoop(x: Tensor, w: LoopWeights, o: LoopOptions): { output: Tensor; last: Tensor } {
  const act = activationFunction(o.activation), gate = activationFunction(o.recurrentActivation);
  const steps = x.shape[1];
  return scope(() => {
    const bias = (b: Tensor | null, g: number, n = 1) => (b ? gateRows(b, g, n) : null);
    // The input projections of every step at once [batch, steps, 3U], per gate when each gate has its own mask.
    const all = o.inputMasks
      ? cat([0, 1, 2].map((g) => linear(mul(x, o.inputMasks![g].reshape([x.shape[0], 1, x.shape[2]])), gateRows(w.weightIh, g), bias(w.biasIh, g))), 2)
      : linear(x, w.weightIh, w.biasIh);
    const units = w.weightHh.shape[1];
    // Without state masks a step is one GEMM and a fused gate pass (reset-after), or two of each
    // (reset-before: the n block's GEMM needs r h first); see gru-gates.ts.
    const fused = !o.stateMasks;
    const stepMask = o.stepMask ? o.stepMask.reshape([...o.stepMask.shape, 1]) : null;
    let h = o.h0;
    let previous: Tensor | null = null;
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const gi = all.select(1, t);
      let next: Tensor;
      if (fused && o.resetAfter) {
        next = gruGates(gi, linear(h, w.weightHh, w.biasHh), h, o.activation, o.recurrentActivation);
      } else if (fused) {
        const gates = gruResetPass(gi, linear(h, gateRows(w.weightHh, 0, 2), bias(w.biasHh, 0, 2)), h, o.recurrentActivation);
        const ghN = linear(narrow(gates, 1, 2 * units, units), gateRows(w.weightHh, 2), bias(w.biasHh, 2));
        next = gruUpdatePass(gi, ghN, gates, h, o.activation);
      } else {
        const [xr, xz, xn] = [0, 1, 2].map((g) => narrow(gi, 1, g * units, units));
        const hr = o.stateMasks ? mul(h, o.stateMasks[0]) : h;
        const hz = o.stateMasks ? mul(h, o.stateMasks[1]) : h;
        const hn = o.stateMasks ? mul(h, o.stateMasks[2]) : h;
        const r = gate(add(xr, linear(hr, gateRows(w.weightHh, 0), bias(w.biasHh, 0))));
        const z = gate(add(xz, linear(hz, gateRows(w.weightHh, 1), bias(w.biasHh, 1))));
        const candidate = o.resetAfter
          ? act(add(xn, mul(r, linear(hn, gateRows(w.weightHh, 2), bias(w.biasHh, 2)))))
          : act(add(xn, linear(mul(r, hn), gateRows(w.weightHh, 2), bias(w.biasHh, 2))));
        // z h + (1 - z) n, with the undropped state (Keras carries h_tm1, not its dropped copies).
        next = add(candidate, mul(z, sub(h, candidate)));
      }
      if (stepMask) {
        const m = stepMask.select(1, t);
        h = add(h, mul(m, sub(next, h)));
        if (o.maskedOutput === 'zero') {
          outputs.push(mul(m, next));
        } else {
          previous = previous ? add(previous, mul(m, sub(next, previous))) : mul(m, next);
          outputs.push(previous);
        }
      } else {
        h = next;
        outputs.push(next);
      }
    }
    return { output: stack(outputs, 1), last: h };
  });
}
