/**
 * Parameters that live in one flat buffer (Note [GRU weight layout] in native/ops/gru_layout.h):
 * each named parameter is a view into `weights`, and its gradient a view into `grads`, so a
 * whole GRU's backward accumulates into one buffer and the cuDNN weight space can be the same
 * memory. The views are made on first use: a layer of millions of stacked cells costs two
 * tensors until someone asks for its parameters by name.
 */
import type { FloatDType, Device } from '../dtype';
import { keep } from '../scope';
import { Tensor } from '../tensor';

export interface ParameterBlock {
  name: string;
  shape: number[];
}

export class FlatParameters {
  private views: Map<string, Tensor<FloatDType>> | null = null;

  /** Takes ownership of `weights` and `grads` (same count, dtype and device). */
  private constructor(readonly weights: Tensor<FloatDType>, readonly grads: Tensor<FloatDType>,
                      private readonly blocks: () => Iterable<ParameterBlock>) {
    keep(weights);
    keep(grads);
    weights.grad = grads;
  }

  /** `count` weights initialised by `init`, zero gradients, every parameter requiring grad. */
  static create(count: number, blocks: () => Iterable<ParameterBlock>, dtype: FloatDType, device: Device,
                init: (weights: Tensor<FloatDType>) => void): FlatParameters {
    const weights = keep(Tensor.empty([count], { dtype, device }));
    let grads: Tensor<FloatDType>;
    try {
      init(weights);
      grads = Tensor.zeros([count], { dtype, device });
    } catch (error) {
      weights.dispose();
      throw error;
    }
    const flat = new FlatParameters(weights, grads, blocks);
    weights.requiresGrad = true;
    return flat;
  }

  /**
   * A copy on `device` (weights and gradients), with the same requiresGrad flags, and the old
   * view → new view of every parameter made so far (the others stay lazy). This one is left
   * untouched, so a failed move changes nothing.
   */
  to(device: Device): { moved: FlatParameters; views: Map<Tensor, Tensor> } {
    const weights = this.weights.to(device);
    let grads: Tensor<FloatDType>;
    try {
      grads = this.grads.to(device);
    } catch (error) {
      weights.dispose();
      throw error;
    }
    const moved = new FlatParameters(weights, grads, this.blocks);
    weights.requiresGrad = this.weights.requiresGrad;
    const views = new Map<Tensor, Tensor>();
    if (this.views !== null) {
      try {
        const fresh = moved.named();
        for (const [name, view] of this.views) {
          const copy = fresh.get(name)!;
          copy.requiresGrad = view.requiresGrad;
          views.set(view, copy);
        }
      } catch (error) {
        moved.dispose();
        throw error;
      }
    }
    return { moved, views };
  }

  /** The named views, in layout order; made on the first call. */
  named(): Map<string, Tensor<FloatDType>> {
    if (this.views === null) {
      const views = new Map<string, Tensor<FloatDType>>();
      let offset = 0;
      for (const block of this.blocks()) {
        const count = block.shape.reduce((a, d) => a * d, 1);
        const view = keep(this.weights.viewAs(block.shape, offset, count));
        view.grad = keep(this.grads.viewAs(block.shape, offset, count));
        view.requiresGrad = this.weights.requiresGrad;
        views.set(block.name, view);
        offset += count;
      }
      this.views = views;
    }
    return this.views;
  }

  /**
   * Whether the flat weights need a gradient: any parameter that requires one (users freeze
   * parameters one by one, as in PyTorch). Updates weights.requiresGrad to match.
   */
  syncRequiresGrad(): boolean {
    if (this.views !== null) {
      let any = false;
      for (const view of this.views.values()) any ||= view.requiresGrad;
      this.weights.requiresGrad = any;
    }
    return this.weights.requiresGrad;
  }

  dispose(): void {
    for (const view of this.views?.values() ?? []) {
      view.grad?.dispose();
      view.dispose();
    }
    this.weights.dispose();
    this.grads.dispose();
  }
}
