/**
 * Tensor: an n-dimensional, contiguous, row-major array on a device, backed by native memory.
 *
 * Memory has one owner: call dispose() (or `using t = ...`) when done; a finalizer frees what
 * was forgotten. Ops are queued on the device's stream and return at once; reading values
 * waits for them: `await t.data()` without blocking the event loop, `t.dataSync()` blocking.
 */
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
  type Device,
  type TypedArrayOf,
} from './dtype';
import { runBackward } from './autograd/engine';
import { isGradEnabled } from './autograd/grad-mode';
import { NarrowNode, ReshapeNode } from './autograd/view-nodes';
import { toDevice } from './ops/transfer';
import type { GradNode } from './autograd/node';
import { ArgumentError, DTypeError, DisposedError, ShapeError, describe, formatShape } from './errors';
import { native } from './native/binding';
import type { TensorHandle } from './native/types';
import { flatten, inferShape, unflatten, type NestedArray } from './nested';
import { defaultGenerator, type Generator } from './random';
import { checkFiniteNumber, checkShape, numelOf, resolveReshape, type Shape } from './shape';

export interface TensorOptions {
  dtype?: DType;
  device?: Device;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

export type TensorData = AnyTypedArray | ArrayLike<number> | NestedArray;

function resolveOptions(options: TensorOptions | undefined, fallbackDType: DType): { dtype: DType; device: Device } {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ArgumentError(`options must be an object, got ${describe(options)}`);
  }
  const dtype = options?.dtype === undefined ? fallbackDType : checkDType(options.dtype, 'options.dtype');
  const device = options?.device === undefined ? 'cpu' : checkDevice(options.device, 'options.device');
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

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: Device;
  #handle: TensorHandle | null;
  #requiresGrad = false;
  /** Accumulated gradient (leaves that require grad), filled by backward(). */
  grad: Tensor | null = null;
  /** @internal The tape node that produced this tensor (null for leaves). */
  gradFn: GradNode | null = null;
  /** @internal Which output of gradFn this tensor is. */
  outputIndex = 0;

  /** @internal Wraps a native handle; use the static constructors instead. */
  constructor(handle: TensorHandle, shape: readonly number[], dtype: DType, device: Device) {
    this.#handle = handle;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.device = device;
  }

  // ---- construction -------------------------------------------------------------------

  /**
   * A tensor holding a copy of `data` (a typed array, a flat array, or nested arrays).
   * `shape` defaults to the nested arrays' shape (or `[length]`); dtype defaults to the typed
   * array's own (float32 for plain arrays and other typed arrays).
   */
  static from(data: TensorData, shape?: readonly number[], options?: TensorOptions): Tensor {
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
      flat = flatten(data);
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
    return new Tensor(native.fromTypedArray(typed, DTYPE_CODE[dtype], DEVICE_CODE[device]), finalShape, dtype, device);
  }

  /** Uninitialised memory: only for outputs that are fully written before being read. */
  static empty(shape: readonly number[], options?: TensorOptions): Tensor {
    const s = checkShape(shape, 'shape');
    const { dtype, device } = resolveOptions(options, 'float32');
    return new Tensor(native.empty(DTYPE_CODE[dtype], DEVICE_CODE[device], numelOf(s)), s, dtype, device);
  }

  static full(shape: readonly number[], value: number, options?: TensorOptions): Tensor {
    if (typeof value !== 'number') throw new ArgumentError(`value must be a number, got ${describe(value)}`);
    const t = Tensor.empty(shape, options);
    if (t.dtype === 'int32' && !(Number.isInteger(value) && Math.abs(value) <= 2147483647)) {
      t.dispose();
      throw new DTypeError(`value ${describe(value)} cannot be stored exactly as int32`);
    }
    native.fill(t.handle, value);
    return t;
  }

  static zeros(shape: readonly number[], options?: TensorOptions): Tensor {
    return Tensor.full(shape, 0, options);
  }

  static ones(shape: readonly number[], options?: TensorOptions): Tensor {
    return Tensor.full(shape, 1, options);
  }

  /** Uniform on [low, high) (default [0, 1)), from `options.generator` or the default one. */
  static rand(shape: readonly number[], options?: RandomOptions & { low?: number; high?: number }): Tensor {
    const low = checkFiniteNumber(options?.low ?? 0, 'options.low');
    const high = checkFiniteNumber(options?.high ?? 1, 'options.high');
    if (high < low) throw new ArgumentError(`options.high (${high}) must be >= options.low (${low})`);
    return Tensor.random(shape, options, (h, seed, offset) => native.uniform(h, seed, offset, low, high));
  }

  /** Normal with the given mean and std (default 0 and 1). */
  static randn(shape: readonly number[], options?: RandomOptions & { mean?: number; std?: number }): Tensor {
    const mean = checkFiniteNumber(options?.mean ?? 0, 'options.mean');
    const std = checkFiniteNumber(options?.std ?? 1, 'options.std');
    if (std < 0) throw new ArgumentError(`options.std must be >= 0, got ${std}`);
    return Tensor.random(shape, options, (h, seed, offset) => native.normal(h, seed, offset, mean, std));
  }

  private static random(shape: readonly number[], options: RandomOptions | undefined,
                        draw: (handle: TensorHandle, seed: bigint, offset: number) => number): Tensor {
    const t = Tensor.empty(shape, options);
    if (!isFloating(t.dtype)) {
      t.dispose();
      throw new DTypeError(`random tensors need a floating dtype (float32 or float64), got ${t.dtype}`);
    }
    (options?.generator ?? defaultGenerator).draw((seed, offset) => draw(t.handle, seed, offset));
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
    return this.#handle === null;
  }

  /** @internal The native handle; throws DisposedError after dispose(). */
  get handle(): TensorHandle {
    if (this.#handle === null) {
      throw new DisposedError(`this tensor (shape ${formatShape(this.shape)}, ${this.dtype}, ${this.device}) was disposed and cannot be used`);
    }
    return this.#handle;
  }

  // ---- autograd -----------------------------------------------------------------------

  /** Whether ops on this tensor record gradients. Only floating tensors can require grad. */
  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (typeof value !== 'boolean') throw new ArgumentError(`requiresGrad must be a boolean, got ${describe(value)}`);
    if (value && !isFloating(this.dtype)) throw new DTypeError(`only float32 and float64 tensors can require gradients, got ${this.dtype}`);
    if (!value && this.gradFn !== null) throw new ArgumentError('requiresGrad cannot be turned off on a tensor computed by a recorded op; use detach()');
    this.#requiresGrad = value;
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

  /**
   * Backpropagates from this tensor: every leaf it depends on that requires grad gets the
   * gradient added to its `.grad`. Needs a one-element tensor unless `gradient` (same shape) is
   * given. The tape is freed afterwards unless `retainGraph`.
   */
  backward(gradient?: Tensor, options?: { retainGraph?: boolean }): void {
    runBackward(this, gradient, options?.retainGraph ?? false);
  }

  /**
   * A copy on `device` (queued after the work on both devices), or a detached view when already
   * there. Not recorded on the tape.
   */
  to(device: Device): Tensor {
    return toDevice(this, device);
  }

  /** A view of the same memory that is cut from the tape. */
  detach(): Tensor {
    return new Tensor(native.view(this.handle, 0, this.numel), this.shape, this.dtype, this.device);
  }

  // ---- in-place updates (optimizer steps, resets) -------------------------------------

  private checkInPlace(op: string): void {
    if (this.gradFn !== null || (this.#requiresGrad && isGradEnabled())) {
      throw new ArgumentError(`${op}: in-place update of a tensor that requires grad would corrupt the tape; do it inside noGrad()`);
    }
  }

  /** this += alpha * other (same shape, dtype and device). Returns this. */
  add_(other: Tensor, alpha = 1): this {
    this.checkInPlace('add_()');
    if (!(other instanceof Tensor)) throw new ArgumentError(`add_(): other must be a Tensor, got ${describe(other)}`);
    if (other.dtype !== this.dtype) throw new DTypeError(`add_(): other has dtype ${other.dtype} but this tensor is ${this.dtype}`);
    if (other.numel !== this.numel || other.ndim !== this.ndim || other.shape.some((d, i) => d !== this.shape[i])) {
      throw new ShapeError(`add_(): other must have shape ${formatShape(this.shape)}, got ${formatShape(other.shape)}`);
    }
    checkFiniteNumber(alpha, 'add_(): alpha');
    if (!isFloating(this.dtype)) throw new DTypeError('add_() needs a float32 or float64 tensor, got int32');
    native.axpby(this.handle, other.handle, alpha, 1);
    return this;
  }

  /** Sets every element to `value`. Returns this. */
  fill_(value: number): this {
    this.checkInPlace('fill_()');
    checkFiniteNumber(value, 'fill_(): value');
    native.fill(this.handle, value);
    return this;
  }

  zero_(): this {
    return this.fill_(0);
  }

  // ---- views --------------------------------------------------------------------------

  /** A tensor of a new shape over the same memory (one dimension may be -1). */
  reshape(shape: readonly number[]): Tensor {
    const target = resolveReshape(shape, this.numel, this.shape);
    const out = new Tensor(native.view(this.handle, 0, this.numel), target, this.dtype, this.device);
    if (this.#requiresGrad && isGradEnabled()) Tensor.recordView(out, new ReshapeNode(this, this.shape));
    return out;
  }

  /** Rows [start, start + length) of the leading axis, over the same memory. */
  narrow(start: number, length: number): Tensor {
    if (this.ndim === 0) throw new ShapeError('narrow() needs a tensor with at least one dimension, got a scalar');
    const rows = this.shape[0];
    if (!Number.isSafeInteger(start) || start < 0 || start > rows) {
      throw new ArgumentError(`start must be an integer in [0, ${rows}], got ${describe(start)}`);
    }
    if (!Number.isSafeInteger(length) || length < 0 || start + length > rows) {
      throw new ArgumentError(`length must be an integer in [0, ${rows - start}] (start ${start}, ${rows} rows), got ${describe(length)}`);
    }
    const rowSize = this.numel / Math.max(rows, 1);
    const shape = [length, ...this.shape.slice(1)];
    const out = new Tensor(native.view(this.handle, start * rowSize, length * rowSize), shape, this.dtype, this.device);
    if (this.#requiresGrad && isGradEnabled()) Tensor.recordView(out, new NarrowNode(this, this.shape, start, length));
    return out;
  }

  private static recordView(out: Tensor, node: GradNode): void {
    out.gradFn = node;
    out.#requiresGrad = true;
  }

  // ---- reading ------------------------------------------------------------------------

  /** A copy of the values, once every queued op that writes them has run. Never blocks. */
  async data(): Promise<TypedArrayOf<this['dtype']>> {
    return (await native.readAsync(this.handle)) as TypedArrayOf<this['dtype']>;
  }

  /** Like data(), but blocks the calling thread until the values are ready. */
  dataSync(): TypedArrayOf<this['dtype']> {
    return native.readSync(this.handle) as TypedArrayOf<this['dtype']>;
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
    if (this.#handle === null) return;
    this.#handle.release();
    this.#handle = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  toString(): string {
    const state = this.disposed ? ', disposed' : '';
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}, device=${this.device}${state})`;
  }
}

export type { Shape };
