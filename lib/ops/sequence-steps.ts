/**
 * Reordering the steps of [batch, steps, ...] sequences: reversed in time, or each row's first
 * lengths[row] steps reversed (PyTorch's reverse direction over padded sequences), and the
 * row-wise gathers those and the Keras GRU's output alignment are made of.
 */
import { indexSelect } from './indexing';
import { Tensor } from '../tensor';

/** t reversed along dim 1; with lengths, only each row's first lengths[row] steps. */
export function reverseSteps<T extends Tensor>(t: T, lengths: Int32Array | null): T {
  const [batch, steps] = t.shape;
  if (!lengths) {
    const index = Tensor.from(Int32Array.from({ length: steps }, (_, i) => steps - 1 - i), [steps], { dtype: 'int32', device: t.device });
    try {
      return indexSelect(t, 1, index) as T;
    } finally {
      index.dispose();
    }
  }
  const rows = new Int32Array(batch * steps);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) rows[b * steps + s] = b * steps + (s < lengths[b] ? lengths[b] - 1 - s : s);
  }
  return gatherSteps(t, rows);
}

/** Picks rows of t viewed as [batch * steps, ...] (row-major step indices) and restores t's shape. */
export function gatherSteps<T extends Tensor>(t: T, rows: Int32Array): T {
  const flat = t.reshape([t.shape[0] * t.shape[1], ...t.shape.slice(2)]);
  const index = Tensor.from(rows, [rows.length], { dtype: 'int32', device: t.device });
  try {
    const picked = indexSelect(flat, 0, index);
    const out = picked.reshape(t.shape);
    picked.dispose();
    return out as T;
  } finally {
    flat.dispose();
    index.dispose();
  }
}
