/**
 * The Keras face: keras.sequential and keras.layers, Keras 3's behaviour spelled the
 * TensorFlow.js way (camelCase options). Layers build engine modules (lib/nn) and add no math.
 */
import { Bidirectional, type BidirectionalOptions } from './layers/bidirectional';
import { Dense, type DenseOptions } from './layers/dense';
import { Dropout, type DropoutLayerOptions } from './layers/dropout';
import { Embedding, type EmbeddingLayerOptions } from './layers/embedding';
import { GRU, type GRULayerOptions } from './layers/gru';
import type { Layer } from './layers/layer';
import { TimeDistributed, type TimeDistributedOptions } from './layers/time-distributed';
import { Sequential, type CompileOptions, type SequentialOptions } from './sequential';
export { callbacks, EarlyStopping, ReduceLROnPlateau, type EarlyStoppingOptions, type ReduceLROnPlateauOptions } from './callbacks';
export { optimizers, type KerasOptimizerOptions, type KerasOptimizerSpec } from './optimizers';
export { History, type Callback, type FitOptions, type Logs } from '../train/fit-loop';

export { Sequential, type SequentialOptions, type CompileOptions, Bidirectional, type BidirectionalOptions, Dense, type DenseOptions, Dropout, type DropoutLayerOptions, Embedding, type EmbeddingLayerOptions, GRU, type GRULayerOptions, TimeDistributed, type TimeDistributedOptions };
export type { Layer, KerasWeight, LayerOptions } from './layers/layer';

/** A Sequential model: `keras.sequential([layer, ...])` or `keras.sequential({ layers, name })`. */
export function sequential(options?: SequentialOptions | Layer[]): Sequential {
  return new Sequential(options);
}

/** Layer factories with TF.js's names. */
export const layers = {
  dense: (options: DenseOptions) => new Dense(options),
  gru: (options: GRULayerOptions) => new GRU(options),
  dropout: (options: DropoutLayerOptions) => new Dropout(options),
  bidirectional: (options: BidirectionalOptions) => new Bidirectional(options),
  timeDistributed: (options: TimeDistributedOptions) => new TimeDistributed(options),
  embedding: (options: EmbeddingLayerOptions) => new Embedding(options),
};
