/** Learning-rate schedulers (torch.optim.lr_scheduler): each writes `optimizer.paramGroups[i].lr`. */
export { LRScheduler, type ScheduledOptimizer, type SchedulerState } from './base';
export { StepLR, type StepLROptions } from './step-lr';
export { MultiStepLR, type MultiStepLROptions } from './multi-step-lr';
export { ExponentialLR, type ExponentialLROptions } from './exponential-lr';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine-annealing-lr';
export { LinearLR, type LinearLROptions } from './linear-lr';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type ReduceLROnPlateauState } from './reduce-lr-on-plateau';
