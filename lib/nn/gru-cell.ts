/**
 * GRUCell: one GRU step (torch.nn.GRUCell): h' = GRU(x, h), parameters weight_ih [3H, I],
 * weight_hh [3H, H], bias_ih, bias_hh in one flat buffer.
 */
import { ArgumentError } from '../errors';
import { gruOp, type GruOpConfig } from '../ops/gru';
import type { Tensor } from '../tensor';
import { FlatGruModule } from './flat-gru-module';
import { gruParameterBlocks } from './gru';
import { checkInput, checkState } from './gru-inputs';
import { resolveGRUOptions, type GRUOptions, type ResolvedGRUOptions } from './gru-options';

function resolveCellOptions(options: GRUCellOptions): ResolvedGRUOptions {
  for (const key of ['numLayers', 'batchFirst', 'dropout', 'bidirectional']) {
    if (options && typeof options === 'object' && key in options) {
      throw new ArgumentError(`GRUCell options.${key} is not a GRUCell option (use GRU)`);
    }
  }
  return resolveGRUOptions(options, 'GRUCell');
}

export type GRUCellOptions = Omit<GRUOptions, 'numLayers' | 'batchFirst' | 'dropout' | 'bidirectional'>;

export class GRUCell extends FlatGruModule {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly resetAfter: boolean;
  readonly allowTF32: boolean;
  readonly dtype: ResolvedGRUOptions['dtype'];
  readonly device: ResolvedGRUOptions['device'];

  constructor(options: GRUCellOptions) {
    const resolved = resolveCellOptions(options);
    super(resolved, gruParameterBlocks(resolved, true));
    const o = this.options;
    ({ inputSize: this.inputSize, hiddenSize: this.hiddenSize, bias: this.bias, resetAfter: this.resetAfter,
       allowTF32: this.allowTF32, dtype: this.dtype, device: this.device } = o);
    this.config = Object.freeze({ inputSize: o.inputSize, hiddenSize: o.hiddenSize, numLayers: 1, bidirectional: false,
                                  bias: o.bias, resetAfter: o.resetAfter, batchFirst: false, dropout: 0, allowTF32: o.allowTF32 });
  }

  /** Fixed, so gruOp can cache its packing. */
  private readonly config: GruOpConfig;

  /** x [batch, inputSize] (or [inputSize]), h [batch, hiddenSize] (zeros when omitted) -> h'. */
  forward(x: Tensor, h?: Tensor): Tensor {
    this.checkAlive();
    const input = checkInput(x, 'GRUCell.forward x', [1, 2], this.inputSize, this);
    const unbatched = input.ndim === 1;
    const batch = unbatched ? 1 : input.shape[0];
    const state = h === undefined ? null
      : checkState(h, 'GRUCell.forward h', unbatched ? [this.hiddenSize] : [batch, this.hiddenSize], this);
    const x3 = input.reshape([1, batch, this.inputSize]);
    const h3 = state && state.reshape([1, batch, this.hiddenSize]);
    try {
      const { output, hN } = gruOp(this.config, { x: x3, weights: this.flat.weights, h0: h3, lengths: null, seqLen: 1, batch },
        { training: this.training, generator: this.options.generator, implementation: this.implementation });
      hN.dispose();
      const next = output.reshape(unbatched ? [this.hiddenSize] : [batch, this.hiddenSize]);
      output.dispose();
      return next;
    } finally {
      x3.dispose();
      h3?.dispose();
    }
  }

}
