/**
 * The GRU as one autograd op: a whole multi-layer, possibly bidirectional GRU over a sequence
 * is a single native call forward and a single one backward. Callers (lib/nn/gru.ts) check
 * shapes with messages naming the user's arguments; this file only runs and records. The
 * backend allocates the outputs and the reserve, and says how many generator words dropout used.
 */
import { isGradEnabled } from '../autograd/grad-mode';
import { GradNode } from '../autograd/node';
import { codesFrom, type DType, type Device } from '../dtype';
import { native, nativeConstants } from '../native/binding';
import { packGruConfig, seedWords, type GruLayerConfig } from '../native/gru-config';
import type { NativeGruForwardResult, TensorHandle } from '../native/types';
import type { Generator } from '../random';
import { keep } from '../scope';
import { Tensor } from '../tensor';
import { composedGru, cudnnRunsForm } from './gru-composed';
import { attach } from './record';

export type Kernel = 'fast' | 'reference';
export const KERNELS: readonly Kernel[] = ['fast', 'reference'];
const KERNEL_CODE = codesFrom(KERNELS, nativeConstants.kernels, 'kernel');

export interface GruOpInputs<D extends DType> {
  x: Tensor<D>;             // [T, B, I] or [B, T, I] (any shape with those elements)
  weights: Tensor<D>;       // flat, PyTorch order
  h0: Tensor<D> | null;     // [L*D, B, H]
  lengths: Int32Array | null; // host values, each in [1, T]; null: every sequence is full length
  seqLen: number;
  batch: number;
}

export interface GruOpOptions {
  /** Dropout between layers is active (module in training mode). */
  training: boolean;
  generator: Generator;
  kernel: Kernel;
  /** Shapes to give the results (same element counts), saving callers a reshape. */
  outputShape?: readonly number[];
  stateShape?: readonly number[];
}

/**
 * Packed configs of calls without dropout, per layer config object: a streaming step repeats the
 * same one, and packing it is a noticeable part of a 60 us step.
 */
const packedConfigs = new WeakMap<GruLayerConfig, { seqLen: number; batch: number; packed: Float64Array }>();

export function packedConfigOf(config: GruLayerConfig, seqLen: number, batch: number): Float64Array {
  const cached = packedConfigs.get(config);
  if (cached && cached.seqLen === seqLen && cached.batch === batch) return cached.packed;
  const packed = packGruConfig({ ...config, dropout: 0, seqLen, batch, dropoutSeedLow: 0, dropoutSeedHigh: 0, dropoutOffset: 0 });
  packedConfigs.set(config, { seqLen, batch, packed });
  return packed;
}

function wrap<D extends DType>(handle: TensorHandle, shape: readonly number[], dtype: D, device: Device): Tensor<D> {
  return new Tensor(handle, shape, dtype, device);
}

class GruNode<D extends DType> extends GradNode {
  override readonly acceptsGradSinks = true;
  private readonly x: Tensor<D>;
  private readonly weights: Tensor<D>;
  private readonly h0: Tensor<D> | null;
  /** The forward's output, where the backend's backward reads it (cuDNN). */
  private readonly output: Tensor<D> | null;

  constructor(
    inputs: GruOpInputs<D>,
    output: Tensor<D>,
    private readonly lengths: Int32Array | null,
    private readonly config: Float64Array,
    private readonly reserve: Tensor<D>,
    private readonly kernel: number,
  ) {
    super('gruBackward', [inputs.x, inputs.weights, inputs.h0], 2);
    this.output = inputs.x.device === 'cuda' ? this.save(output) : null;
    this.x = this.save(inputs.x);
    this.weights = this.save(inputs.weights);
    this.h0 = inputs.h0 && this.save(inputs.h0);
  }

  backward([dOutput, dHN]: readonly (Tensor | null)[], sinks: readonly (Tensor | null)[]): (Tensor | null)[] {
    const [xIn, wIn, h0In] = this.inputs;
    const { dtype, device } = this.x;
    // The weight gradient goes into the leaf's buffer when it has one (every GRU's flat
    // parameters); a computed weight tensor gets its own. Frozen weights: none, and the
    // backend skips the weight-gradient work.
    const ownWeightGrad = wIn !== null && sinks[1] === null ? Tensor.zeros(this.weights.shape, { dtype, device }) : null;
    const dWeights = sinks[1] ?? ownWeightGrad;
    let result: { dx: TensorHandle | null; dh0: TensorHandle | null };
    try {
      result = native.gruBackward(
        this.config, this.x.handle, this.h0?.handle ?? null, this.weights.handle, this.lengths, this.reserve.handle,
        this.output?.handle ?? null, dOutput?.handle ?? null, dHN?.handle ?? null, xIn !== null, h0In !== null && this.h0 !== null,
        dWeights?.handle ?? null, this.kernel,
      );
    } catch (error) {
      ownWeightGrad?.dispose();
      throw error;
    }
    const dx = result.dx && wrap(result.dx, this.x.shape, dtype, device);
    const dh0 = result.dh0 && wrap(result.dh0, this.h0!.shape, dtype, device);
    return [dx, ownWeightGrad, dh0];
  }

  protected override releaseOwn(): void {
    this.reserve.dispose();
  }
}

/**
 * Runs the GRU; returns the output sequence and the final states, recorded on the tape. On CUDA,
 * forms cuDNN has no kernel for run as a composition of ops (gru-composed.ts).
 */
export function gruOp<D extends DType>(config: GruLayerConfig, inputs: GruOpInputs<D>, options: GruOpOptions): { output: Tensor<D>; hN: Tensor<D> } {
  if (inputs.x.device === 'cuda' && !cudnnRunsForm(config)) return composedGru<Tensor<D>>(config, inputs, options);
  const { x, weights, h0, lengths, seqLen, batch } = inputs;
  const directions = config.bidirectional ? 2 : 1;
  const recordGrad = isGradEnabled() && (x.requiresGrad || weights.requiresGrad || (h0?.requiresGrad ?? false));
  const useDropout = options.training && config.dropout > 0 && config.numLayers > 1;
  // Dropout needs the training kernel even without grad (backward regenerates its masks).
  const training = recordGrad || useDropout;
  const kernel = KERNEL_CODE[options.kernel];
  const run = (packed: Float64Array): NativeGruForwardResult =>
    native.gruForward(packed, x.handle, h0?.handle ?? null, weights.handle, lengths, training, kernel);
  let packed: Float64Array;
  let result: NativeGruForwardResult;
  if (useDropout) {
    packed = new Float64Array(0);
    result = undefined as unknown as NativeGruForwardResult;
    options.generator.draw((seed, offset) => {
      packed = packGruConfig({ ...config, seqLen, batch, ...seedWords(seed), dropoutOffset: offset });
      result = run(packed);
      return result[4];
    });
  } else {
    packed = packedConfigOf(config, seqLen, batch);
    result = run(packed);
  }
  const { dtype, device } = x;
  const [y, state, reserveElements, reserveHandle] = result;
  const output = wrap(y, options.outputShape ?? (config.batchFirst ? [batch, seqLen, directions * config.hiddenSize] : [seqLen, batch, directions * config.hiddenSize]), dtype, device);
  const hN = wrap(state, options.stateShape ?? [config.numLayers * directions, batch, config.hiddenSize], dtype, device);
  const reserve = reserveHandle && keep(wrap(reserveHandle, [reserveElements], dtype, device));
  if (recordGrad) attach(new GruNode(inputs, output, lengths && Int32Array.from(lengths), packed, reserve!, kernel), output, hN);
  else reserve?.dispose();
  return { output, hN };
}
