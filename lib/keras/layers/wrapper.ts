/** What layer wrappers (bidirectional, timeDistributed) share: the wrapped layer holds the weights. */
import type { Tensor } from '../../tensor';
import { Layer, type KerasWeight, type LayerOptions } from './layer';

export abstract class Wrapper<L extends Layer> extends Layer {
  protected constructor(options: LayerOptions, base: string, className: string, readonly layer: L) {
    super(options, base, className);
  }

  get module() {
    return this.layer.module;
  }

  getWeights(): KerasWeight[] {
    return this.layer.getWeights();
  }

  setWeights(weights: readonly Tensor[]): void {
    this.layer.setWeights(weights);
  }

  countParams(): number {
    return this.layer.countParams();
  }

  override regularizationLoss(): Tensor | null {
    return this.layer.regularizationLoss();
  }
}
