/**
 * Keras's step masks: which steps of each row of a [batch, steps, ...] batch are real. Made by
 * embedding({ maskZero }) and masking(), passed along by the layers after them, consumed by the
 * GRU (right-padded masks become the engine's lengths) and by the loss and metrics, which then
 * average over the real steps only. Kept on the host: the GRU needs the lengths there.
 */
import type { Device, FloatDType } from '../dtype';
import { ShapeError } from '../errors';
import { formatShape } from '../format';
import { Tensor } from '../tensor';

export class Mask {
  private lengthsCache: Int32Array | null | undefined;

  /** `valid[row * steps + t]` is 1 where step t of the row is real. */
  constructor(readonly valid: Uint8Array, readonly rows: number, readonly steps: number) {
    if (valid.length !== rows * steps) throw new ShapeError(`mask: ${valid.length} values for [${rows}, ${steps}] steps`);
  }

  /** The mask where `values` (row-major [rows, steps]) are non-zero. */
  static fromValues(values: ArrayLike<number>, rows: number, steps: number): Mask {
    const valid = new Uint8Array(rows * steps);
    for (let i = 0; i < valid.length; i++) valid[i] = values[i] !== 0 ? 1 : 0;
    return new Mask(valid, rows, steps);
  }

  /**
   * The real steps of each row when every row's real steps come first (a right-padded batch),
   * else null. Rows without any real step have length 0.
   */
  rightPaddedLengths(): Int32Array | null {
    if (this.lengthsCache !== undefined) return this.lengthsCache;
    const lengths = new Int32Array(this.rows);
    for (let r = 0; r < this.rows; r++) {
      const row = this.valid.subarray(r * this.steps, (r + 1) * this.steps);
      const length = row.indexOf(0) === -1 ? this.steps : row.indexOf(0);
      if (row.subarray(length).some((v) => v !== 0)) return (this.lengthsCache = null);
      lengths[r] = length;
    }
    return (this.lengthsCache = lengths);
  }

  /** True when no step of any row is masked. */
  get full(): boolean {
    return !this.valid.includes(0);
  }

  /** The mask as a 0/1 tensor of shape [rows, steps]. */
  toTensor(dtype: FloatDType, device: Device): Tensor {
    return Tensor.from(Float64Array.from(this.valid), [this.rows, this.steps], { dtype, device });
  }

  /** Checks that the mask fits a batch's leading [batch, steps] dimensions. */
  checkFits(x: Tensor, where: string): void {
    if (x.ndim < 2 || x.shape[0] !== this.rows || x.shape[1] !== this.steps) {
      throw new ShapeError(`${where}: the mask is [${this.rows}, ${this.steps}] but the input is ${formatShape(x.shape)}`);
    }
  }
}
