/**
 * A step of the autograd tape: one differentiable op's backward. Ops are coarse (a whole
 * multi-layer GRU is one node), so the tape stays short.
 */
import type { Tensor } from '../tensor';

export abstract class GradNode {
  /** Inputs gradients flow to (null where the op's input needs none). */
  readonly inputs: readonly (Tensor | null)[];
  readonly numOutputs: number;
  #saved: Tensor[] = [];

  constructor(
    readonly name: string,
    inputs: readonly (Tensor | null)[],
    numOutputs = 1,
  ) {
    this.inputs = inputs.map((t) => (t !== null && t.requiresGrad ? t : null));
    this.numOutputs = numOutputs;
  }

  /**
   * Gradients of the inputs given those of the outputs (null for outputs nothing depended on).
   * Returned tensors belong to the engine. A node may instead accumulate straight into a leaf's
   * `.grad` and return null for it.
   */
  abstract backward(gradOutputs: readonly (Tensor | null)[]): (Tensor | null)[];

  /** Keeps `t` for backward: a view of its memory that stays valid if the caller disposes `t`. */
  protected save(t: Tensor): Tensor {
    const kept = t.detach();
    this.#saved.push(kept);
    return kept;
  }

  /** Frees what was saved; the node cannot run backward afterwards. */
  release(): void {
    for (const t of this.#saved) t.dispose();
    this.#saved = [];
    this.released = true;
  }

  released = false;
}
