/** keras.layers.dense: units, activation, useBias, initializers; on inputs [..., in] like Keras. */
import { checkInteger, checkOptions, optionalBoolean } from '../../arguments';
import { noGrad } from '../../autograd/grad-mode';
import { ShapeError } from '../../errors';
import { formatShape } from '../../format';
import { Linear } from '../../nn/linear';
import { copyInPlace } from '../../ops/inplace';
import { transpose } from '../../ops/layout';
import type { Tensor } from '../../tensor';
import { checkInitializer, initialize, type InitializerName } from '../initializers';
import { checkRegularizer, type Regularizer } from '../regularizers';
import { applyActivation, checkDenseActivation, type DenseActivation } from './activation';
import { LAYER_OPTIONS, Layer, type KerasWeight, type LayerOptions, type Placement, type Shape } from './layer';
import { checkWeightCount, checkWeightShape } from './weights';

export interface DenseOptions extends LayerOptions {
  units: number;
  activation?: DenseActivation;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  kernelRegularizer?: Regularizer | string;
  biasRegularizer?: Regularizer | string;
}

const DENSE_OPTIONS = [...LAYER_OPTIONS, 'units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'] as const;

export class Dense extends Layer {
  readonly units: number;
  readonly activation: DenseActivation;
  readonly useBias: boolean;
  private readonly kernelInitializer: InitializerName;
  private readonly biasInitializer: InitializerName;
  readonly regularizers: { kernel: Regularizer | null; bias: Regularizer | null };
  private linear: Linear | null = null;

  constructor(options: DenseOptions) {
    const o = checkOptions(options, DENSE_OPTIONS, 'dense options');
    super(o, 'dense', 'Dense');
    this.units = checkInteger(o.units, 'dense options.units', 1);
    this.activation = checkDenseActivation(o.activation, 'dense options.activation');
    this.useBias = optionalBoolean(o.useBias, true, 'dense options.useBias');
    this.kernelInitializer = checkInitializer(o.kernelInitializer, 'dense options.kernelInitializer', 'glorotUniform');
    this.biasInitializer = checkInitializer(o.biasInitializer, 'dense options.biasInitializer', 'zeros');
    this.regularizers = { kernel: checkRegularizer(o.kernelRegularizer, 'dense options.kernelRegularizer'), bias: checkRegularizer(o.biasRegularizer, 'dense options.biasRegularizer') };
  }

  protected override regularized(): { regularizer: Regularizer; weights: Tensor[] }[] {
    const out: { regularizer: Regularizer; weights: Tensor[] }[] = [];
    if (!this.linear) return out;
    if (this.regularizers.kernel) out.push({ regularizer: this.regularizers.kernel, weights: [this.linear.weight] });
    if (this.regularizers.bias && this.linear.bias) out.push({ regularizer: this.regularizers.bias, weights: [this.linear.bias] });
    return out;
  }

  get module(): Linear | null {
    return this.linear;
  }

  protected buildWeights(inputShape: Shape, p: Placement): void {
    const inFeatures = this.knownSize(inputShape, inputShape.length - 1, 'last');
    const linear = new Linear({ inFeatures, outFeatures: this.units, bias: this.useBias, dtype: p.dtype, device: p.device, generator: p.generator });
    // Keras's initial values, drawn in Keras's [in, units] layout.
    noGrad(() => {
      const kernel = initialize(this.kernelInitializer, [inFeatures, this.units], p);
      const weight = transpose(kernel, 0, 1);
      copyInPlace(linear.weight, weight);
      for (const t of [kernel, weight]) t.dispose();
      if (linear.bias) {
        const bias = initialize(this.biasInitializer, [this.units], p);
        copyInPlace(linear.bias, bias);
        bias.dispose();
      }
    });
    this.linear = linear;
  }

  outputShape(inputShape: Shape): Shape {
    return [...inputShape.slice(0, -1), this.units];
  }

  call(x: Tensor): Tensor {
    this.requireBuilt('call');
    const inFeatures = this.inputShape![this.inputShape!.length - 1];
    if (x.shape[x.ndim - 1] !== inFeatures) {
      throw new ShapeError(`${this.name}: expected inputs [..., ${inFeatures}], got ${formatShape(x.shape)}`);
    }
    const y = this.linear!.forward(x);
    if (this.activation === 'linear') return y;
    const out = applyActivation(this.activation, y);
    y.dispose();
    return out;
  }

  getWeights(): KerasWeight[] {
    this.requireBuilt('getWeights');
    const out: KerasWeight[] = [{ name: 'kernel', tensor: noGrad(() => transpose(this.linear!.weight, 0, 1)) }];
    // Copies, not views: a caller keeping them (earlyStopping's best weights) must not see later steps.
    if (this.linear!.bias) out.push({ name: 'bias', tensor: noGrad(() => this.linear!.bias!.mul(1)) });
    return out;
  }

  setWeights(weights: readonly Tensor[]): void {
    this.requireBuilt('setWeights');
    const inFeatures = this.linear!.inFeatures;
    checkWeightCount(this, weights, this.useBias ? 2 : 1);
    checkWeightShape(this, 'kernel', weights[0], [inFeatures, this.units]);
    if (this.useBias) checkWeightShape(this, 'bias', weights[1], [this.units]);
    noGrad(() => {
      const weight = transpose(weights[0], 0, 1);
      copyInPlace(this.linear!.weight, weight);
      weight.dispose();
      if (this.useBias) copyInPlace(this.linear!.bias!, weights[1]);
    });
  }

  countParams(): number {
    this.requireBuilt('countParams');
    return this.linear!.inFeatures * this.units + (this.useBias ? this.units : 0);
  }
}
