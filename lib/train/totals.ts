/**
 * The fit loop's running sums of the loss and metrics, kept on the device (one add per batch, no
 * read) and read asynchronously once per epoch.
 */
import { noGrad } from '../autograd/grad-mode';
import { add, scale } from '../ops/arithmetic';
import { keep } from '../scope';
import type { Tensor } from '../tensor';

/** Logs of one epoch or batch: `loss`, metrics, `val_` versions. */
export type Logs = Record<string, number>;

/** A metric's sums over one batch: sum(value * weight) and sum(weight). */
export interface BatchSums {
  total: Tensor;
  count: Tensor | number;
}

/** Per log: the sum of its weighted values and of their weights, kept on the device. */
export class DeviceTotals {
  private readonly totals = new Map<string, { total: Tensor; count: Tensor | number; finish: (mean: number) => number }>();

  add(name: string, sums: BatchSums, finish: (mean: number) => number = (m) => m): void {
    const current = this.totals.get(name);
    if (!current) {
      this.totals.set(name, { total: keep(sums.total), count: typeof sums.count === 'number' ? sums.count : keep(sums.count), finish });
      return;
    }
    current.total = this.accumulate(current.total, sums.total);
    current.count = typeof current.count === 'number' && typeof sums.count === 'number'
      ? current.count + sums.count
      : this.accumulate(current.count, sums.count);
  }

  private accumulate(current: Tensor | number, more: Tensor | number): Tensor {
    const next = keep(noGrad(() => (typeof current === 'number' ? add(more as Tensor, current) : add(current, more))));
    for (const t of [current, more]) if (typeof t !== 'number') t.dispose();
    return next;
  }

  /** The weighted means, read without blocking the event loop. */
  async means(prefix = ''): Promise<Logs> {
    const logs: Logs = {};
    for (const [name, { total, count }] of this.totals) {
      const t = (await total.data())[0];
      const c = typeof count === 'number' ? count : (await count.data())[0];
      logs[prefix + name] = this.totals.get(name)!.finish(t / c);
    }
    return logs;
  }

  dispose(): void {
    for (const { total, count } of this.totals.values()) {
      total.dispose();
      if (typeof count !== 'number') count.dispose();
    }
    this.totals.clear();
  }
}

/** The batch's loss summed as loss * rows, so the epoch's loss is Keras's batch-size-weighted mean. */
export function lossSums(loss: Tensor, rows: number): BatchSums {
  return { total: noGrad(() => scale(loss, rows)), count: rows };
}

