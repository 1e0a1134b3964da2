/**
 * What Keras layers share: a name (Keras's: `gru`, `gru_1`, ... per class), an optional input
 * shape (`inputShape` without the batch, or `batchInputShape`), building on first use from the
 * input width, the module that holds the weights, and Keras-layout weights.
 */
import { checkInteger, checkOptions, optionalBoolean } from '../../arguments';
import type { Device, FloatDType } from '../../dtype';
import { ArgumentError, ShapeError } from '../../errors';
import { describe } from '../../format';
import type { Module } from '../../nn/module';
import type { Generator } from '../../random';
import type { Tensor } from '../../tensor';
import { add } from '../../ops/arithmetic';
import type { Mask } from '../mask';
import type { Regularizer } from '../regularizers';
import { SymbolicTensor } from '../symbolic';
import { checkWeightCount } from './weights';

/** A dimension of a layer's shape: a size, or null where any size goes (Keras's None). */
export type Dim = number | null;
/** A shape without the batch dimension. */
export type Shape = Dim[];

/** Options every layer takes. */
export interface LayerOptions {
  name?: string;
  /** The input's shape without the batch dimension (null for any size, e.g. [null, 16] for any length); only the first layer of a model needs one. */
  inputShape?: Shape;
  /** The input's shape with the batch dimension (null for any batch). */
  batchInputShape?: (number | null)[];
}

export const LAYER_OPTIONS = ['name', 'inputShape', 'batchInputShape'] as const;

export interface Placement {
  dtype: FloatDType;
  device: Device;
  generator: Generator;
}

/** One weight in Keras's layout and order (`kernel`, `recurrent_kernel`, `bias`, ...). */
export interface KerasWeight {
  name: string;
  tensor: Tensor;
}

const nameCounts = new Map<string, number>();

/** Keras's automatic names: the first `gru`, then `gru_1`, `gru_2`, ... */
export function uniqueName(base: string): string {
  const count = nameCounts.get(base) ?? 0;
  nameCounts.set(base, count + 1);
  return count === 0 ? base : `${base}_${count}`;
}

export abstract class Layer {
  readonly name: string;
  /** The input shape without the batch, when the layer was given one. */
  readonly declaredInputShape: Shape | null;
  private builtShape: Shape | null = null;

  protected constructor(options: LayerOptions, base: string, readonly className: string) {
    this.name = options.name === undefined ? uniqueName(base) : checkName(options.name);
    this.declaredInputShape = inputShapeOf(options, className);
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  /** The input shape (without batch) the layer was built for. */
  get inputShape(): Shape | null {
    return this.builtShape;
  }

  /** Makes the weights for inputs of `inputShape` (without batch); once. */
  build(inputShape: Shape, placement: Placement): void {
    if (this.builtShape !== null) return;
    this.buildWeights(inputShape, placement);
    this.builtShape = [...inputShape];
  }

  protected abstract buildWeights(inputShape: Shape, placement: Placement): void;
  /** The output shape (without batch) for an input shape (without batch). */
  abstract outputShape(inputShape: Shape): Shape;
  /**
   * The layer on a batch (dropout off unless options.training), or on a keras.input() placeholder,
   * giving the placeholder of its output for keras.model(). As in TF.js, a tensor result is typed
   * Tensor | Tensor[] (a GRU with returnState gives [output, state]); call() gives one Tensor.
   */
  apply(x: Tensor, options?: { training?: boolean; mask?: Mask | null }): Tensor | Tensor[];
  apply(x: SymbolicTensor): SymbolicTensor;
  apply(x: Tensor | SymbolicTensor, options: { training?: boolean; mask?: Mask | null } = {}): Tensor | Tensor[] | SymbolicTensor {
    if (x instanceof SymbolicTensor) return this.applySymbolic(x);
    const o = checkOptions(options, ['training', 'mask'], `${this.name}.apply options`);
    return this.call(x, optionalBoolean(o.training, false, `${this.name}.apply options.training`), o.mask ?? null);
  }

  /** @internal The placeholder of this layer's output on `x`. */
  applySymbolic(x: SymbolicTensor): SymbolicTensor {
    return new SymbolicTensor(this.outputShape(x.shape), this, x, this.name);
  }

  /** The layer on a batch; `training` turns dropout on; `mask` marks the batch's real steps. */
  abstract call(x: Tensor, training: boolean, mask?: Mask | null): Tensor;
  /** The mask of the output for input `x` (Keras's compute_mask): the input's, passed along. */
  computeMask(_x: Tensor, mask: Mask | null): Mask | null {
    return mask;
  }
  /** The module holding the weights (null for layers without any). */
  abstract get module(): Module | null;
  /** Copies of the weights in Keras's layout and order (never views); the caller disposes them. */
  abstract getWeights(): KerasWeight[];
  /** Copies Keras-layout weights (in getWeights() order) into the layer. */
  abstract setWeights(weights: readonly Tensor[]): void;
  /** Keras's parameter count (what summary() shows). */
  abstract countParams(): number;

  /** The size of dimension `dim` of the built input shape, which the layer's weights need known. */
  protected knownSize(shape: Shape, dim: number, what: string): number {
    const size = shape[dim];
    if (size === null || size === undefined) throw new ShapeError(`${this.name}: the ${what} dimension of its input must be known to build its weights, got [batch, ${formatDims(shape)}]`);
    return size;
  }

  /** The weight penalties of the layer's regularizers, as Keras's layer.losses summed (null without any). */
  regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const { regularizer, weights } of this.regularized()) {
      const penalty = regularizer.penalty(weights);
      total = total ? add(total, penalty) : penalty;
    }
    return total;
  }

  /** Each regularizer given and the engine tensors it weighs (sums of squares and of magnitudes do not see the layout). */
  protected regularized(): { regularizer: Regularizer; weights: Tensor[] }[] {
    return [];
  }

  protected requireBuilt(what: string): void {
    if (!this.built) throw new ArgumentError(`${this.name}.${what}: the layer is not built yet (give the model an inputShape, or call it once)`);
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new ArgumentError(`layer name must be a non-empty string, got ${describe(name)}`);
  return name;
}

function inputShapeOf(options: LayerOptions, className: string): Shape | null {
  const where = `${className} options`;
  if (options.inputShape !== undefined && options.batchInputShape !== undefined) {
    throw new ArgumentError(`${where}: give inputShape or batchInputShape, not both`);
  }
  const shape = options.inputShape ?? options.batchInputShape?.slice(1);
  if (shape === undefined) return null;
  if (!Array.isArray(shape)) throw new ArgumentError(`${where}.inputShape must be an array of sizes, got ${describe(shape)}`);
  return shape.map((s, i) => (s === null ? null : checkInteger(s, `${where}.inputShape[${i}]`, 1)));
}

/** A layer without weights (dropout, masking, input): nothing to build, count or copy. */
export abstract class WeightlessLayer extends Layer {
  get module(): null {
    return null;
  }

  protected buildWeights(_inputShape: Shape, _placement: Placement): void {}

  outputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  getWeights(): KerasWeight[] {
    return [];
  }

  setWeights(weights: readonly Tensor[]): void {
    checkWeightCount(this, weights, 0);
  }

  countParams(): number {
    return 0;
  }
}

/** A shape as Keras prints it: None for unknown sizes. */
export function formatDims(shape: readonly Dim[]): string {
  return shape.map((d) => (d === null ? 'None' : String(d))).join(', ');
}
