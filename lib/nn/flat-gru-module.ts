/**
 * What GRU and GRUCell share: resolved options, parameters in one flat buffer (PyTorch's
 * default initialisation), gradient reset, moving and disposal of that buffer.
 */
import type { Device, FloatDType } from '../dtype';
import { native, nativeConstants } from '../native/binding';
import { layerConfigOf, packGruConfig, type GruLayerConfig } from '../native/gru-config';
import type { Kernel } from '../ops/gru';
import { fillInPlace } from '../ops/inplace';
import { noGrad } from '../autograd/grad-mode';
import type { Tensor } from '../tensor';
import { FlatParameters, type ParameterBlock } from './flat-parameters';
import type { ResolvedGRUOptions } from './gru-options';
import { Module } from './module';
import type { StorageMove } from './module-move';

/** PyTorch's default: every weight and bias from U(-1/sqrt(H), 1/sqrt(H)). */
function initUniform(weights: Tensor<FloatDType>, options: ResolvedGRUOptions): void {
  const bound = 1 / Math.sqrt(options.hiddenSize);
  options.generator.draw((seed, offset) => native.random(weights.handle, nativeConstants.distributions.uniform, seed, offset, -bound, bound));
}

/** The flat parameter count of a layer config (the addon's one definition of the layout). */
function flatCount(config: GruLayerConfig): number {
  return native.gruWeightCount(packGruConfig({ ...config, seqLen: 1, batch: 1, dropoutSeedLow: 0, dropoutSeedHigh: 0, dropoutOffset: 0 }));
}

export abstract class FlatGruModule extends Module {
  protected readonly options: ResolvedGRUOptions;
  /** The layer config gruOp takes; fixed, so gruOp can cache its packing. */
  protected readonly config: GruLayerConfig;
  /** @internal Replaced (not changed) by to(). */
  protected flat: FlatParameters;
  /** @internal 'reference' runs the plain-loop kernels (tests). */
  kernel: Kernel = 'fast';

  /** @internal */
  protected constructor(options: ResolvedGRUOptions, blocks: () => Iterable<ParameterBlock>) {
    super();
    this.options = options;
    this.config = layerConfigOf(options);
    this.flat = FlatParameters.create(flatCount(this.config), blocks, options.dtype, options.device, (w) => initUniform(w, options));
  }

  /** @internal */
  protected override ownParameters(): Iterable<[string, Tensor]> {
    return this.flat.named();
  }

  /** @internal The flat weights for a forward, with requiresGrad as the parameters say (frozen ones need no gradient). */
  protected flatWeightsForCall(): Tensor<FloatDType> {
    this.flat.syncRequiresGrad();
    return this.flat.weights;
  }

  protected override zeroOwnGrads(): void {
    noGrad(() => fillInPlace(this.flat.grads, 0));
  }

  /** @internal to(): the whole buffer moves at once, and the named views are made anew over the copy. */
  protected override moveStorage(device: Device): StorageMove | null {
    if (this.flat.weights.device === device) return null;
    const { moved, views } = this.flat.to(device);
    return {
      views,
      commit: () => {
        const old = this.flat;
        this.flat = moved;
        // Inputs are checked against options.device.
        this.options.device = device;
        old.dispose();
      },
      abort: () => moved.dispose(),
    };
  }

  protected override disposeOwn(): void {
    this.flat.dispose();
  }
}
