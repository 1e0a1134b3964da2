/** Optimizers, gradient clipping and learning-rate schedulers with torch.optim's names and semantics. */
export { Optimizer, type ParamGroup, type ParamState, type OptimizerStateDict, type ParamGroupInput, type ParamsInput } from './optimizer';
export { SGD, type SGDOptions } from './sgd';
export { Adam, AdamW, type AdamInput, type AdamOptions } from './adam';
export { RMSprop, type RMSpropOptions } from './rmsprop';
export { Adagrad, type AdagradOptions } from './adagrad';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip';
export * as lrScheduler from './schedulers/index';
export { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau } from './schedulers/index';
