/**
 * keras.layers.gru: Keras 3's GRU on [batch, timesteps, features] inputs, over the engine's GRU
 * (batch-first, one layer). Weights are Keras's: kernel [I, 3U], recurrent_kernel [U, 3U] and
 * bias [2, 3U] (resetAfter, the default) or [3U], gates z, r, h (Note [GRU gate orders]).
 *
 * The engine GRU runs whatever it can (every form, on every device): right-padded masks become
 * its lengths, input dropout is one mask per sequence applied before it (Keras's implementation
 * 2). The step-by-step loop (lib/ops/gru-loop.ts) runs the rest: recurrent dropout while
 * training, and masks with holes.
 */
import { checkInteger, checkOptions, optionalBoolean } from '../../arguments';
import { noGrad } from '../../autograd/grad-mode';
import { checkTensor } from '../../checks';
import { ArgumentError, ShapeError } from '../../errors';
import { describe, formatShape } from '../../format';
import { GRU as GruModule } from '../../nn/gru';
import { checkGruActivation, type GRUActivation } from '../../nn/gru-options';
import { add, mul, sub } from '../../ops/arithmetic';
import { checkProbability, dropout as dropoutOp } from '../../ops/dropout';
import { gruLoop, type LoopWeights } from '../../ops/gru-loop';
import { fillInPlace, copyInPlace } from '../../ops/inplace';
import { cat, permute, stack } from '../../ops/layout';
import { gatherSteps, reverseSteps } from '../../ops/sequence-steps';
import { defaultGenerator, type Generator } from '../../random';
import { keep, scope } from '../../scope';
import { Tensor } from '../../tensor';
import { kerasGruToPytorch, pytorchGruToKeras } from '../../weights/gru-gates';
import { checkInitializer, initialize, type InitializerName } from '../initializers';
import { checkRegularizer, type Regularizer } from '../regularizers';
import type { Mask } from '../mask';
import { SymbolicTensor } from '../symbolic';
import { LAYER_OPTIONS, Layer, formatDims, type KerasWeight, type LayerOptions, type Placement, type Shape } from './layer';
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
  kernelRegularizer?: Regularizer | string;
  recurrentRegularizer?: Regularizer | string;
  biasRegularizer?: Regularizer | string;
  /** Default true (Keras 3); false is TF.js's and Keras 2's form. */
  resetAfter?: boolean;
  returnSequences?: boolean;
  /** apply() then returns [output, state] (one state per direction). */
  returnState?: boolean;
  goBackwards?: boolean;
  /** Each batch starts from the last state of the batch before (same batch size); resetStates() zeroes it. */
  stateful?: boolean;
  /** Accepted for Keras compatibility; the GRU always runs as one native call. */
  unroll?: boolean;
  /** Fraction of the input features dropped in training, one mask per sequence. */
  dropout?: number;
  /** Fraction of the state dropped in training, one mask per sequence and gate. */
  recurrentDropout?: number;
}

const GRU_LAYER_OPTIONS = [...LAYER_OPTIONS, 'units', 'activation', 'recurrentActivation', 'useBias', 'kernelInitializer', 'recurrentInitializer',
  'biasInitializer', 'kernelRegularizer', 'recurrentRegularizer', 'biasRegularizer', 'resetAfter', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'dropout', 'recurrentDropout'] as const;

export interface GRUApplyOptions {
  /** Dropout on (default false). */
  training?: boolean;
  mask?: Mask | null;
  /** The initial state: [batch, units], or one per direction. */
  initialState?: Tensor | Tensor[];
}

/** What one run gives: the layer's output and each direction's last state [batch, units]. */
interface RunResult {
  output: Tensor;
  states: Tensor[];
}

export class GRU extends Layer {
  readonly units: number;
  readonly activation: GRUActivation;
  readonly recurrentActivation: GRUActivation;
  readonly useBias: boolean;
  readonly resetAfter: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  private readonly initializers: { kernel: InitializerName; recurrent: InitializerName; bias: InitializerName };
  readonly regularizers: { kernel: Regularizer | null; recurrent: Regularizer | null; bias: Regularizer | null };
  private gru: GruModule | null = null;
  private generator: Generator | null = null;
  /** The stateful layer's state [directions, batch, units], off the tape. */
  private states: Tensor | null = null;
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
    this.returnState = optionalBoolean(o.returnState, false, `${where}.returnState`);
    this.goBackwards = optionalBoolean(o.goBackwards, false, `${where}.goBackwards`);
    this.stateful = optionalBoolean(o.stateful, false, `${where}.stateful`);
    optionalBoolean(o.unroll, false, `${where}.unroll`);
    this.dropout = o.dropout === undefined ? 0 : checkRate(o.dropout, `${where}.dropout`);
    this.recurrentDropout = o.recurrentDropout === undefined ? 0 : checkRate(o.recurrentDropout, `${where}.recurrentDropout`);
    this.initializers = {
      kernel: checkInitializer(o.kernelInitializer, `${where}.kernelInitializer`, 'glorotUniform'),
      recurrent: checkInitializer(o.recurrentInitializer, `${where}.recurrentInitializer`, 'orthogonal'),
      bias: checkInitializer(o.biasInitializer, `${where}.biasInitializer`, 'zeros'),
    };
    this.regularizers = {
      kernel: checkRegularizer(o.kernelRegularizer, `${where}.kernelRegularizer`),
      recurrent: checkRegularizer(o.recurrentRegularizer, `${where}.recurrentRegularizer`),
      bias: checkRegularizer(o.biasRegularizer, `${where}.biasRegularizer`),
    };
  }

  protected override regularized(): { regularizer: Regularizer; weights: Tensor[] }[] {
    if (!this.gru) return [];
    const p = this.named();
    const of = (name: string) => this.suffixes().map((s) => p.get(`${name}${s}`)).filter((t): t is Tensor => t !== undefined);
    // Keras's reset-before bias is bias_ih alone (bias_hh stays zero).
    const bias = this.resetAfter ? [...of('bias_ih'), ...of('bias_hh')] : of('bias_ih');
    const out: { regularizer: Regularizer; weights: Tensor[] }[] = [];
    if (this.regularizers.kernel) out.push({ regularizer: this.regularizers.kernel, weights: of('weight_ih') });
    if (this.regularizers.recurrent) out.push({ regularizer: this.regularizers.recurrent, weights: of('weight_hh') });
    if (this.regularizers.bias && bias.length > 0) out.push({ regularizer: this.regularizers.bias, weights: bias });
    return out;
  }

  get module(): GruModule | null {
    return this.gru;
  }

  /** @internal Makes this GRU run both directions (keras.layers.bidirectional); before it is built. */
  useBothDirections(): void {
    if (this.built || this.gru) throw new ArgumentError(`${this.name}: a GRU wrapped by bidirectional must not be built or used already`);
    if (this.goBackwards) throw new ArgumentError(`${this.name}: bidirectional runs the reverse direction itself; the wrapped GRU must not set goBackwards`);
    if (this.returnState) throw new ArgumentError(`${this.name}: bidirectional gives one output; the wrapped GRU must not set returnState`);
    this.directions = 2;
  }

  /** The engine's parameter names of each direction: '' and '_reverse' (Keras's forward and backward layers). */
  private suffixes(): string[] {
    return this.directions === 2 ? ['_l0', '_l0_reverse'] : ['_l0'];
  }

  protected buildWeights(inputShape: Shape, p: Placement): void {
    if (inputShape.length !== 2) throw new ShapeError(`${this.name}: a GRU needs inputs [batch, timesteps, features], got [batch, ${formatDims(inputShape)}]`);
    const inputSize = this.knownSize(inputShape, 1, 'features'), U = this.units;
    const gru = new GruModule({
      inputSize, hiddenSize: U, batchFirst: true, bias: this.useBias, bidirectional: this.directions === 2, resetAfter: this.resetAfter,
      activation: this.activation, recurrentActivation: this.recurrentActivation, dtype: p.dtype, device: p.device, generator: p.generator,
    });
    this.gru = gru;
    this.generator = p.generator;
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

  outputShape(inputShape: Shape): Shape {
    const width = this.directions * this.units;
    return this.returnSequences ? [inputShape[0], width] : [width];
  }

  override computeMask(_x: Tensor, mask: Mask | null): Mask | null {
    return this.returnSequences ? mask : null;
  }

  call(x: Tensor, training = false, mask: Mask | null = null): Tensor {
    const { output, states } = this.run(x, training, mask, null);
    for (const s of states) s.dispose();
    return output;
  }

  /**
   * The layer on `x` with an initial state, as Keras's layer(x, initial_state=..., mask=...):
   * the output, or [output, ...states] with returnState.
   */
  override apply(x: Tensor, options?: GRUApplyOptions): Tensor | Tensor[];
  override apply(x: SymbolicTensor): SymbolicTensor;
  override apply(x: Tensor | SymbolicTensor, options: GRUApplyOptions = {}): Tensor | Tensor[] | SymbolicTensor {
    if (x instanceof SymbolicTensor) {
      if (this.returnState) throw new ArgumentError(`${this.name}: keras.model() takes chains of one-output layers; a GRU with returnState gives two`);
      return this.applySymbolic(x);
    }
    const o = checkOptions(options, ['training', 'mask', 'initialState'], `${this.name}.apply options`);
    // A layer used on its own builds at its first call, as in Keras.
    if (!this.built) {
      checkTensor(x, `${this.name}: input`);
      if (x.dtype === 'int32') throw new ArgumentError(`${this.name}: expected float inputs, got int32`);
      this.build(x.shape.slice(1), { dtype: x.dtype, device: x.device, generator: defaultGenerator });
    }
    const training = optionalBoolean(o.training, false, `${this.name}.apply options.training`);
    const { output, states } = this.run(x, training, o.mask ?? null, o.initialState ?? null);
    if (this.returnState) return [output, ...states];
    for (const s of states) s.dispose();
    return output;
  }

  /** Zeroes a stateful layer's state, or sets it to `states` ([batch, units], one per direction). */
  resetStates(states?: Tensor | Tensor[]): void {
    if (!this.stateful) throw new ArgumentError(`${this.name}.resetStates: the layer is not stateful`);
    if (states === undefined) {
      this.states?.dispose();
      this.states = null;
      return;
    }
    const next = this.initialStates(states, states instanceof Tensor ? states.shape[0] : (states[0]?.shape[0] ?? 0), `${this.name}.resetStates: states`);
    this.states?.dispose();
    this.states = keep(noGrad(() => next.mul(1)));
    next.dispose();
  }

  /** The initial state as [directions, batch, units], checked. */
  private initialStates(value: Tensor | Tensor[], batch: number, where: string): Tensor {
    const list = value instanceof Tensor ? [value] : value;
    if (!Array.isArray(list) || list.length !== this.directions) {
      throw new ArgumentError(`${where} must be ${this.directions === 1 ? 'a tensor [batch, units]' : `${this.directions} tensors [batch, units]`}, got ${describe(value)}`);
    }
    for (const [i, s] of list.entries()) {
      checkTensor(s, `${where}[${i}]`);
      if (s.ndim !== 2 || s.shape[0] !== batch || s.shape[1] !== this.units || s.dtype !== this.gru!.dtype || s.device !== this.gru!.device) {
        throw new ShapeError(`${where}[${i}] must be a ${this.gru!.dtype} tensor [${batch}, ${this.units}] on ${this.gru!.device}, got ${s.dtype} ${formatShape(s.shape)} on ${s.device}`);
      }
    }
    return stack(list, 0);
  }

  private run(x: Tensor, training: boolean, mask: Mask | null, initialState: Tensor | Tensor[] | null): RunResult {
    this.requireBuilt('call');
    checkTensor(x, `${this.name}: input`);
    if (x.ndim !== 3 || x.shape[2] !== this.inputShape![1]) {
      throw new ShapeError(`${this.name}: expected inputs [batch, timesteps, ${this.inputShape![1]}], got ${formatShape(x.shape)}`);
    }
    mask?.checkFits(x, this.name);
    const batch = x.shape[0];
    let h0 = initialState === null ? null : this.initialStates(initialState, batch, `${this.name}: initialState`);
    if (h0 === null && this.stateful && this.states) {
      if (this.states.shape[1] !== batch) {
        throw new ShapeError(`${this.name}: a stateful GRU keeps its batch size (${this.states.shape[1]}); got a batch of ${batch} (resetStates() to start over)`);
      }
      h0 = this.states.detach();
    }
    const padded = mask !== null && !mask.full ? mask : null;
    const lengths = padded?.rightPaddedLengths() ?? null;
    const loop = (padded !== null && lengths === null) || (training && this.recurrentDropout > 0)
      // One engine GRU would share one input mask between the directions, which Keras draws apart.
      || (training && this.dropout > 0 && this.directions === 2);
    try {
      const { output, last } = loop ? this.runLoop(x, training, padded, h0) : this.runFused(x, training, padded, lengths, h0);
      const states = this.suffixes().map((_, d) => last.select(0, d));
      if (this.stateful) {
        this.states?.dispose();
        this.states = keep(noGrad(() => last.mul(1)));
      }
      last.dispose();
      return { output, states };
    } finally {
      h0?.dispose();
    }
  }

  /** The engine GRU; returns the layer's output and the last states [directions, batch, units]. */
  private runFused(x: Tensor, training: boolean, mask: Mask | null, lengths: Int32Array | null, h0: Tensor | null): { output: Tensor; last: Tensor } {
    const [batch, steps] = x.shape;
    return scope(() => {
      let input = training && this.dropout > 0 ? mul(x, this.dropoutMask([batch, 1, x.shape[2]], this.dropout)) : x;
      if (this.goBackwards) input = reverseSteps(input, lengths);
      // The engine needs a step in every row; rows without one are put right below.
      const emptyRows = lengths?.some((l) => l === 0) ?? false;
      const engineLengths = lengths ? lengths.map((l) => Math.max(l, 1)) : undefined;
      const engine = this.gru!.forward(input, { h0: h0 ?? undefined, lengths: engineLengths });
      let output: Tensor = engine.output, hN: Tensor = engine.hN;
      if (emptyRows) {
        const real = mask!.toTensor(x.dtype as 'float32', x.device);
        output = mul(output, real.reshape([batch, steps, 1]));
        const any = Tensor.from(Float64Array.from(lengths!, (l) => (l > 0 ? 1 : 0)), [1, batch, 1], { dtype: x.dtype as 'float32', device: x.device });
        const start = h0 ?? Tensor.zeros(hN.shape, { dtype: hN.dtype, device: hN.device });
        hN = add(start, mul(any, sub(hN, start)));
      }
      if (!this.returnSequences) return { output: lastOutput(hN, batch, this.directions, this.units), last: hN };
      // Keras returns a backward GRU's steps in its own (reversed) order, the masked ones first.
      if (this.goBackwards && lengths) output = alignReversedOutputs(output, lengths);
      // Keras's masked steps repeat the last output; the engine's are zeros, which is what Keras 3's
      // Bidirectional asks of both its GRUs (zero_output_for_mask = return_sequences).
      else if (lengths && this.directions === 1) output = repeatLastReal(output, lengths);
      return { output, last: hN };
    });
  }

  /** The step loop, direction by direction; same results as runFused. */
  private runLoop(x: Tensor, training: boolean, mask: Mask | null, h0: Tensor | null): { output: Tensor; last: Tensor } {
    const [batch, , features] = x.shape;
    const U = this.units;
    const p = this.named();
    return scope(() => {
      const stepMask = mask ? mask.toTensor(x.dtype as 'float32', x.device) : null;
      const outputs: Tensor[] = [], lasts: Tensor[] = [];
      this.suffixes().forEach((suffix, d) => {
        const reverse = d === 1 || this.goBackwards;
        let input = reverse ? reverseSteps(x, null) : x;
        const steps = stepMask && reverse ? reverseSteps(stepMask, null) : stepMask;
        // Keras's implementation 1 (recurrent dropout) draws a mask per gate, implementation 2 one in all.
        const perGate = this.recurrentDropout > 0;
        let inputMasks: [Tensor, Tensor, Tensor] | null = null;
        if (training && this.dropout > 0) {
          if (perGate) inputMasks = [0, 1, 2].map(() => this.dropoutMask([batch, features], this.dropout)) as [Tensor, Tensor, Tensor];
          else input = mul(input, this.dropoutMask([batch, 1, features], this.dropout));
        }
        const stateMasks = training && perGate ? [0, 1, 2].map(() => this.dropoutMask([batch, U], this.recurrentDropout)) as [Tensor, Tensor, Tensor] : null;
        const weights: LoopWeights = { weightIh: p.get(`weight_ih${suffix}`)!, weightHh: p.get(`weight_hh${suffix}`)!,
          biasIh: p.get(`bias_ih${suffix}`) ?? null, biasHh: p.get(`bias_hh${suffix}`) ?? null };
        const start = h0 ? h0.select(0, d) : Tensor.zeros([batch, U], { dtype: x.dtype, device: x.device });
        const { output, last } = gruLoop(input, weights, { activation: this.activation, recurrentActivation: this.recurrentActivation,
          resetAfter: this.resetAfter, h0: start, inputMasks, stateMasks, stepMask: steps,
          // Keras 3's Bidirectional sets zero_output_for_mask on both its layers when returning sequences.
          maskedOutput: this.directions === 2 ? 'zero' : 'previous' });
        // Bidirectional aligns the backward steps back in time.
        outputs.push(d === 1 && this.returnSequences ? reverseSteps(output, null) : output);
        lasts.push(last);
      });
      const last = stack(lasts, 0);
      if (!this.returnSequences) return { output: lastOutput(last, batch, this.directions, U), last };
      return { output: outputs.length === 1 ? outputs[0] : cat(outputs, 2), last };
    });
  }

  /** Keras's dropout mask: kept entries scaled by 1 / (1 - rate). */
  private dropoutMask(shape: number[], rate: number): Tensor {
    const ones = Tensor.ones(shape, { dtype: this.gru!.dtype, device: this.gru!.device });
    try {
      return dropoutOp(ones, rate, true, this.generator ?? undefined);
    } finally {
      ones.dispose();
    }
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

function checkRate(value: unknown, argument: string): number {
  const rate = checkProbability(value, argument);
  if (rate === 1) throw new ArgumentError(`${argument} must be below 1 (1 drops everything), got 1`);
  return rate;
}

/** Each direction's last state side by side, forward first: [batch, directions * units]. */
function lastOutput(last: Tensor, batch: number, directions: number, units: number): Tensor {
  const rows = directions === 2 ? permute(last, [1, 0, 2]) : last;
  return rows.reshape([batch, directions * units]);
}

/**
 * The outputs of a per-row reversed run moved to where Keras's backward run puts them: its
 * masked steps come first (zero outputs, as no real step came before them), then the real ones.
 */
function alignReversedOutputs(output: Tensor, lengths: Int32Array): Tensor {
  const [batch, steps] = output.shape;
  const rows = new Int32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    const pad = steps - lengths[b];
    // Step lengths[b] of the engine's output is padding (zero) whenever pad > 0.
    for (let q = 0; q < steps; q++) rows[b * steps + q] = b * steps + (q >= pad ? q - pad : lengths[b]);
  }
  return gatherSteps(output, rows);
}

/** Each row's steps after its lengths[row] real ones replaced by its last real one (zero rows stay). */
function repeatLastReal(output: Tensor, lengths: Int32Array): Tensor {
  const [batch, steps] = output.shape;
  const rows = new Int32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) rows[b * steps + s] = b * steps + (lengths[b] > 0 ? Math.min(s, lengths[b] - 1) : s);
  }
  return gatherSteps(output, rows);
}
