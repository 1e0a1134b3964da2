/**
 * keras.layers.masking({ maskValue = 0 }): marks the steps of [batch, steps, features] inputs whose
 * features all equal maskValue as padding, and zeroes them (Keras's Masking).
 */
import { checkOptions } from '../../arguments';
import { ArgumentError, ShapeError } from '../../errors';
import { describe, formatShape } from '../../format';
import { noGrad } from '../../autograd/grad-mode';
import { mul, ne } from '../../ops/arithmetic';
import { max } from '../../ops/reduce';
import { scope } from '../../scope';
import type { Tensor } from '../../tensor';
import { Mask } from '../mask';
import { LAYER_OPTIONS, WeightlessLayer, type LayerOptions } from './layer';

export interface MaskingOptions extends LayerOptions {
  maskValue?: number;
}

export class Masking extends WeightlessLayer {
  readonly maskValue: number;

  constructor(options: MaskingOptions = {}) {
    const o = checkOptions(options, [...LAYER_OPTIONS, 'maskValue'], 'masking options');
    super(o, 'masking', 'Masking');
    const v = o.maskValue ?? 0;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ArgumentError(`masking options.maskValue must be a number, got ${describe(v)}`);
    this.maskValue = v;
  }

  /** 1 where some feature of the step differs from maskValue, as [batch, steps, 1]. */
  private stepIsReal(x: Tensor): Tensor {
    if (x.ndim !== 3) throw new ShapeError(`${this.name}: needs inputs [batch, steps, features], got ${formatShape(x.shape)}`);
    return noGrad(() => scope(() => max(ne(x, this.maskValue), -1, { keepDim: true }).values));
  }

  call(x: Tensor): Tensor {
    const real = this.stepIsReal(x);
    try {
      return mul(x, real);
    } finally {
      real.dispose();
    }
  }

  override computeMask(x: Tensor): Mask {
    const real = this.stepIsReal(x);
    try {
      return Mask.fromValues(real.dataSync(), x.shape[0], x.shape[1]);
    } finally {
      real.dispose();
    }
  }
}
