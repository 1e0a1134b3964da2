/**
 * keras.layers.timeDistributed({ layer }): the wrapped layer on every step of [batch, steps, ...]
 * inputs, with one set of weights (the steps are folded into the batch for one call).
 */
import { checkOptions } from '../../arguments';
import { ArgumentError, ShapeError } from '../../errors';
import { describe, formatShape } from '../../format';
import type { Tensor } from '../../tensor';
import { LAYER_OPTIONS, Layer, formatDims, type LayerOptions, type Placement, type Shape } from './layer';
import { Wrapper } from './wrapper';

export interface TimeDistributedOptions extends LayerOptions {
  layer: Layer;
}

export class TimeDistributed extends Wrapper<Layer> {

  constructor(options: TimeDistributedOptions) {
    const o = checkOptions(options, [...LAYER_OPTIONS, 'layer'], 'timeDistributed options');
    if (!(o.layer instanceof Layer)) throw new ArgumentError(`timeDistributed options.layer must be a keras layer, got ${describe(o.layer)}`);
    super(o, 'time_distributed', 'TimeDistributed', o.layer);
  }

  protected buildWeights(inputShape: Shape, p: Placement): void {
    if (inputShape.length < 2) throw new ShapeError(`${this.name}: needs inputs [batch, steps, ...], got [batch, ${formatDims(inputShape)}]`);
    this.layer.build(inputShape.slice(1), p);
  }

  outputShape(inputShape: Shape): Shape {
    return [inputShape[0], ...this.layer.outputShape(inputShape.slice(1))];
  }

  call(x: Tensor, training: boolean): Tensor {
    if (x.ndim < 3) throw new ShapeError(`${this.name}: needs inputs [batch, steps, ...], got ${formatShape(x.shape)}`);
    const [batch, steps] = x.shape;
    const folded = x.reshape([batch * steps, ...x.shape.slice(2)]);
    const y = this.layer.call(folded, training);
    folded.dispose();
    const out = y.reshape([batch, steps, ...y.shape.slice(1)]);
    y.dispose();
    return out;
  }
}
