/**
 * Tensor: an n-dimensional, contiguous, row-major array on a device, backed by native memory.
 *
 * Memory has one owner: call dispose() (or `using t = ...`, or scope()) when done; a finalizer
 * frees what was forgotten. Ops are queued on the device's stream and return at once; reading
 * values waits for them: `await t.data()` without blocking the event loop, `t.dataSync()`
 * blocking.
 *
 * This file is a leaf: it imports nothing from ops/ or autograd/ at run time. The chained
 * methods declared at the end (t.add(), t.reshape(), t.backward(), ...) are installed by
 * tensor-methods.ts.
 */
import { checkFiniteNumber, checkOptions } from './arguments';
import { requireDevice } from './backends';
import {
  BYTES_PER_ELEMENT,
  DEVICE_CODE,
  DTYPE_CODE,
  TYPED_ARRAY,
  checkDevice,
  checkDType,
  dtypeOfTypedArray,
  isFloating,
  type AnyTypedArray,
  type DType,
  type DTypeOfData,
  type Device,
  type TypedArrayOf,
} from './dtype';
import type { GradNode } from './autograd/node';
import { ArgumentError, DTypeError, DisposedError, OutOfMemoryError, ShapeError } from './errors';
import { describe, formatShape } from './format';
import { native, nativeConstants } from './native/binding';
import type { TensorHandle } from './native/types';
import { flatten, inferShape, unflatten, type NestedArray } from './nested';
import { Generator, defaultGenerator } from './random';
import { forgetInScope, trackInScope } from './scope';
import { checkShape, numelOf, type Shape } from './shape';

declare global {
  // Declared here too, so the published types compile without the ESNext.Disposable lib.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
  // Also for consumers whose lib is ES5 (TypeScript 5's default), which has no Symbol at all.
  var Symbol: SymbolConstructor;
}

export interface TensorOptions<D extends DType = DType> {
  dtype?: D;
  device?: Device;
}

export interface RandomOptions<D extends DType = DType> extends TensorOptions<D> {
  generator?: Generator;
}

export interface UniformOptions<D extends DType = DType> extends RandomOptions<D> {
  /** Inclusive lower bound (default 0). */
  low?: number;
  /** Exclusive upper bound (default 1). */
  high?: number;
}

export interface NormalOptions<D extends DType = DType> extends RandomOptions<D> {
  mean?: number;
  std?: number;
}

export interface BackwardOptions {
  /** Keep the tape (and what it saved) for another backward() (default false). */
  retainGraph?: boolean;
}

export type TensorData = AnyTypedArray | ArrayLike<number> | NestedArray;

/**
 * Counts in-place writes to one storage; every view of the storage shares it. The autograd
 * tape records it when it saves a tensor and refuses to run backward if it changed
 * (PyTorch's version counter).
 */
export interface VersionCounter {
  value: number;
}

const TENSOR_OPTIONS = ['dtype', 'device'] as const;
const UNIFORM_OPTIONS = ['dtype', 'device', 'generator', 'low', 'high'] as const;
const NORMAL_OPTIONS = ['dtype', 'device', 'generator', 'mean', 'std'] as const;
const FLOAT32_MAX = 3.4028234663852886e38;

function resolveOptions(options: TensorOptions | undefined, fallbackDType: DType, valid: readonly string[] = TENSOR_OPTIONS,
                        where = 'options'): { dtype: DType; device: Device } {
  const o = checkOptions(options, valid, where);
  const dtype = o.dtype === undefined ? fallbackDType : checkDType(o.dtype, `${where}.dtype`);
  const device = o.device === undefined ? 'cpu' : checkDevice(o.device, `${where}.device`);
  requireDevice(device);
  return { dtype, device };
}

/** Copies `values` into a typed array of `dtype`, refusing values int32 cannot hold exactly. */
function toTypedArray(values: ArrayLike<number>, dtype: DType, argument: string): AnyTypedArray {
  if (dtype === 'int32') {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
        throw new DTypeError(`${argument}[${i}] = ${describe(v)} cannot be stored exactly as int32`);
      }
    }
  }
  return TYPED_ARRAY[dtype].from(values);
}

/** A zeroed typed array of `numel` values, or OutOfMemoryError where JS cannot allocate one. */
/** `owner` names the tensor in the error; only formatted then, since reads are a hot path. */
function allocateValues<D extends DType>(dtype: D, numel: number, owner: { toString(): string }): TypedArrayOf<D> {
  try {
    return new TYPED_ARRAY[dtype](numel) as TypedArrayOf<D>;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new OutOfMemoryError(`cannot allocate ${numel * BYTES_PER_ELEMENT[dtype]} bytes of JS memory for the values of ${owner.toString()}`);
  }
}

function checkGenerator(generator: unknown, argument: string): Generator {
  if (generator === undefined) return defaultGenerator;
  if (!(generator instanceof Generator)) throw new ArgumentError(`${argument} must be a Generator, got ${describe(generator)}`);
  return generator;
}

/** A finite number that fits the dtype (float32 values beyond its range would be infinities). */
function checkFiniteIn(value: unknown, dtype: DType, argument: string): number {
  const v = checkFiniteNumber(value, argument);
  if (dtype === 'float32' && Math.abs(v) > FLOAT32_MAX) throw new ArgumentError(`${argument} = ${v} is beyond the float32 range`);
  return v;
}

export class Tensor<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly device: Device;
  private handleOrNull: TensorHandle | null;
  private requiresGradFlag = false;
  /** Accumulated gradient (leaves that require grad), filled by backward(). */
  grad: Tensor<D> | null = null;
  /** @internal The tape node that produced this tensor (null for leaves). */
  gradFn: GradNode | null = null;
  /** @internal Which output of gradFn this tensor is. */
  outputIndex = 0;
  /** @internal Shared by every tensor over the same storage. */
  readonly version: VersionCounter;

  /** @internal Wraps a native handle; use the static constructors instead. */
  constructor(handle: TensorHandle, shape: readonly number[], dtype: D, device: Device, version: VersionCounter = { value: 0 }) {
    this.handleOrNull = handle;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.device = device;
    this.version = version;
    trackInScope(this);
  }

  // ---- construction -------------------------------------------------------------------

  /**
   * A tensor holding a copy of `data` (a typed array, a flat array, or nested arrays).
   * `shape` defaults to the nested arrays' shape (or `[length]`); dtype defaults to the typed
   * array's own (float32 for plain arrays and other typed arrays).
   */
  static from<T extends TensorData, D extends DType = DTypeOfData<T>>(data: T, shape?: readonly number[], options?: TensorOptions<D>): Tensor<D> {
    let flat: ArrayLike<number>;
    let inferred: number[];
    let nativeDType: DType | undefined;
    if (ArrayBuffer.isView(data)) {
      if (data instanceof DataView || typeof (data as unknown as ArrayLike<number>).length !== 'number' || data instanceof BigInt64Array || data instanceof BigUint64Array) {
        throw new ArgumentError(`data must be a numeric typed array, an array or nested arrays, got ${describe(data)}`);
      }
      flat = data as unknown as ArrayLike<number>;
      inferred = [flat.length];
      nativeDType = dtypeOfTypedArray(data);
    } else if (Array.isArray(data)) {
      inferred = inferShape(data, 'data');
      flat = flatten(data as NestedArray);
    } else if (typeof data === 'number') {
      inferred = [];
      flat = [data];
    } else {
      throw new ArgumentError(`data must be a numeric typed array, an array or nested arrays, got ${describe(data)}`);
    }
    const { dtype, device } = resolveOptions(options, nativeDType ?? 'float32');
    const finalShape = shape === undefined ? inferred : checkShape(shape, 'shape');
    if (numelOf(finalShape) !== flat.length) {
      throw new ShapeError(`shape ${formatShape(finalShape)} holds ${numelOf(finalShape)} elements but data has ${flat.length}`);
    }
    const typed = nativeDType === dtype ? (flat as AnyTypedArray) : toTypedArray(flat, dtype, 'data');
    return new Tensor(native.fromTypedArray(typed, DTYPE_CODE[dtype], DEVICE_CODE[device]), finalShape, dtype as D, device);
  }

  /** Uninitialised memory: only for outputs that are fully written before being read. */
  static empty<D extends DType = 'float32'>(shape: readonly number[], options?: TensorOptions<D>): Tensor<D> {
    const s = checkShape(shape, 'shape');
    const { dtype, device } = resolveOptions(options, 'float32');
    return new Tensor(native.empty(DTYPE_CODE[dtype], DEVICE_CODE[device], numelOf(s)), s, dtype as D, device);
  }

  /** Every element `value` (int32 tensors need an integer in range; float32 values beyond its range are refused). */
  static full<D extends DType = 'float32'>(shape: readonly number[], value: number, options?: TensorOptions<D>): Tensor<D> {
    if (typeof value !== 'number') throw new ArgumentError(`value must be a number, got ${describe(value)}`);
    const s = checkShape(shape, 'shape');
    const { dtype, device } = resolveOptions(options, 'float32');
    return new Tensor(native.full(DTYPE_CODE[dtype], DEVICE_CODE[device], numelOf(s), value), s, dtype as D, device);
  }

  static zeros<D extends DType = 'float32'>(shape: readonly number[], options?: TensorOptions<D>): Tensor<D> {
    return Tensor.full(shape, 0, options);
  }

  static ones<D extends DType = 'float32'>(shape: readonly number[], options?: TensorOptions<D>): Tensor<D> {
    return Tensor.full(shape, 1, options);
  }

  /** Uniform on [low, high) (default [0, 1)), from `options.generator` or the default one. */
  static rand<D extends DType = 'float32'>(shape: readonly number[], options?: UniformOptions<D>): Tensor<D> {
    const { dtype, device } = resolveOptions(options, 'float32', UNIFORM_OPTIONS);
    const o = options ?? {};
    const low = checkFiniteIn(o.low ?? 0, dtype, 'options.low');
    const high = checkFiniteIn(o.high ?? 1, dtype, 'options.high');
    if (high < low) throw new ArgumentError(`options.high (${high}) must be >= options.low (${low})`);
    return Tensor.random(shape, dtype as D, device, o.generator, nativeConstants.distributions.uniform, low, high);
  }

  /** Normal with the given mean and standard deviation (default 0 and 1). */
  static randn<D extends DType = 'float32'>(shape: readonly number[], options?: NormalOptions<D>): Tensor<D> {
    const { dtype, device } = resolveOptions(options, 'float32', NORMAL_OPTIONS);
    const o = options ?? {};
    const mean = checkFiniteIn(o.mean ?? 0, dtype, 'options.mean');
    const std = checkFiniteIn(o.std ?? 1, dtype, 'options.std');
    if (std < 0) throw new ArgumentError(`options.std must be >= 0, got ${std}`);
    return Tensor.random(shape, dtype as D, device, o.generator, nativeConstants.distributions.normal, mean, std);
  }

  private static random<D extends DType>(shape: readonly number[], dtype: D, device: Device, generatorOption: unknown,
                                        distribution: number, a: number, b: number): Tensor<D> {
    const generator = checkGenerator(generatorOption, 'options.generator');
    const s = checkShape(shape, 'shape');
    if (!isFloating(dtype)) throw new DTypeError(`random tensors need a floating dtype (float32 or float64), got ${dtype}`);
    const t = new Tensor(native.empty(DTYPE_CODE[dtype], DEVICE_CODE[device], numelOf(s)), s, dtype, device);
    try {
      generator.draw((seed, offset) => native.random(t.handle, distribution, seed, offset, a, b));
    } catch (error) {
      t.dispose();
      throw error;
    }
    return t;
  }

  // ---- properties ---------------------------------------------------------------------

  get numel(): number {
    return numelOf(this.shape);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get nbytes(): number {
    return this.numel * BYTES_PER_ELEMENT[this.dtype];
  }

  get disposed(): boolean {
    return this.handleOrNull === null;
  }

  /** @internal The native handle; throws DisposedError after dispose(). */
  get handle(): TensorHandle {
    if (this.handleOrNull === null) {
      throw new DisposedError(`this tensor (shape ${formatShape(this.shape)}, ${this.dtype}, ${this.device}) was disposed and cannot be used`);
    }
    return this.handleOrNull;
  }

  /** @internal A tensor over the same memory with another shape (same element count), sharing the version counter. */
  viewAs(shape: Shape, elementOffset = 0, numel = numelOf(shape)): Tensor<D> {
    return new Tensor(native.view(this.handle, elementOffset, numel), shape, this.dtype, this.device, this.version);
  }

  /** @internal Records an in-place write to this tensor's memory (Note: VersionCounter). */
  bumpVersion(): void {
    this.version.value++;
  }

  // ---- autograd -----------------------------------------------------------------------

  /** Whether ops on this tensor record gradients. Only floating tensors can require grad. */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    if (typeof value !== 'boolean') throw new ArgumentError(`requiresGrad must be a boolean, got ${describe(value)}`);
    if (value && !isFloating(this.dtype)) throw new DTypeError(`only float32 and float64 tensors can require gradients, got ${this.dtype}`);
    if (!value && this.gradFn !== null) throw new ArgumentError('requiresGrad cannot be turned off on a tensor computed by a recorded op; use detach()');
    this.requiresGradFlag = value;
  }

  /** Marks this leaf as requiring gradients; returns this. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** True for tensors not produced by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** A view of the same memory that is cut from the tape. */
  detach(): Tensor<D> {
    return this.viewAs(this.shape);
  }

  // ---- reading ------------------------------------------------------------------------

  /** A copy of the values, once every queued op that writes them has run. Never blocks. */
  async data(): Promise<TypedArrayOf<D>> {
    const handle = this.handle;
    return native.readAsync(handle, allocateValues(this.dtype, this.numel, this));
  }

  /** Like data(), but blocks the calling thread until the values are ready. */
  dataSync(): TypedArrayOf<D> {
    const handle = this.handle;
    const values = allocateValues(this.dtype, this.numel, this);
    native.readSync(handle, values);
    return values;
  }

  /** The values as nested arrays of `shape` (a number for a scalar). */
  async toArray(): Promise<NestedArray> {
    return unflatten(await this.data(), this.shape);
  }

  /** Like toArray(), but blocks until the values are ready. */
  toArraySync(): NestedArray {
    return unflatten(this.dataSync(), this.shape);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    this.requireSingle();
    return (await this.data())[0];
  }

  itemSync(): number {
    this.requireSingle();
    return this.dataSync()[0];
  }

  private requireSingle(): void {
    if (this.numel !== 1) throw new ShapeError(`item() needs a tensor with exactly one element, got shape ${formatShape(this.shape)}`);
  }

  // ---- lifetime -----------------------------------------------------------------------

  /** Frees this tensor's reference to its memory now. Idempotent. */
  dispose(): void {
    if (this.handleOrNull === null) return;
    this.handleOrNull.release();
    this.handleOrNull = null;
    forgetInScope(this);
    this.gradFn?.outputDisposed();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    const state = this.disposed ? ', disposed' : '';
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}, device=${this.device}${state})`;
  }
}

/** The chained methods, installed by tensor-methods.ts (PyTorch's names and meanings). */
export interface Tensor<D extends DType = DType> {
  /** this + other (a tensor of this shape, a one-element tensor, or a number). */
  add(other: Tensor<D> | number): Tensor<D>;
  sub(other: Tensor<D> | number): Tensor<D>;
  mul(other: Tensor<D> | number): Tensor<D>;
  div(other: Tensor<D> | number): Tensor<D>;
  neg(): Tensor<D>;
  /** A float32 copy (torch's t.float()); float64 <-> float32 is differentiable. */
  float(): Tensor<'float32'>;
  double(): Tensor<'float64'>;
  /** An int32 copy, truncating toward zero (not differentiable). */
  int(): Tensor<'int32'>;
  /** A copy in `dtype` (a view when it already has it). */
  toDType<T extends DType>(dtype: T): Tensor<T>;
  maximum(other: Tensor<D> | number): Tensor<D>;
  minimum(other: Tensor<D> | number): Tensor<D>;
  /** Comparisons: 1 or 0 in this dtype (broadcast); not differentiable. */
  eq(other: Tensor<D> | number): Tensor<D>;
  ne(other: Tensor<D> | number): Tensor<D>;
  lt(other: Tensor<D> | number): Tensor<D>;
  le(other: Tensor<D> | number): Tensor<D>;
  gt(other: Tensor<D> | number): Tensor<D>;
  ge(other: Tensor<D> | number): Tensor<D>;
  /** condition ? this : other, elementwise (torch.where(condition, this, other)). */
  where(condition: Tensor<D>, other: Tensor<D> | number): Tensor<D>;
  exp(): Tensor<D>;
  log(): Tensor<D>;
  sqrt(): Tensor<D>;
  abs(): Tensor<D>;
  relu(): Tensor<D>;
  tanh(): Tensor<D>;
  sigmoid(): Tensor<D>;
  gelu(): Tensor<D>;
  sign(): Tensor<D>;
  pow(exponent: number | Tensor<D>): Tensor<D>;
  clamp(min?: number | null, max?: number | null): Tensor<D>;
  /** The sum of all elements (a scalar), or along dim(s). */
  sum(dim?: number | readonly number[], options?: { keepDim?: boolean } | boolean): Tensor<D>;
  mean(dim?: number | readonly number[], options?: { keepDim?: boolean } | boolean): Tensor<D>;
  /** The largest element, or along `dim` with indices. */
  max(): Tensor<D>;
  max(dim: number, options?: { keepDim?: boolean } | boolean): { values: Tensor<D>; indices: Tensor<'int32'> };
  min(): Tensor<D>;
  min(dim: number, options?: { keepDim?: boolean } | boolean): { values: Tensor<D>; indices: Tensor<'int32'> };
  argmax(dim?: number, options?: { keepDim?: boolean } | boolean): Tensor<'int32'>;
  argmin(dim?: number, options?: { keepDim?: boolean } | boolean): Tensor<'int32'>;
  softmax(dim: number): Tensor<D>;
  logSoftmax(dim: number): Tensor<D>;
  /** torch.matmul: 2-D, batched with broadcasting, or with vectors. */
  matmul(other: Tensor<D>): Tensor<D>;
  /** A copy with dimensions reordered. */
  permute(dims: readonly number[]): Tensor<D>;
  transpose(dim0: number, dim1: number): Tensor<D>;
  /** Python's t[start:end:step] along dim (a copy). */
  slice(dim: number, start?: number, end?: number, step?: number): Tensor<D>;
  /** Index `index` of `dim`, which is removed. */
  select(dim: number, index: number): Tensor<D>;
  indexSelect(dim: number, index: Tensor<'int32'>): Tensor<D>;
  gather(dim: number, index: Tensor<'int32'>): Tensor<D>;
  /** This tensor joined with `others` along `dim`. */
  cat(others: readonly Tensor<D>[], dim?: number): Tensor<D>;
  /** The same memory with a new shape (one dimension may be -1). */
  reshape(shape: readonly number[]): Tensor<D>;
  /** PyTorch's view: the same as reshape for these always-contiguous tensors. */
  view(shape: readonly number[]): Tensor<D>;
  /** Indices [start, start + length) of dimension `dim`; a view for dim 0 (or a leading run of size-1 dims), else a copy. */
  narrow(dim: number, start: number, length: number): Tensor<D>;
  /** A copy on `device` (a detached view when already there). */
  to(device: Device): Tensor<D>;
  /**
   * Backpropagates from this tensor: every leaf it depends on that requires grad gets the
   * gradient added to its `.grad`. Needs a one-element tensor unless `gradient` (same shape) is
   * given. The tape is freed afterwards unless `retainGraph`.
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void;
  /** this += alpha * other (same shape, dtype and device). Returns this. */
  add_(other: Tensor<D>, alpha?: number): this;
  /** Sets every element to `value`. Returns this. */
  fill_(value: number): this;
  zero_(): this;
  /** Copies `source`'s values (same shape; any dtype and device) into this tensor. Returns this. */
  copy_(source: Tensor): this;
}

export type { Shape };
