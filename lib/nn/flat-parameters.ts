/**
 * Parameters that live in one flat buffer (Note [GRU weight layout] in native/cpu/gru_layout.h):
 * each named parameter is a view into `weights`, and its gradient a view into `grads`, so a
 * whole GRU's backward accumulates into one buffer and the cuDNN weight space can be the same
 * memory.
 */
import type { DType, Device } from '../dtype';
import { Tensor } from '../tensor';

export interface ParameterBlock {
  name: string;
  shape: number[];
}

export class FlatParameters {
  readonly weights: Tensor;
  readonly grads: Tensor;
  readonly views = new Map<string, Tensor>();

  constructor(blocks: readonly ParameterBlock[], dtype: DType, device: Device, init: (weights: Tensor) => void) {
    const total = blocks.reduce((n, b) => n + b.shape.reduce((a, d) => a * d, 1), 0);
    this.weights = Tensor.empty([total], { dtype, device });
    init(this.weights);
    this.grads = Tensor.zeros([total], { dtype, device });
    let offset = 0;
    for (const block of blocks) {
      const count = block.shape.reduce((a, d) => a * d, 1);
      const flatView = this.weights.narrow(offset, count);
      const view = flatView.reshape(block.shape);
      flatView.dispose();
      const gradFlat = this.grads.narrow(offset, count);
      view.grad = gradFlat.reshape(block.shape);
      gradFlat.dispose();
      view.requiresGrad = true;
      this.views.set(block.name, view);
      offset += count;
    }
    this.weights.requiresGrad = true;
    this.weights.grad = this.grads;
  }

  dispose(): void {
    for (const view of this.views.values()) {
      view.grad?.dispose();
      view.dispose();
    }
    this.weights.dispose();
    this.grads.dispose();
  }
}
