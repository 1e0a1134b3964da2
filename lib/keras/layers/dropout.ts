/** keras.layers.dropout: rate, active in training only. */
import { checkOptions } from '../../arguments';
import { dropout, checkProbability } from '../../ops/dropout';
import type { Generator } from '../../random';
import type { Tensor } from '../../tensor';
import { LAYER_OPTIONS, Layer, type KerasWeight, type LayerOptions, type Placement } from './layer';

export interface DropoutLayerOptions extends LayerOptions {
  rate: number;
}

export class Dropout extends Layer {
  readonly rate: number;
  private generator: Generator | undefined;

  constructor(options: DropoutLayerOptions) {
    const o = checkOptions(options, [...LAYER_OPTIONS, 'rate'], 'dropout options');
    super(o, 'dropout', 'Dropout');
    this.rate = checkProbability(o.rate, 'dropout options.rate');
  }

  get module(): null {
    return null;
  }

  protected buildWeights(_inputShape: number[], p: Placement): void {
    this.generator = p.generator;
  }

  outputShape(inputShape: number[]): number[] {
    return inputShape;
  }

  call(x: Tensor, training: boolean): Tensor {
    return dropout(x, this.rate, training, this.generator);
  }

  getWeights(): KerasWeight[] {
    return [];
  }

  setWeights(): void {}

  countParams(): number {
    return 0;
  }
}
