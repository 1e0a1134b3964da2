/**
 * A step of the autograd tape: one differentiable op's backward. Ops are coarse (a whole
 * multi-layer GRU is one node), so the tape stays short.
 *
 * Note [Tape lifetime]
 * A node frees what it saved as soon as nothing can reach it any more: when every output
 * tensor it produced has been disposed and no live node consumes those outputs. So a training-
 * mode forward whose results are disposed without backward() releases its reserve and saved
 * tensors at once instead of at the next GC, while intermediates a loss was computed from can
 * still be disposed before loss.backward(). backward() without retainGraph releases every node
 * it ran.
 */
import { ArgumentError } from '../errors';
import { keep } from '../scope';
import type { Tensor, VersionCounter } from '../tensor';

interface SavedTensor {
  tensor: Tensor;
  version: VersionCounter;
  versionAtSave: number;
}

export abstract class GradNode {
  /** Inputs gradients flow to (null where the op's input needs none). */
  readonly inputs: readonly (Tensor | null)[];
  readonly numOutputs: number;
  /**
   * When true, backward() receives each leaf input's `.grad` (allocated by the engine) and
   * accumulates into it, returning null for that input: the GRU writes its weight gradient
   * straight into the flat gradient buffer.
   */
  readonly acceptsGradSinks: boolean = false;
  private saved: SavedTensor[] = [];
  private liveOutputs = 0;
  private consumers = 0;
  private releasedFlag = false;

  constructor(
    readonly name: string,
    inputs: readonly (Tensor | null)[],
    numOutputs = 1,
  ) {
    this.inputs = inputs.map((t) => (t !== null && t.requiresGrad ? t : null));
    this.numOutputs = numOutputs;
    for (const input of this.inputs) if (input?.gradFn) input.gradFn.consumers++;
  }

  /**
   * Gradients of the inputs given those of the outputs (null for outputs nothing depended on).
   * Returned tensors belong to the engine. `sinks[i]` is leaf input i's gradient buffer when
   * acceptsGradSinks (else null); the node adds into it and returns null for that input.
   */
  abstract backward(gradOutputs: readonly (Tensor | null)[], sinks: readonly (Tensor | null)[]): (Tensor | null)[];

  get released(): boolean {
    return this.releasedFlag;
  }

  /** @internal Makes `outputs` the results of this node. */
  attachOutputs(outputs: readonly Tensor[]): void {
    this.liveOutputs = outputs.length;
    outputs.forEach((out, i) => {
      out.gradFn = this;
      out.outputIndex = i;
      out.requiresGrad = true;
    });
  }

  /** @internal An output was disposed (Note [Tape lifetime]). */
  outputDisposed(): void {
    this.liveOutputs--;
    this.releaseIfUnreachable();
  }

  /**
   * Keeps `t` for backward: a view of its memory that stays valid if the caller disposes `t`,
   * remembered with its version, so an in-place change before backward is caught.
   */
  protected save<T extends Tensor>(t: T): T {
    const kept = keep(t.detach()) as T;
    this.saved.push({ tensor: kept, version: t.version, versionAtSave: t.version.value });
    return kept;
  }

  /** Throws if a saved tensor was changed in place since this node's forward (PyTorch's check). */
  checkSavedVersions(): void {
    for (const s of this.saved) {
      if (s.version.value !== s.versionAtSave) {
        throw new ArgumentError(
          `backward(): a tensor ${this.name} needs (shape [${s.tensor.shape.join(', ')}]) was modified by an in-place ` +
            `operation after the forward pass (version ${s.version.value}, expected ${s.versionAtSave}); ` +
            'change it after backward(), or clone it before the in-place change',
        );
      }
    }
  }

  /** Frees what was saved; the node cannot run backward afterwards. Releases producers nothing reaches any more. */
  release(): void {
    const pending: GradNode[] = [this];
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (node.releasedFlag) continue;
      node.releasedFlag = true;
      node.releaseOwn();
      for (const t of node.saved) t.tensor.dispose();
      node.saved = [];
      for (const input of node.inputs) {
        const producer = input?.gradFn;
        if (!producer) continue;
        producer.consumers--;
        if (producer.unreachable()) pending.push(producer);
      }
    }
  }

  /** What a node holds beyond its saved tensors (the GRU's reserve). */
  protected releaseOwn(): void {}

  private unreachable(): boolean {
    return !this.releasedFlag && this.liveOutputs <= 0 && this.consumers <= 0;
  }

  private releaseIfUnreachable(): void {
    if (this.unreachable()) this.release();
  }
}
