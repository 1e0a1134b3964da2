/** What fit() and evaluate() read: x and y (tensors or arrays) or an iterable of batches, and validationSplit's split. */
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { narrow } from '../ops/views';
import type { Tensor } from '../tensor';
import { asTensor, checkRows, isBatchIterable, IterableBatches, TensorBatches, type BatchSource } from './batches';

/** @internal What fit() and evaluate() take as data: x and y (tensors or arrays), or an iterable of batches as x. */
export interface DataSource {
  source: BatchSource;
  /** Frees the tensors made from arrays. */
  release(): void;
}

/** @internal */
export function dataSource(x: unknown, y: unknown, sampleWeight: unknown, batchSize: number, where: string): DataSource {
  if (isBatchIterable(x)) {
    if (y !== undefined) throw new ArgumentError(`${where}: with an iterable of batches as x, the labels come from the batches; y must be undefined, got ${describe(y)}`);
    if (sampleWeight !== undefined) throw new ArgumentError(`${where}: with an iterable of batches, sample weights come as the batches' third entry`);
    return { source: new IterableBatches(x, where), release: () => {} };
  }
  const made: Tensor[] = [];
  const tensorOf = (v: unknown, name: string) => {
    const t = asTensor(v, `${where}: ${name}`);
    if (t.made) made.push(t.tensor);
    return t.tensor;
  };
  try {
    const xs = tensorOf(x, 'x'), ys = tensorOf(y, 'y');
    const sw = sampleWeight === undefined ? null : tensorOf(sampleWeight, 'sampleWeight');
    checkRows(xs, ys, sw, where);
    return { source: new TensorBatches(xs, ys, sw, batchSize), release: () => { for (const t of made) t.dispose(); } };
  } catch (error) {
    for (const t of made) t.dispose();
    throw error;
  }
}

/** The training and validation data of a fit: validationData, or validationSplit's last rows. */
export function splitData(data: DataSource, o: { validationData?: unknown; validationSplit?: number }, batchSize: number, where: string): { train: BatchSource; validation: DataSource | null; views: Tensor[] } {
  if (o.validationData !== undefined) {
    const v = o.validationData;
    if (isBatchIterable(v)) return { train: data.source, validation: dataSource(v, undefined, undefined, batchSize, `${where} options.validationData`), views: [] };
    if (!Array.isArray(v) || (v.length !== 2 && v.length !== 3)) throw new ArgumentError(`${where} options.validationData must be [x, y], [x, y, sampleWeight] or an iterable of batches, got ${describe(v)}`);
    return { train: data.source, validation: dataSource(v[0], v[1], v[2], batchSize, `${where} options.validationData`), views: [] };
  }
  if (o.validationSplit === undefined || o.validationSplit === 0) return { train: data.source, validation: null, views: [] };
  const split = o.validationSplit;
  if (typeof split !== 'number' || !(split > 0 && split < 1)) throw new ArgumentError(`${where} options.validationSplit must be in (0, 1), got ${describe(split)}`);
  if (!(data.source instanceof TensorBatches)) throw new ArgumentError(`${where} options.validationSplit needs tensors or arrays; for an iterable of batches give validationData`);
  const { x, y, sampleWeight: sw, rows } = data.source;
  // Keras: the last fraction of the rows, before any shuffling.
  const at = Math.floor(rows * (1 - split));
  if (at === 0 || at === rows) throw new ArgumentError(`${where}: validationSplit ${split} of ${rows} rows leaves one side empty`);
  const views = [narrow(x, 0, 0, at), narrow(y, 0, 0, at), narrow(x, 0, at, rows - at), narrow(y, 0, at, rows - at)];
  if (sw) views.push(narrow(sw, 0, 0, at), narrow(sw, 0, at, rows - at));
  return {
    train: new TensorBatches(views[0], views[1], sw ? views[4] : null, batchSize),
    validation: { source: new TensorBatches(views[2], views[3], sw ? views[5] : null, batchSize), release: () => {} },
    views,
  };
}

