/**
 * Where fit() and evaluate() take their batches from: tensors (x, y and optional sample weights,
 * in rows, shuffled per epoch), or an iterable / async iterable of batches for data that does not
 * fit in memory (`[x, y]`, `[x, y, sampleWeight]` or TF.js's `{ xs, ys }`), iterated once per epoch.
 */
import { checkTensor } from '../checks';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { indexSelect } from '../ops/indexing';
import { narrow } from '../ops/views';
import { Tensor } from '../tensor';

export interface Batch {
  x: Tensor;
  y: Tensor;
  sampleWeight: Tensor | null;
  rows: number;
  /** Frees what the source made for this batch (never the caller's own tensors). */
  release(): void;
}

export interface BatchSource {
  /** The batches of one epoch, shuffled with `order` when given. */
  epoch(order: ((n: number) => Int32Array) | null): AsyncIterable<Batch>;
  /** Batches per epoch, when known before iterating. */
  readonly batchesPerEpoch: number | null;
}

/** A tensor, or nested arrays / a typed array of values; made tensors are the caller's to free. */
export function asTensor(value: unknown, argument: string): { tensor: Tensor; made: boolean } {
  if (value instanceof Tensor) return { tensor: checkTensor(value, argument), made: false };
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return { tensor: Tensor.from(value as number[]), made: true };
  throw new ArgumentError(`${argument} must be a Tensor or nested arrays of numbers, got ${describe(value)}`);
}

/** Checks that x, y and the weights have the same number of rows. */
export function checkRows(x: Tensor, y: Tensor, sampleWeight: Tensor | null, where: string): void {
  if (x.ndim === 0 || y.ndim === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`${where}: x and y must have the same number of rows (their first dimension), got x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`);
  }
  if (x.shape[0] === 0) throw new ShapeError(`${where}: x has no rows`);
  if (sampleWeight && (sampleWeight.ndim < 1 || sampleWeight.ndim > 2 || sampleWeight.shape[0] !== x.shape[0])) {
    throw new ShapeError(`${where}: sampleWeight must be [rows] or [rows, steps] with ${x.shape[0]} rows, got ${formatShape(sampleWeight.shape)}`);
  }
}

/** Rows of tensors, `batchSize` at a time. */
export class TensorBatches implements BatchSource {
  readonly rows: number;
  readonly batchesPerEpoch: number;

  constructor(readonly x: Tensor, readonly y: Tensor, readonly sampleWeight: Tensor | null, readonly batchSize: number) {
    this.rows = x.shape[0];
    this.batchesPerEpoch = Math.ceil(this.rows / batchSize);
  }

  async *epoch(order: ((n: number) => Int32Array) | null): AsyncIterable<Batch> {
    const permutation = order ? order(this.rows) : null;
    for (let start = 0; start < this.rows; start += this.batchSize) {
      const rows = Math.min(this.batchSize, this.rows - start);
      // The batch's rows: an index on each device the tensors live on, or views of a block.
      const indices = new Map<string, Tensor<'int32'>>();
      const pick = (t: Tensor): Tensor => {
        if (!permutation) return narrow(t, 0, start, rows);
        let index = indices.get(t.device);
        if (!index) indices.set(t.device, index = Tensor.from(permutation.subarray(start, start + rows), [rows], { dtype: 'int32', device: t.device }));
        return indexSelect(t, 0, index);
      };
      const made = [pick(this.x), pick(this.y), this.sampleWeight ? pick(this.sampleWeight) : null];
      yield { x: made[0]!, y: made[1]!, sampleWeight: made[2], rows, release: () => { for (const t of [...made, ...indices.values()]) t?.dispose(); } };
    }
  }
}

type Iterated = AsyncIterable<unknown> | Iterable<unknown>;

/** An array of batches ([x, y] pairs of tensors, or { xs, ys }) rather than nested numbers. */
function isBatchArray(value: unknown[]): boolean {
  const first = value[0];
  if (first !== null && typeof first === 'object' && 'xs' in first) return true;
  return Array.isArray(first) && first[0] instanceof Tensor;
}

export function isBatchIterable(value: unknown): value is Iterated {
  if (Array.isArray(value)) return value.length > 0 && isBatchArray(value);
  if (value === null || typeof value !== 'object' || value instanceof Tensor || ArrayBuffer.isView(value)) return false;
  return typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' || typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** Batches an iterable gives; it must start over each time it is iterated (an epoch each). */
export class IterableBatches implements BatchSource {
  readonly batchesPerEpoch = null;

  constructor(private readonly data: Iterated, private readonly where: string) {}

  async *epoch(): AsyncIterable<Batch> {
    let count = 0;
    for await (const item of this.data as AsyncIterable<unknown>) {
      const batch = this.toBatch(item, count);
      count++;
      yield batch;
    }
    if (count === 0) {
      throw new ArgumentError(`${this.where}: the data gave no batches; an iterable is iterated once per epoch, so a generator object (used up after ` +
        'one pass) needs wrapping in an object whose [Symbol.iterator]() or [Symbol.asyncIterator]() starts a new one');
    }
  }

  private toBatch(item: unknown, index: number): Batch {
    const at = `${this.where}: batch ${index}`;
    let parts: unknown[];
    if (Array.isArray(item) && (item.length === 2 || item.length === 3)) parts = item;
    else if (item !== null && typeof item === 'object' && 'xs' in item && 'ys' in item) parts = [(item as { xs: unknown }).xs, (item as { ys: unknown }).ys];
    else throw new ArgumentError(`${at} must be [x, y], [x, y, sampleWeight] or { xs, ys }, got ${describe(item)}`);
    const made: Tensor[] = [];
    const tensorOf = (v: unknown, name: string) => {
      const t = asTensor(v, `${at} ${name}`);
      if (t.made) made.push(t.tensor);
      return t.tensor;
    };
    try {
      const x = tensorOf(parts[0], 'x'), y = tensorOf(parts[1], 'y');
      const sampleWeight = parts[2] === undefined ? null : tensorOf(parts[2], 'sampleWeight');
      checkRows(x, y, sampleWeight, at);
      return { x, y, sampleWeight, rows: x.shape[0], release: () => { for (const t of made) t.dispose(); } };
    } catch (error) {
      for (const t of made) t.dispose();
      throw error;
    }
  }
}
