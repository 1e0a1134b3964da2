/**
 * GRU: a multi-layer, optionally bidirectional gated recurrent unit with PyTorch's options,
 * shapes and parameter names (torch.nn.GRU), plus resetAfter: false for the Keras/TF.js form
 * and a stateful step() for streaming inference.
 */
import { ArgumentError, describe } from '../errors';
import { gruOp, type GruOpConfig } from '../ops/gru';
import type { Tensor } from '../tensor';
import { FlatGruModule } from './flat-gru-module';
import type { ParameterBlock } from './flat-parameters';
import { checkInput, checkLengths, checkState } from './gru-inputs';
import { resolveGRUOptions, type GRUOptions, type ResolvedGRUOptions } from './gru-options';

export interface GRUForwardOptions {
  /** Initial states [numLayers * D, batch, hiddenSize] (default zeros). */
  h0?: Tensor;
  /** Steps of each sequence (batch entries in [1, seqLen], any order): padded outputs are 0. */
  lengths?: Int32Array | number[] | Tensor;
}

export interface GRUOutput {
  /** [seq, batch, D * hiddenSize] ([batch, seq, ...] with batchFirst). */
  output: Tensor;
  /** [numLayers * D, batch, hiddenSize]: each sequence's last state per layer and direction. */
  hN: Tensor;
}

export interface GRUStepOutput {
  /** The last layer's new state [batch, hiddenSize]. */
  output: Tensor;
  /** Every layer's new state [numLayers, batch, hiddenSize]: pass it to the next step(). */
  state: Tensor;
}

/** Parameter blocks in the flat order of Note [GRU weight layout]. */
export function gruParameterBlocks(o: Pick<ResolvedGRUOptions, 'inputSize' | 'hiddenSize' | 'numLayers' | 'bidirectional' | 'bias'>, cellNames = false): ParameterBlock[] {
  const blocks: ParameterBlock[] = [];
  const directions = o.bidirectional ? 2 : 1;
  for (let layer = 0; layer < o.numLayers; layer++) {
    const inputSize = layer === 0 ? o.inputSize : directions * o.hiddenSize;
    for (let d = 0; d < directions; d++) {
      const suffix = cellNames ? '' : `_l${layer}${d === 1 ? '_reverse' : ''}`;
      blocks.push({ name: `weight_ih${suffix}`, shape: [3 * o.hiddenSize, inputSize] });
      blocks.push({ name: `weight_hh${suffix}`, shape: [3 * o.hiddenSize, o.hiddenSize] });
      if (o.bias) {
        blocks.push({ name: `bias_ih${suffix}`, shape: [3 * o.hiddenSize] });
        blocks.push({ name: `bias_hh${suffix}`, shape: [3 * o.hiddenSize] });
      }
    }
  }
  return blocks;
}

export class GRU extends FlatGruModule {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly resetAfter: boolean;
  readonly allowTF32: boolean;
  readonly dtype: ResolvedGRUOptions['dtype'];
  readonly device: ResolvedGRUOptions['device'];

  constructor(options: GRUOptions) {
    const resolved = resolveGRUOptions(options, 'GRU');
    super(resolved, gruParameterBlocks(resolved));
    const o = this.options;
    ({ inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, bias: this.bias,
       batchFirst: this.batchFirst, dropout: this.dropout, bidirectional: this.bidirectional,
       resetAfter: this.resetAfter, allowTF32: this.allowTF32, dtype: this.dtype, device: this.device } = o);
    const config: GruOpConfig = { inputSize: o.inputSize, hiddenSize: o.hiddenSize, numLayers: o.numLayers, bidirectional: o.bidirectional,
                                  bias: o.bias, resetAfter: o.resetAfter, batchFirst: o.batchFirst, dropout: o.dropout, allowTF32: o.allowTF32 };
    this.config = Object.freeze(config);
    this.sequenceFirstConfig = Object.freeze({ ...config, batchFirst: false });
  }

  /** Number of directions (2 when bidirectional). */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** All parameters as one flat tensor in PyTorch's order (the memory every parameter views). */
  get flatWeights(): Tensor {
    this.checkAlive();
    return this.flat.weights;
  }

  /** The op configs of forward() and of sequence-first calls (step(), unbatched input); fixed, so gruOp can cache their packing. */
  private readonly config: GruOpConfig;
  private readonly sequenceFirstConfig: GruOpConfig;

  /**
   * Runs the GRU over `x`: [seq, batch, inputSize] ([batch, seq, inputSize] with batchFirst),
   * or [seq, inputSize] for one unbatched sequence.
   */
  forward(x: Tensor, options: GRUForwardOptions = {}): GRUOutput {
    this.checkAlive();
    if (typeof options !== 'object' || options === null) throw new ArgumentError(`GRU.forward options must be an object, got ${describe(options)}`);
    const input = checkInput(x, 'GRU.forward x', [2, 3], this.inputSize, this);
    const unbatched = input.ndim === 2;
    const seqLen = unbatched ? input.shape[0] : input.shape[this.batchFirst ? 1 : 0];
    const batch = unbatched ? 1 : input.shape[this.batchFirst ? 0 : 1];
    if (seqLen === 0 || batch === 0) throw new ArgumentError(`GRU.forward x must have at least one step and one sequence, got shape [${input.shape.join(', ')}]`);
    const states = this.numLayers * this.directions;
    const h0 = options.h0 === undefined ? null
      : checkState(options.h0, 'GRU.forward options.h0', unbatched ? [states, this.hiddenSize] : [states, batch, this.hiddenSize], this);
    const lengths = options.lengths === undefined ? null : checkLengths(options.lengths, batch, seqLen);
    const x3 = unbatched ? input.reshape([seqLen, 1, this.inputSize]) : input;
    const h03 = unbatched && h0 ? h0.reshape([states, 1, this.hiddenSize]) : h0;
    const config = unbatched ? this.sequenceFirstConfig : this.config;
    try {
      const result = gruOp(config, { x: x3, weights: this.flat.weights, h0: h03, lengths, seqLen, batch },
        { training: this.training, generator: this.options.generator, implementation: this.implementation });
      if (!unbatched) return result;
      const output = result.output.reshape([seqLen, this.directions * this.hiddenSize]);
      const hN = result.hN.reshape([states, this.hiddenSize]);
      result.output.dispose();
      result.hN.dispose();
      return { output, hN };
    } finally {
      lengths?.dispose();
      if (unbatched) {
        x3.dispose();
        h03?.dispose();
      }
    }
  }

  /**
   * One time step for streaming inference: x [batch, inputSize] (or [inputSize]) and the state
   * from the previous step (zeros when omitted). Gives the same numbers as forward() over the
   * whole sequence. Unidirectional GRUs only.
   */
  step(x: Tensor, state?: Tensor): GRUStepOutput {
    this.checkAlive();
    if (this.bidirectional) {
      throw new ArgumentError('GRU.step() streams forward in time; a bidirectional GRU needs the whole sequence (use forward())');
    }
    const input = checkInput(x, 'GRU.step x', [1, 2], this.inputSize, this);
    const unbatched = input.ndim === 1;
    const batch = unbatched ? 1 : input.shape[0];
    const stateShape = unbatched ? [this.numLayers, this.hiddenSize] : [this.numLayers, batch, this.hiddenSize];
    const h0 = state === undefined ? null : checkState(state, 'GRU.step state', stateShape, this);
    // The kernel reads x as [1, batch, inputSize] and h0 as [L, batch, H]: same memory, so no views.
    const { output, hN } = gruOp(this.sequenceFirstConfig, { x: input, weights: this.flat.weights, h0, lengths: null, seqLen: 1, batch },
      { training: this.training, generator: this.options.generator, implementation: this.implementation,
        outputShape: unbatched ? [this.hiddenSize] : [batch, this.hiddenSize], stateShape });
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
