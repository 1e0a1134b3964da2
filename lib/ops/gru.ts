/**
 * The GRU as one autograd op: a whole multi-layer, possibly bidirectional GRU over a sequence
 * is a single native call forward and a single one backward. Callers (lib/nn/gru.ts) validate
 * shapes with user-facing messages; this file only runs and records.
 */
import { isGradEnabled } from '../autograd/grad-mode';
import { GradNode } from '../autograd/node';
import { DEVICE_CODE, DTYPE_CODE } from '../dtype';
import { native } from '../native/binding';
import { packGruConfig } from '../native/gru-config';
import type { NativeGruConfig } from '../native/types';
import type { Generator } from '../random';
import { Tensor } from '../tensor';
import { attach } from './record';

export interface GruOpConfig {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
  resetAfter: boolean;
  batchFirst: boolean;
  dropout: number;
  /** float32 on cuda may use TF32 tensor cores. */
  allowTF32: boolean;
}

/** 0: the OpenBLAS path; 1: the plain-loop reference (tests only). */
export type GruImplementation = 0 | 1;

export interface GruOpInputs {
  x: Tensor;             // [T, B, I] or [B, T, I] (any shape with those elements)
  weights: Tensor;       // flat, PyTorch order
  h0: Tensor | null;     // [L*D, B, H]
  lengths: Tensor | null; // int32 [B] on the CPU, each in [1, T]
  seqLen: number;
  batch: number;
}

export interface GruOpOptions {
  /** Dropout between layers is active (module in training mode). */
  training: boolean;
  generator: Generator;
  implementation?: GruImplementation;
  /** Shapes to give the results (same element counts), saving callers a reshape. */
  outputShape?: readonly number[];
  stateShape?: readonly number[];
}

/**
 * Packed configs of calls without dropout, per op config object: a streaming step repeats the same
 * one, and packing it (a typed array and a bigint check) is a noticeable part of a 60 us step.
 */
const packedConfigs = new WeakMap<GruOpConfig, { seqLen: number; batch: number; packed: Float64Array }>();

function packedConfigOf(config: GruOpConfig, seqLen: number, batch: number): Float64Array {
  const cached = packedConfigs.get(config);
  if (cached && cached.seqLen === seqLen && cached.batch === batch) return cached.packed;
  const packed = packGruConfig({ ...config, dropout: 0, seqLen, batch, dropoutSeed: 0n, dropoutOffset: 0 });
  packedConfigs.set(config, { seqLen, batch, packed });
  return packed;
}

/** Generator words a dropout draw uses (gru_layout.h: gruDropoutWords). */
function dropoutWords(c: GruOpConfig, seqLen: number, batch: number): number {
  const words = (c.numLayers - 1) * seqLen * batch * (c.bidirectional ? 2 : 1) * c.hiddenSize;
  return Math.ceil(words / 4) * 4;
}

class GruNode extends GradNode {
  private readonly x: Tensor;
  private readonly weights: Tensor;
  private readonly h0: Tensor | null;
  private readonly lengths: Tensor | null;
  /** The forward's output: cuDNN's backward reads it (the CPU kernels do not). */
  private readonly output: Tensor | null;

  constructor(
    inputs: GruOpInputs,
    output: Tensor,
    private readonly config: Float64Array,
    private readonly reserve: Tensor,
    private readonly implementation: GruImplementation,
  ) {
    super('gruBackward', [inputs.x, inputs.weights, inputs.h0], 2);
    this.output = inputs.x.device === 'cuda' ? this.save(output) : null;
    this.x = this.save(inputs.x);
    this.weights = this.save(inputs.weights);
    this.h0 = inputs.h0 && this.save(inputs.h0);
    this.lengths = inputs.lengths && this.save(inputs.lengths);
  }

  backward([dOutput, dHN]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const [xIn, wIn, h0In] = this.inputs;
    const like = (t: Tensor): Tensor => Tensor.empty(t.shape, { dtype: t.dtype, device: t.device });
    const dx = xIn ? like(this.x) : null;
    const dh0 = h0In && this.h0 ? like(this.h0) : null;
    // A leaf weight buffer with a gradient (every GRU's flat parameters) is accumulated into
    // in place, like cuDNN's weight-gradient mode; anything else gets its own buffer.
    const accumulateInPlace = wIn !== null && wIn.isLeaf && wIn.grad !== null && !wIn.grad.disposed;
    const dWeights = wIn === null ? null : accumulateInPlace ? wIn.grad! : Tensor.zeros(this.weights.shape, { dtype: this.weights.dtype, device: this.weights.device });
    const scratch = dWeights === null ? Tensor.zeros(this.weights.shape, { dtype: this.weights.dtype, device: this.weights.device }) : null;
    native.gruBackward(
      this.config, this.x.handle, this.h0?.handle ?? null, this.weights.handle, this.lengths?.handle ?? null,
      this.reserve.handle, dOutput?.handle ?? null, dHN?.handle ?? null, dx?.handle ?? null, dh0?.handle ?? null,
      (dWeights ?? scratch)!.handle, this.implementation, this.output?.handle ?? null,
    );
    scratch?.dispose();
    return [dx, accumulateInPlace ? null : dWeights, dh0];
  }

  override release(): void {
    super.release();
    this.reserve.dispose();
  }
}

/** Runs the GRU; returns the output sequence and the final states, recorded on the tape. */
export function gruOp(config: GruOpConfig, inputs: GruOpInputs, options: GruOpOptions): { output: Tensor; hN: Tensor } {
  const { x, weights, h0, lengths, seqLen, batch } = inputs;
  const directions = config.bidirectional ? 2 : 1;
  const recordGrad = isGradEnabled() && (x.requiresGrad || weights.requiresGrad || (h0?.requiresGrad ?? false));
  const useDropout = options.training && config.dropout > 0 && config.numLayers > 1;
  let packed: Float64Array;
  if (useDropout) {
    const nativeConfig: NativeGruConfig = { ...config, seqLen, batch, dropoutSeed: 0n, dropoutOffset: 0 };
    options.generator.draw((seed, offset) => {
      nativeConfig.dropoutSeed = seed;
      nativeConfig.dropoutOffset = offset;
      return dropoutWords(config, seqLen, batch);
    });
    packed = packGruConfig(nativeConfig);
  } else {
    packed = packedConfigOf(config, seqLen, batch);
  }
  const implementation = options.implementation ?? 0;
  const outShape = config.batchFirst ? [batch, seqLen, directions * config.hiddenSize] : [seqLen, batch, directions * config.hiddenSize];
  const output = Tensor.empty(options.outputShape ?? outShape, { dtype: x.dtype, device: x.device });
  const hN = Tensor.empty(options.stateShape ?? [config.numLayers * directions, batch, config.hiddenSize], { dtype: x.dtype, device: x.device });
  // Dropout needs the training kernel even without grad (its masks live in the reserve).
  const reserve = recordGrad || useDropout
    ? Tensor.empty([native.gruBufferSizes(packed, implementation, DEVICE_CODE[x.device], DTYPE_CODE[x.dtype]).reserve], { dtype: x.dtype, device: x.device })
    : null;
  native.gruForward(
    packed, x.handle, h0?.handle ?? null, weights.handle, lengths?.handle ?? null,
    output.handle, hN.handle, reserve?.handle ?? null, implementation,
  );
  if (recordGrad) attach(new GruNode(inputs, output, packed, reserve!, implementation), output, hN);
  else reserve?.dispose();
  return { output, hN };
}
