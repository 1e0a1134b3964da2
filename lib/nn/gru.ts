/**
 * GRU: a multi-layer, optionally bidirectional gated recurrent unit with PyTorch's options,
 * shapes and parameter names (torch.nn.GRU), plus resetAfter: false for the Keras/TF.js form
 * and a stateful step() for streaming inference.
 */
import type { FloatDType } from '../dtype';
import { gruOp } from '../ops/gru';
import type { Tensor } from '../tensor';
import { FlatGruModule } from './flat-gru-module';
import { gruParameterBlocks } from '../ops/gru-params';
import { forwardCall, stepCall, type GruCall, type GRUForwardOptions } from './gru-calls';
import { GRUInference, type GRUInferenceCopyOptions } from './gru-inference';
import { GRU_OPTION_KEYS, exposeOptions, resolveGRUOptions, type ExposedGRUOptions, type GRUOptions, type ResolvedGRUOptions } from './gru-options';

export type { GRUForwardOptions } from './gru-calls';

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
    return this.run(forwardCall(this.options, x, options, 'GRU.forward'));
  }

  /**
   * One time step for streaming inference: x [batch, inputSize] (or [inputSize]) and the state
   * from the previous step (zeros when omitted). Gives the same numbers as forward() over the
   * whole sequence. Unidirectional GRUs only.
   */
  step(x: Tensor, state?: Tensor): GRUStepOutput {
    this.checkAlive();
    const { output, hN } = this.run(stepCall(this.options, x, state, 'GRU.step'));
    return { output, state: hN };
  }

  /**
   * A snapshot of the weights packed for fast CPU inference (float32 GRUs on cpu): `weights:
   * 'float32'` keeps them exact, `'bfloat16'` halves the bytes a step reads (docs: README,
   * "Inference copies"). It does not follow later training; make a new one then.
   */
  inferenceCopy(options: GRUInferenceCopyOptions): GRUInference {
    this.checkAlive();
    return GRUInference.of(this.options, this.config, this.flat.weights, options);
  }

  private run(call: GruCall): GRUOutput {
    return gruOp(call.sequenceFirst ? this.sequenceFirstConfig : this.config,
      { x: call.x, weights: this.flatWeightsForCall(), h0: call.h0, lengths: call.lengths, seqLen: call.seqLen, batch: call.batch },
      { training: this.training, generator: this.options.generator, kernel: this.kernel, outputShape: call.outputShape, stateShape: call.stateShape });
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
