/**
 * GRUCell: one GRU step (torch.nn.GRUCell): h' = GRU(x, h), parameters weight_ih [3H, I],
 * weight_hh [3H, H], bias_ih, bias_hh in one flat buffer.
 */
import type { FloatDType } from '../dtype';
import { gruOp } from '../ops/gru';
import type { Tensor } from '../tensor';
import { FlatGruModule } from './flat-gru-module';
import { gruParameterBlocks } from '../ops/gru-params';
import { checkInput, checkNotEmpty, checkState } from './gru-inputs';
import { exposeOptions, resolveGRUOptions, type GRUOptions, type ResolvedGRUOptions } from './gru-options';

const CELL_OPTION_KEYS = ['inputSize', 'hiddenSize', 'bias', 'resetAfter', 'allowTF32', 'dtype', 'device', 'generator'] as const;
type CellOptionKey = (typeof CELL_OPTION_KEYS)[number];
/** A cell is one layer, one direction, one step. */
const CELL_FIXED = { numLayers: 1, bidirectional: false, batchFirst: false, dropout: 0 };

export type GRUCellOptions = Pick<GRUOptions, CellOptionKey>;

export interface GRUCell extends Readonly<Pick<ResolvedGRUOptions, Exclude<CellOptionKey, 'generator'>>> {}

export class GRUCell extends FlatGruModule {
  constructor(options: GRUCellOptions) {
    const resolved = resolveGRUOptions(options, 'GRUCell', CELL_OPTION_KEYS, CELL_FIXED);
    super(resolved, () => gruParameterBlocks(resolved, true));
  }

  /** x [batch, inputSize] (or [inputSize]), h [batch, hiddenSize] (zeros when omitted) -> h'. */
  forward(x: Tensor, h?: Tensor): Tensor<FloatDType> {
    this.checkAlive();
    const { inputSize, hiddenSize } = this.options;
    const input = checkInput(x, 'GRUCell.forward x', [1, 2], inputSize, this.options);
    const unbatched = input.ndim === 1;
    const batch = unbatched ? 1 : input.shape[0];
    checkNotEmpty(1, batch, 'GRUCell.forward x', input.shape);
    const shape = unbatched ? [hiddenSize] : [batch, hiddenSize];
    const state = h === undefined ? null : checkState(h, 'GRUCell.forward h', shape, this.options);
    // The kernel reads x as [1, batch, I] and h as [1, batch, H]: the same memory, so no views.
    const { output, hN } = gruOp(this.config, { x: input, weights: this.flatWeightsForCall(), h0: state, lengths: null, seqLen: 1, batch },
      { training: this.training, generator: this.options.generator, kernel: this.kernel, outputShape: shape, stateShape: shape });
    hN.dispose();
    return output;
  }
}

exposeOptions(GRUCell.prototype, CELL_OPTION_KEYS.filter((k) => k !== 'generator'));
