/**
 * keras.layers.bidirectional({ layer: keras.layers.gru({...}), mergeMode }): the GRU forward and
 * backward, the backward outputs aligned back in time as Keras does, merged by 'concat' (default,
 * forward first), 'sum', 'mul' or 'ave'. One engine GRU runs both directions; weights are the
 * forward layer's then the backward layer's, in Keras's layout.
 */
import { checkOptions } from '../../arguments';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { add, mul, scale } from '../../ops/arithmetic';
import { narrow } from '../../ops/views';
import { scope } from '../../scope';
import type { Tensor } from '../../tensor';
import type { Mask } from '../mask';
import { GRU } from './gru';
import { LAYER_OPTIONS, type LayerOptions, type Placement, type Shape } from './layer';
import { Wrapper } from './wrapper';

export const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'] as const;
export type MergeMode = (typeof MERGE_MODES)[number];

export interface BidirectionalOptions extends LayerOptions {
  layer: GRU;
  mergeMode?: MergeMode;
}

export class Bidirectional extends Wrapper<GRU> {
  readonly mergeMode: MergeMode;

  constructor(options: BidirectionalOptions) {
    const o = checkOptions(options, [...LAYER_OPTIONS, 'layer', 'mergeMode'], 'bidirectional options');
    if (!(o.layer instanceof GRU)) throw new ArgumentError(`bidirectional options.layer must be a keras.layers.gru, got ${describe(o.layer)}`);
    // The wrapper takes the input shape (Keras: given to it or to the wrapped layer).
    super({ ...o, inputShape: o.inputShape ?? o.layer.declaredInputShape ?? undefined }, 'bidirectional', 'Bidirectional', o.layer);
    const mode = o.mergeMode ?? 'concat';
    if (!(MERGE_MODES as readonly string[]).includes(mode)) throw new ArgumentError(`bidirectional options.mergeMode must be one of ${MERGE_MODES.map((m) => `'${m}'`).join(', ')}, got ${describe(mode)}`);
    this.mergeMode = mode;
    o.layer.useBothDirections();
  }

  protected buildWeights(inputShape: Shape, p: Placement): void {
    this.layer.build(inputShape, p);
  }

  outputShape(inputShape: Shape): Shape {
    const both = this.layer.outputShape(inputShape);
    if (this.mergeMode === 'concat') return both;
    return [...both.slice(0, -1), this.layer.units];
  }

  override computeMask(x: Tensor, mask: Mask | null): Mask | null {
    return this.layer.computeMask(x, mask);
  }

  call(x: Tensor, training = false, mask: Mask | null = null): Tensor {
    const both = this.layer.call(x, training, mask);
    if (this.mergeMode === 'concat') return both;
    const units = this.layer.units, last = both.ndim - 1;
    try {
      return scope(() => {
        const forward = narrow(both, last, 0, units), backward = narrow(both, last, units, units);
        switch (this.mergeMode) {
          case 'sum': return add(forward, backward);
          case 'mul': return mul(forward, backward);
          default: return scale(add(forward, backward), 0.5);
        }
      });
    } finally {
      both.dispose();
    }
  }
}
