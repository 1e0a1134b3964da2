export { Module, type StateDict, type LoadStateDictOptions } from './module';
export { GRU, type GRUForwardOptions, type GRUOutput, type GRUStepOutput } from './gru';
export { GRUInference, INFERENCE_WEIGHTS, type GRUInferenceCopyOptions, type GRUInferenceOutput, type GRUInferenceStepOutput, type InferenceWeights } from './gru-inference';
export { GRUCell, type GRUCellOptions } from './gru-cell';
export { type GRUOptions } from './gru-options';
export { Sequential, ModuleList } from './containers';
export { Linear, type LinearOptions } from './linear';
export { Embedding, type EmbeddingOptions } from './embedding';
export { ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Dropout, type DimOptions, type DropoutOptions } from './activations';
