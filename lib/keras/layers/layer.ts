/**
 * What Keras layers share: a name (Keras's: `gru`, `gru_1`, ... per class), an optional input
 * shape (`inputShape` without the batch, or `batchInputShape`), building on first use from the
 * input width, the module that holds the weights, and Keras-layout weights.
 */
import { checkInteger } from '../../arguments';
import type { Device, FloatDType } from '../../dtype';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import type { Module } from '../../nn/module';
import type { Generator } from '../../random';
import type { Tensor } from '../../tensor';

/** Options every layer takes. */
export interface LayerOptions {
  name?: string;
  /** The input's shape without the batch dimension (only the first layer of a model needs one). */
  inputShape?: number[];
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
  readonly declaredInputShape: number[] | null;
  private builtShape: number[] | null = null;

  protected constructor(options: LayerOptions, base: string, readonly className: string) {
    this.name = options.name === undefined ? uniqueName(base) : checkName(options.name);
    this.declaredInputShape = inputShapeOf(options, className);
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  /** The input shape (without batch) the layer was built for. */
  get inputShape(): number[] | null {
    return this.builtShape;
  }

  /** Makes the weights for inputs of `inputShape` (without batch); once. */
  build(inputShape: number[], placement: Placement): void {
    if (this.builtShape !== null) return;
    this.buildWeights(inputShape, placement);
    this.builtShape = [...inputShape];
  }

  protected abstract buildWeights(inputShape: number[], placement: Placement): void;
  /** The output shape (without batch) for an input shape (without batch). */
  abstract outputShape(inputShape: number[]): number[];
  /** The layer on a batch; `training` turns dropout on. */
  abstract call(x: Tensor, training: boolean): Tensor;
  /** The module holding the weights (null for layers without any). */
  abstract get module(): Module | null;
  /** Copies of the weights in Keras's layout and order (never views); the caller disposes them. */
  abstract getWeights(): KerasWeight[];
  /** Copies Keras-layout weights (in getWeights() order) into the layer. */
  abstract setWeights(weights: readonly Tensor[]): void;
  /** Keras's parameter count (what summary() shows). */
  abstract countParams(): number;

  protected requireBuilt(what: string): void {
    if (!this.built) throw new ArgumentError(`${this.name}.${what}: the layer is not built yet (give the model an inputShape, or call it once)`);
  }
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new ArgumentError(`layer name must be a non-empty string, got ${describe(name)}`);
  return name;
}

function inputShapeOf(options: LayerOptions, className: string): number[] | null {
  const where = `${className} options`;
  if (options.inputShape !== undefined && options.batchInputShape !== undefined) {
    throw new ArgumentError(`${where}: give inputShape or batchInputShape, not both`);
  }
  const shape = options.inputShape ?? options.batchInputShape?.slice(1);
  if (shape === undefined) return null;
  if (!Array.isArray(shape)) throw new ArgumentError(`${where}.inputShape must be an array of sizes, got ${describe(shape)}`);
  return shape.map((s, i) => checkInteger(s, `${where}.inputShape[${i}]`, 1));
}
