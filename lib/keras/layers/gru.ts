/**
 * keras.layers.gru: Keras 3's GRU on [batch, timesteps, features] inputs, over the engine's GRU
 * (batch-first, one layer). Weights are Keras's: kernel [I, 3U], recurrent_kernel [U, 3U] and
 * bias [2, 3U] (resetAfter, the default) or [3U], gates z, r, h (Note [GRU gate orders]).
 */
import { checkInteger, checkOptions, optionalBoolean } from '../../arguments';
import { noGrad } from '../../autograd/grad-mode';
import { ArgumentError, ShapeError } from '../../errors';
import { describe, formatShape } from '../../format';
import { GRU as GruModule } from '../../nn/gru';
import { checkGruActivation, type GRUActivation } from '../../nn/gru-options';
import { fillInPlace, copyInPlace } from '../../ops/inplace';
import { indexSelect } from '../../ops/indexing';
import { permute } from '../../ops/layout';
import { Tensor } from '../../tensor';
import { kerasGruToPytorch, pytorchGruToKeras } from '../../weights/gru-gates';
import { checkInitializer, initialize, type InitializerName } from '../initializers';
import { LAYER_OPTIONS, Layer, type KerasWeight, type LayerOptions, type Placement } from './layer';
import { checkWeightCount, checkWeightShape } from './weights';

export interface GRULayerOptions extends LayerOptions {
  units: number;
  /** Default 'tanh'. */
  activation?: GRUActivation;
  /** Default 'sigmoid' (Keras 3; TF.js's default is its own 'hardSigmoidTfjs' here). */
  recurrentActivation?: GRUActivation;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  recurrentInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  /** Default true (Keras 3); false is TF.js's and Keras 2's form. */
  resetAfter?: boolean;
  returnSequences?: boolean;
  goBackwards?: boolean;
  /** Accepted for Keras compatibility; the GRU always runs as one native call. */
  unroll?: boolean;
  dropout?: number;
  recurrentDropout?: number;
}

const GRU_LAYER_OPTIONS = [...LAYER_OPTIONS, 'units', 'activation', 'recurrentActivation', 'useBias', 'kernelInitializer', 'recurrentInitializer',
  'biasInitializer', 'resetAfter', 'returnSequences', 'goBackwards', 'unroll', 'dropout', 'recurrentDropout'] as const;

export class GRU extends Layer {
  readonly units: number;
  readonly activation: GRUActivation;
  readonly recurrentActivation: GRUActivation;
  readonly useBias: boolean;
  readonly resetAfter: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  private readonly initializers: { kernel: InitializerName; recurrent: InitializerName; bias: InitializerName };
  private gru: GruModule | null = null;
  /** 2 inside keras.layers.bidirectional: one engine GRU runs both directions. */
  private directions = 1;

  constructor(options: GRULayerOptions) {
    const o = checkOptions(options, GRU_LAYER_OPTIONS, 'gru options');
    super(o, 'gru', 'GRU');
    const where = 'gru options';
    this.units = checkInteger(o.units, `${where}.units`, 1);
    this.activation = checkGruActivation(o.activation, `${where}.activation`, 'tanh');
    this.recurrentActivation = checkGruActivation(o.recurrentActivation, `${where}.recurrentActivation`, 'sigmoid');
    this.useBias = optionalBoolean(o.useBias, true, `${where}.useBias`);
    this.resetAfter = optionalBoolean(o.resetAfter, true, `${where}.resetAfter`);
    this.returnSequences = optionalBoolean(o.returnSequences, false, `${where}.returnSequences`);
    this.goBackwards = optionalBoolean(o.goBackwards, false, `${where}.goBackwards`);
    optionalBoolean(o.unroll, false, `${where}.unroll`);
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      if (o[key] !== undefined && o[key] !== 0) throw new ArgumentError(`${where}.${key}: Keras's variational GRU dropout is not implemented yet; got ${describe(o[key])}`);
    }
    this.initializers = {
      kernel: checkInitializer(o.kernelInitializer, `${where}.kernelInitializer`, 'glorotUniform'),
      recurrent: checkInitializer(o.recurrentInitializer, `${where}.recurrentInitializer`, 'orthogonal'),
      bias: checkInitializer(o.biasInitializer, `${where}.biasInitializer`, 'zeros'),
    };
  }

  get module(): GruModule | null {
    return this.gru;
  }

  /** @internal Makes this GRU run both directions (keras.layers.bidirectional); before it is built. */
  useBothDirections(): void {
    if (this.built || this.gru) throw new ArgumentError(`${this.name}: a GRU wrapped by bidirectional must not be built or used already`);
    if (this.goBackwards) throw new ArgumentError(`${this.name}: bidirectional runs the reverse direction itself; the wrapped GRU must not set goBackwards`);
    this.directions = 2;
  }

  /** The engine's parameter names of each direction: '' and '_reverse' (Keras's forward and backward layers). */
  private suffixes(): string[] {
    return this.directions === 2 ? ['_l0', '_l0_reverse'] : ['_l0'];
  }

  protected buildWeights(inputShape: number[], p: Placement): void {
    if (inputShape.length !== 2) throw new ShapeError(`${this.name}: a GRU needs inputs [batch, timesteps, features], got [batch, ${inputShape.join(', ')}]`);
    const inputSize = inputShape[1], U = this.units;
    const gru = new GruModule({
      inputSize, hiddenSize: U, batchFirst: true, bias: this.useBias, resetAfter: this.resetAfter, bidirectional: this.directions === 2,
      activation: this.activation, recurrentActivation: this.recurrentActivation, dtype: p.dtype, device: p.device, generator: p.generator,
    });
    this.gru = gru;
    const draw = (name: InitializerName, shape: number[]) => initialize(name, shape, p);
    // Each direction draws its own weights, as Keras's forward and backward layers do.
    const weights = this.suffixes().flatMap(() => {
      const own = [draw(this.initializers.kernel, [inputSize, 3 * U]), draw(this.initializers.recurrent, [U, 3 * U])];
      if (this.useBias) own.push(draw(this.initializers.bias, this.resetAfter ? [2, 3 * U] : [3 * U]));
      return own;
    });
    try {
      this.setWeights(weights);
    } finally {
      for (const t of weights) t.dispose();
    }
    // Keras's reset-before GRU has one bias; bias_hh stays zero and out of training.
    if (this.useBias && !this.resetAfter) {
      const named = new Map(gru.namedParameters());
      for (const suffix of this.suffixes()) named.get(`bias_hh${suffix}`)!.requiresGrad = false;
    }
  }

  outputShape(inputShape: number[]): number[] {
    const width = this.directions * this.units;
    return this.returnSequences ? [inputShape[0], width] : [width];
  }

  call(x: Tensor): Tensor {
    this.requireBuilt('call');
    if (x.ndim !== 3 || x.shape[2] !== this.inputShape![1]) {
      throw new ShapeError(`${this.name}: expected inputs [batch, timesteps, ${this.inputShape![1]}], got ${formatShape(x.shape)}`);
    }
    let input = x;
    if (this.goBackwards) {
      const T = x.shape[1];
      const reversed = Tensor.from(Int32Array.from({ length: T }, (_, i) => T - 1 - i), [T], { dtype: 'int32', device: x.device });
      input = indexSelect(x, 1, reversed);
      reversed.dispose();
    }
    const { output, hN } = this.gru!.forward(input);
    if (input !== x) input.dispose();
    if (this.returnSequences) {
      hN.dispose();
      return output;
    }
    output.dispose();
    // hN is [directions, batch, units]: each row's states side by side, forward first.
    const rows = this.directions === 2 ? permute(hN, [1, 0, 2]) : hN;
    const last = rows.reshape([x.shape[0], this.directions * this.units]);
    if (rows !== hN) rows.dispose();
    hN.dispose();
    return last;
  }

  private named(): Map<string, Tensor> {
    return new Map(this.gru!.namedParameters());
  }

  getWeights(): KerasWeight[] {
    this.requireBuilt('getWeights');
    const p = this.named();
    return this.suffixes().flatMap((s) => {
      const k = pytorchGruToKeras({ weightIh: p.get(`weight_ih${s}`)!, weightHh: p.get(`weight_hh${s}`)!, biasIh: p.get(`bias_ih${s}`),
        biasHh: p.get(`bias_hh${s}`) }, this.resetAfter);
      const out: KerasWeight[] = [{ name: 'kernel', tensor: k.kernel }, { name: 'recurrent_kernel', tensor: k.recurrentKernel }];
      if (k.bias) out.push({ name: 'bias', tensor: k.bias });
      return out;
    });
  }

  setWeights(weights: readonly Tensor[]): void {
    if (!this.gru) throw new ArgumentError(`${this.name}.setWeights: the layer is not built yet (give the model an inputShape, or call it once)`);
    const U = this.units, I = this.gru.inputSize;
    const per = this.useBias ? 3 : 2;
    checkWeightCount(this, weights, per * this.directions);
    const p = this.named();
    this.suffixes().forEach((suffix, d) => {
      const [kernel, recurrentKernel, bias] = weights.slice(d * per, d * per + per);
      checkWeightShape(this, 'kernel', kernel, [I, 3 * U]);
      checkWeightShape(this, 'recurrent_kernel', recurrentKernel, [U, 3 * U]);
      if (this.useBias) checkWeightShape(this, 'bias', bias, this.resetAfter ? [2, 3 * U] : [3 * U]);
    });
    this.suffixes().forEach((suffix, d) => {
      const [kernel, recurrentKernel, bias] = weights.slice(d * per, d * per + per);
      const t = kerasGruToPytorch({ kernel, recurrentKernel, bias: this.useBias ? bias : null }, this.resetAfter);
      noGrad(() => {
        copyInPlace(p.get(`weight_ih${suffix}`)!, t.weightIh);
        copyInPlace(p.get(`weight_hh${suffix}`)!, t.weightHh);
        if (t.biasIh && t.biasHh) {
          copyInPlace(p.get(`bias_ih${suffix}`)!, t.biasIh);
          if (this.resetAfter) copyInPlace(p.get(`bias_hh${suffix}`)!, t.biasHh);
          else fillInPlace(p.get(`bias_hh${suffix}`)!, 0);
        }
      });
      for (const x of [t.weightIh, t.weightHh, t.biasIh, t.biasHh]) x?.dispose();
    });
  }

  countParams(): number {
    this.requireBuilt('countParams');
    const U = this.units, I = this.gru!.inputSize;
    return this.directions * (3 * (I * U + U * U) + (this.useBias ? (this.resetAfter ? 6 : 3) * U : 0));
  }
}
