export { Module, type StateDict, type LoadStateDictOptions } from './module';
export { GRU, type GRUForwardOptions, type GRUOutput, type GRUStepOutput } from './gru';
export { GRUCell, type GRUCellOptions } from './gru-cell';
export { type GRUOptions } from './gru-options';
