/** keras.layers.dropout: rate, active in training only. */
import { checkOptions } from '../../arguments';
import { dropout, checkProbability } from '../../ops/dropout';
import type { Generator } from '../../random';
import type { Tensor } from '../../tensor';
import { LAYER_OPTIONS, WeightlessLayer, type LayerOptions, type Placement, type Shape } from './layer';

export interface DropoutLayerOptions extends LayerOptions {
  rate: number;
}

export class Dropout extends WeightlessLayer {
  readonly rate: number;
  private generator: Generator | undefined;

  constructor(options: DropoutLayerOptions) {
    const o = checkOptions(options, [...LAYER_OPTIONS, 'rate'], 'dropout options');
    super(o, 'dropout', 'Dropout');
    this.rate = checkProbability(o.rate, 'dropout options.rate');
  }

  protected override buildWeights(_inputShape: Shape, p: Placement): void {
    this.generator = p.generator;
  }

  call(x: Tensor, training: boolean): Tensor {
    return dropout(x, this.rate, training, this.generator);
  }
}
