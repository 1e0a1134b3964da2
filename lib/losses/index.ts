/** Loss functions with PyTorch's names, options and reductions, each one fused native op. */
export { mse, l1, smoothL1, binaryCrossEntropy, binaryCrossEntropyWithLogits, type ElementLossOptions, type SmoothL1Options,
  type BinaryCrossEntropyOptions, type BinaryCrossEntropyWithLogitsOptions } from './element-losses';
export { crossEntropy, nllLoss, type ClassLossOptions, type CrossEntropyOptions } from './class-losses';
export { type Reduction } from './reduction';
