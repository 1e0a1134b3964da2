/**
 * What GRU and GRUCell share: resolved options, parameters in one flat buffer (PyTorch's
 * default initialisation), gradient reset and disposal of that buffer.
 */
import { native } from '../native/binding';
import type { GruImplementation } from '../ops/gru';
import type { Tensor } from '../tensor';
import { FlatParameters, type ParameterBlock } from './flat-parameters';
import type { ResolvedGRUOptions } from './gru-options';
import { Module } from './module';

/** PyTorch's default: every weight and bias from U(-1/sqrt(H), 1/sqrt(H)). */
function initUniform(weights: Tensor, options: ResolvedGRUOptions): void {
  const bound = 1 / Math.sqrt(options.hiddenSize);
  options.generator.draw((seed, offset) => native.uniform(weights.handle, seed, offset, -bound, bound));
}

export abstract class FlatGruModule extends Module {
  protected readonly options: ResolvedGRUOptions;
  protected readonly flat: FlatParameters;
  /** @internal 1 runs the plain-loop reference kernels (tests). */
  implementation: GruImplementation = 0;

  protected constructor(options: ResolvedGRUOptions, blocks: ParameterBlock[]) {
    super();
    this.options = options;
    this.flat = new FlatParameters(blocks, options.dtype, options.device, (w) => initUniform(w, options));
    for (const [name, view] of this.flat.views) this.registerParameter(name, view);
  }

  protected override zeroOwnGrads(): void {
    native.fill(this.flat.grads.handle, 0);
  }

  protected override disposeOwn(): void {
    this.flat.dispose();
  }
}
