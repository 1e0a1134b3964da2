/**
 * GRU: a multi-layer, optionally bidirectional gated recurrent unit with PyTorch's options,
 * shapes and parameter names (torch.nn.GRU), plus resetAfter: false for the Keras/TF.js form
 * and a stateful step() for streaming inference.
 */
import { checkOptions } from '../arguments';
import { ArgumentError } from '../errors';
import type { FloatDType } from '../dtype';
import { gruOp } from '../ops/gru';
import type { Tensor } from '../tensor';
import { FlatGruModule } from './flat-gru-module';
import { gruParameterBlocks } from '../ops/gru-params';
import { checkInput, checkLengths, checkNotEmpty, checkState } from './gru-inputs';
import { GRU_OPTION_KEYS, exposeOptions, resolveGRUOptions, type ExposedGRUOptions, type GRUOptions, type ResolvedGRUOptions } from './gru-options';

export interface GRUForwardOptions {
  /** Initial states [numLayers * D, batch, hiddenSize] (default zeros). */
  h0?: Tensor;
  /** Steps of each sequence (batch entries in [1, seqLen], any order): padded outputs are 0. Host values. */
  lengths?: Int32Array | readonly number[];
}

const FORWARD_OPTION_KEYS = ['h0', 'lengths'] as const;

export interface GRUOutput<D extends FloatDType = FloatDType> {
  /** [seq, batch, D * hiddenSize] ([batch, seq, ...] with batchFirst). */
  output: Tensor<D>;
  /** [numLayers * D, batch, hiddenSize]: each sequence's last state per layer and direction. */
  hN: Tensor<D>;
}

export interface GRUStepOutput<D extends FloatDType = FloatDType> {
  /** The last layer's new state [batch, hiddenSize]. */
  output: Tensor<D>;
  /** Every layer's new state [numLayers, batch, hiddenSize]: pass it to the next step(). */
  state: Tensor<D>;
}

/** The options a GRU exposes as read-only properties (PyTorch's `gru.hidden_size` is `gru.hiddenSize`). */
const GRU_PROPERTIES = GRU_OPTION_KEYS.filter((k) => k !== 'generator');

export interface GRU extends Readonly<ExposedGRUOptions<Exclude<keyof ResolvedGRUOptions, 'generator'>>> {}

export class GRU extends FlatGruModule {
  /** The op config of sequence-first calls (step(), unbatched input); fixed, so gruOp can cache its packing. */
  private readonly sequenceFirstConfig;

  constructor(options: GRUOptions) {
    const resolved = resolveGRUOptions(options, 'GRU');
    super(resolved, () => gruParameterBlocks(resolved));
    this.sequenceFirstConfig = Object.freeze({ ...this.config, batchFirst: false });
  }

  /** Number of directions (2 when bidirectional). */
  get directions(): number {
    return this.options.bidirectional ? 2 : 1;
  }

  /** All parameters as one flat tensor in PyTorch's order (the memory every parameter views). */
  get flatWeights(): Tensor<FloatDType> {
    this.checkAlive();
    return this.flat.weights;
  }

  /**
   * Runs the GRU over `x`: [seq, batch, inputSize] ([batch, seq, inputSize] with batchFirst),
   * or [seq, inputSize] for one unbatched sequence.
   */
  forward(x: Tensor, options?: GRUForwardOptions): GRUOutput {
    this.checkAlive();
    const o = checkOptions(options, FORWARD_OPTION_KEYS, 'GRU.forward options');
    const { inputSize, hiddenSize, batchFirst } = this.options;
    const input = checkInput(x, 'GRU.forward x', [2, 3], inputSize, this.options);
    const unbatched = input.ndim === 2;
    const seqLen = unbatched ? input.shape[0] : input.shape[batchFirst ? 1 : 0];
    const batch = unbatched ? 1 : input.shape[batchFirst ? 0 : 1];
    checkNotEmpty(seqLen, batch, 'GRU.forward x', input.shape);
    const states = this.options.numLayers * this.directions;
    const h0 = o.h0 === undefined ? null
      : checkState(o.h0, 'GRU.forward options.h0', unbatched ? [states, hiddenSize] : [states, batch, hiddenSize], this.options);
    const lengths = o.lengths === undefined ? null : checkLengths(o.lengths, batch, seqLen, 'GRU.forward options.lengths');
    // Unbatched input is one sequence-first sequence of batch 1: the same memory, so no views.
    const { output, hN } = gruOp(unbatched ? this.sequenceFirstConfig : this.config,
      { x: input, weights: this.flatWeightsForCall(), h0, lengths, seqLen, batch },
      { training: this.training, generator: this.options.generator, kernel: this.kernel,
        outputShape: unbatched ? [seqLen, this.directions * hiddenSize] : undefined,
        stateShape: unbatched ? [states, hiddenSize] : undefined });
    return { output, hN };
  }

  /**
   * One time step for streaming inference: x [batch, inputSize] (or [inputSize]) and the state
   * from the previous step (zeros when omitted). Gives the same numbers as forward() over the
   * whole sequence. Unidirectional GRUs only.
   */
  step(x: Tensor, state?: Tensor): GRUStepOutput {
    this.checkAlive();
    if (this.options.bidirectional) {
      throw new ArgumentError('GRU.step() streams forward in time; a bidirectional GRU needs the whole sequence (use forward())');
    }
    const { inputSize, hiddenSize, numLayers } = this.options;
    const input = checkInput(x, 'GRU.step x', [1, 2], inputSize, this.options);
    const unbatched = input.ndim === 1;
    const batch = unbatched ? 1 : input.shape[0];
    checkNotEmpty(1, batch, 'GRU.step x', input.shape);
    const stateShape = unbatched ? [numLayers, hiddenSize] : [numLayers, batch, hiddenSize];
    const h0 = state === undefined ? null : checkState(state, 'GRU.step state', stateShape, this.options);
    // The kernel reads x as [1, batch, inputSize] and h0 as [L, batch, H]: same memory, so no views.
    const { output, hN } = gruOp(this.sequenceFirstConfig, { x: input, weights: this.flatWeightsForCall(), h0, lengths: null, seqLen: 1, batch },
      { training: this.training, generator: this.options.generator, kernel: this.kernel,
        outputShape: unbatched ? [hiddenSize] : [batch, hiddenSize], stateShape });
    return { output, state: hN };
  }

  override toString(): string {
    const o = this.options;
    const extras = [
      o.numLayers !== 1 && `numLayers: ${o.numLayers}`, !o.bias && 'bias: false', o.batchFirst && 'batchFirst: true',
      o.dropout && `dropout: ${o.dropout}`, o.bidirectional && 'bidirectional: true', !o.resetAfter && 'resetAfter: false',
    ].filter(Boolean);
    return `GRU(${o.inputSize}, ${o.hiddenSize}${extras.length ? ', ' + extras.join(', ') : ''})`;
  }
}

exposeOptions(GRU.prototype, GRU_PROPERTIES);
