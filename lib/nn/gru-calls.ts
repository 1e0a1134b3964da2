/**
 * What a GRU forward or step call resolves to before it runs, shared by GRU and GRUInference: the
 * checked tensors, the sequence geometry, and the result shapes (unbatched calls get their own).
 */
import { checkOptions } from '../arguments';
import { ArgumentError } from '../errors';
import type { FloatDType } from '../dtype';
import type { Tensor } from '../tensor';
import { checkInput, checkLengths, checkNotEmpty, checkState } from './gru-inputs';
import type { ResolvedGRUOptions } from './gru-options';

export interface GRUForwardOptions {
  /** Initial states [numLayers * D, batch, hiddenSize] (default zeros). */
  h0?: Tensor;
  /** Steps of each sequence (batch entries in [1, seqLen], any order): padded outputs are 0. Host values. */
  lengths?: Int32Array | readonly number[];
}

const FORWARD_OPTION_KEYS = ['h0', 'lengths'] as const;

export interface GruCall {
  x: Tensor<FloatDType>;
  h0: Tensor<FloatDType> | null;
  lengths: Int32Array | null;
  seqLen: number;
  batch: number;
  /** Run with the sequence-first config whatever batchFirst says (unbatched input, steps): same memory, no views. */
  sequenceFirst: boolean;
  /** The shapes the results get. */
  outputShape: readonly number[];
  stateShape: readonly number[];
}

/** `name`: the calling method, as messages name it ('GRU.forward'). */
export function forwardCall(o: ResolvedGRUOptions, x: Tensor, options: GRUForwardOptions | undefined, name: string): GruCall {
  const given = checkOptions(options, FORWARD_OPTION_KEYS, `${name} options`);
  const { inputSize, hiddenSize, batchFirst } = o;
  const input = checkInput(x, `${name} x`, [2, 3], inputSize, o);
  const unbatched = input.ndim === 2;
  const seqLen = unbatched ? input.shape[0] : input.shape[batchFirst ? 1 : 0];
  const batch = unbatched ? 1 : input.shape[batchFirst ? 0 : 1];
  checkNotEmpty(seqLen, batch, `${name} x`, input.shape);
  const directions = o.bidirectional ? 2 : 1;
  const states = o.numLayers * directions;
  const h0 = given.h0 === undefined ? null
    : checkState(given.h0, `${name} options.h0`, unbatched ? [states, hiddenSize] : [states, batch, hiddenSize], o);
  const lengths = given.lengths === undefined ? null : checkLengths(given.lengths, batch, seqLen, `${name} options.lengths`);
  const width = directions * hiddenSize;
  return {
    x: input, h0, lengths, seqLen, batch, sequenceFirst: unbatched,
    outputShape: unbatched ? [seqLen, width] : batchFirst ? [batch, seqLen, width] : [seqLen, batch, width],
    stateShape: unbatched ? [states, hiddenSize] : [states, batch, hiddenSize],
  };
}

/** One streaming step: x [batch, inputSize] or [inputSize], the previous state or zeros. */
export function stepCall(o: ResolvedGRUOptions, x: Tensor, state: Tensor | undefined, name: string): GruCall {
  if (o.bidirectional) {
    throw new ArgumentError(`${name}() streams forward in time; a bidirectional GRU needs the whole sequence (use forward())`);
  }
  const { inputSize, hiddenSize, numLayers } = o;
  const input = checkInput(x, `${name} x`, [1, 2], inputSize, o);
  const unbatched = input.ndim === 1;
  const batch = unbatched ? 1 : input.shape[0];
  checkNotEmpty(1, batch, `${name} x`, input.shape);
  const stateShape = unbatched ? [numLayers, hiddenSize] : [numLayers, batch, hiddenSize];
  const h0 = state === undefined ? null : checkState(state, `${name} state`, stateShape, o);
  // The kernel reads x as [1, batch, inputSize] and h0 as [L, batch, H]: same memory, so no views.
  return { x: input, h0, lengths: null, seqLen: 1, batch, sequenceFirst: true, outputShape: unbatched ? [hiddenSize] : [batch, hiddenSize], stateShape };
}
