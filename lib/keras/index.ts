/**
 * The Keras face: keras.sequential and keras.layers, Keras 3's behaviour spelled the
 * TensorFlow.js way (camelCase options). Layers build engine modules (lib/nn) and add no math.
 */
import { Bidirectional, type BidirectionalOptions } from './layers/bidirectional';
import { Dense, type DenseOptions } from './layers/dense';
import { Dropout, type DropoutLayerOptions } from './layers/dropout';
import { Embedding, type EmbeddingLayerOptions } from './layers/embedding';
import { GRU, type GRUApplyOptions, type GRULayerOptions } from './layers/gru';
import { InputLayer, input, type InputOptions } from './layers/input';
import { functionalModel, type ModelOptions } from './functional';
import type { SymbolicTensor } from './symbolic';
import { Masking, type MaskingOptions } from './layers/masking';
import type { Layer, LayerOptions } from './layers/layer';
import { TimeDistributed, type TimeDistributedOptions } from './layers/time-distributed';
import { Sequential, type CompileOptions, type SequentialOptions } from './sequential';
export { callbacks, EarlyStopping, ReduceLROnPlateau, type EarlyStoppingOptions, type ReduceLROnPlateauOptions } from './callbacks';
export { JsonLinesLogger, type JsonLinesLoggerOptions } from './json-lines-logger';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint';
export { optimizers, type KerasOptimizerOptions, type KerasOptimizerSpec } from './optimizers';
export { regularizers, Regularizer } from './regularizers';
export { loadModel, type LoadModelOptions } from './io/load-model';
export { History, type Callback, type FitOptions, type Logs } from '../train/fit-loop';

export { Sequential, type SequentialOptions, type CompileOptions, Bidirectional, type BidirectionalOptions, Dense, type DenseOptions, Dropout, type DropoutLayerOptions, Embedding, type EmbeddingLayerOptions, GRU, type GRULayerOptions, TimeDistributed, type TimeDistributedOptions };
export type { Layer, KerasWeight } from './layers/layer';
export { Mask } from './mask';
export { SymbolicTensor } from './symbolic';
export { input, type ModelOptions, InputLayer, type InputOptions, Masking, type MaskingOptions, type GRUApplyOptions, type LayerOptions };

/** A Sequential model: `keras.sequential([layer, ...])` or `keras.sequential({ layers, name })`. */
export function sequential(options?: SequentialOptions | (Layer | SymbolicTensor)[]): Sequential {
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
  masking: (options?: MaskingOptions) => new Masking(options),
  inputLayer: (options: LayerOptions) => new InputLayer(options),
};

/** keras.model({ inputs, outputs }): the chain of layers from a keras.input to `outputs`, as a model. */
export function model(options: ModelOptions): Sequential {
  return functionalModel(options);
}
