/**
 * GRUInference: a snapshot of a GRU's weights packed once for fast CPU inference, in float32 or
 * bfloat16 (Note [Inference weight copies], native/cpu/gru_inference_weights.h). forward() and
 * step() take what GRU's do and give the same shapes; there are no gradients.
 */
import { checkOptions } from '../arguments';
import { isGradEnabled } from '../autograd/grad-mode';
import { codesFrom } from '../dtype';
import { ArgumentError, DeviceError, DisposedError, DTypeError } from '../errors';
import { describe } from '../format';
import { native, nativeConstants } from '../native/binding';
import type { GruLayerConfig } from '../native/gru-config';
import { packedConfigOf } from '../ops/gru';
import { keep } from '../scope';
import { Tensor } from '../tensor';
import { forwardCall, stepCall, type GruCall, type GRUForwardOptions } from './gru-calls';
import type { ResolvedGRUOptions } from './gru-options';

/** float32: the same weights, packed; bfloat16: each weight rounded to 8 significant bits (half the bytes). */
export type InferenceWeights = 'float32' | 'bfloat16';
export const INFERENCE_WEIGHTS: readonly InferenceWeights[] = ['float32', 'bfloat16'];
const FORMAT_CODE = codesFrom(INFERENCE_WEIGHTS, nativeConstants.inferenceWeights, 'inference weight format');

export interface GRUInferenceCopyOptions {
  weights: InferenceWeights;
}

export interface GRUInferenceOutput {
  output: Tensor<'float32'>;
  hN: Tensor<'float32'>;
}

export interface GRUInferenceStepOutput {
  output: Tensor<'float32'>;
  state: Tensor<'float32'>;
}

export class GRUInference {
  private copy: Tensor<'float32'> | null;
  private readonly sequenceFirstConfig: GruLayerConfig;

  private constructor(
    private readonly options: ResolvedGRUOptions,
    /** Its own config objects, so that gruOp's packed-config cache for the GRU's is left alone. */
    private readonly config: GruLayerConfig,
    copy: Tensor<'float32'>,
    /** The element type of the packed weights. */
    readonly weights: InferenceWeights,
  ) {
    this.copy = copy;
    this.sequenceFirstConfig = Object.freeze({ ...config, batchFirst: false });
  }

  /** @internal GRU.inferenceCopy(). */
  static of(options: ResolvedGRUOptions, config: GruLayerConfig, flatWeights: Tensor, given: GRUInferenceCopyOptions): GRUInference {
    const o = checkOptions(given, ['weights'], 'GRU.inferenceCopy options');
    if (!INFERENCE_WEIGHTS.includes(o.weights as InferenceWeights)) {
      throw new ArgumentError(`GRU.inferenceCopy options.weights must be one of ${INFERENCE_WEIGHTS.map((w) => `'${w}'`).join(', ')}, got ${describe(o.weights)}`);
    }
    if (flatWeights.device !== 'cpu') {
      throw new DeviceError(`GRU.inferenceCopy() packs weights for the CPU kernels, but this GRU is on ${flatWeights.device}: make the copy from a cpu GRU`);
    }
    if (flatWeights.dtype !== 'float32') {
      throw new DTypeError(`GRU.inferenceCopy() needs a float32 GRU, but this one is ${flatWeights.dtype}`);
    }
    const format = o.weights as InferenceWeights;
    const own = Object.freeze({ ...config });
    const [handle, floats] = native.gruInferenceCopy(packedConfigOf(own, 1, 1), flatWeights.handle, FORMAT_CODE[format]);
    const copy = keep(new Tensor(handle, [floats], 'float32', 'cpu'));
    // A snapshot of the options too: the GRU's own change when it moves.
    return new GRUInference(Object.freeze({ ...options }), own, copy, format);
  }

  get inputSize(): number { return this.options.inputSize; }
  get hiddenSize(): number { return this.options.hiddenSize; }
  get numLayers(): number { return this.options.numLayers; }

  /** Bytes of the packed weights and biases (what a step reads). */
  get bytes(): number {
    return this.alive().numel * 4;
  }

  /** Like GRU.forward: x [seq, batch, inputSize] ([batch, seq, ...] with batchFirst) or [seq, inputSize]. */
  forward(x: Tensor, options?: GRUForwardOptions): GRUInferenceOutput {
    this.alive();
    return this.run(forwardCall(this.options, x, options, 'GRUInference.forward'), 'GRUInference.forward');
  }

  /** Like GRU.step: one streaming step from `state` (zeros when omitted). */
  step(x: Tensor, state?: Tensor): GRUInferenceStepOutput {
    this.alive();
    const { output, hN } = this.run(stepCall(this.options, x, state, 'GRUInference.step'), 'GRUInference.step');
    return { output, state: hN };
  }

  get isDisposed(): boolean {
    return this.copy === null;
  }

  dispose(): void {
    this.copy?.dispose();
    this.copy = null;
  }

  toString(): string {
    return `GRUInference(${this.options.inputSize}, ${this.options.hiddenSize}, weights: ${this.weights})`;
  }

  private alive(): Tensor<'float32'> {
    if (this.copy === null) throw new DisposedError('this GRUInference was disposed and cannot be used');
    return this.copy;
  }

  private run(call: GruCall, name: string): GRUInferenceOutput {
    if (isGradEnabled() && (call.x.requiresGrad || (call.h0?.requiresGrad ?? false))) {
      throw new ArgumentError(`${name}() computes no gradients, but ${call.x.requiresGrad ? 'x' : 'the initial state'} requires grad: ` +
        'train the GRU itself, or run this under noGrad()');
    }
    const config = call.sequenceFirst ? this.sequenceFirstConfig : this.config;
    const [y, state] = native.gruForwardInference(packedConfigOf(config, call.seqLen, call.batch), call.x.handle, call.h0?.handle ?? null,
      this.alive().handle, call.lengths, FORMAT_CODE[this.weights]);
    return { output: new Tensor(y, call.outputShape, 'float32', 'cpu'), hN: new Tensor(state, call.stateShape, 'float32', 'cpu') };
  }
}
