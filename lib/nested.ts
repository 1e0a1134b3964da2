/** Nested JS arrays <-> flat data + shape. */
import { getHeapStatistics } from 'node:v8';

import { OutOfMemoryError, ShapeError } from './errors';
import { describe, formatShape } from './format';
import { MAX_RANK } from './shape';

export type NestedArray = number | NestedArray[];

/** Shape of a rectangular nested array of numbers; throws naming the first ragged spot. */
export function inferShape(data: unknown, argument: string): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    if (shape.length === MAX_RANK) throw new ShapeError(`${argument} is nested more than ${MAX_RANK} levels deep`);
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  checkRectangular(data, shape, 0, argument);
  return shape;
}

// Recursion depth is at most the rank (MAX_RANK).
function checkRectangular(data: unknown, shape: number[], depth: number, path: string): void {
  if (depth === shape.length) {
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new ShapeError(`${path} must be a number, got ${describe(data)}`);
    }
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new ShapeError(`${path} must be an array of length ${shape[depth]} (the data is not rectangular), got ${describe(data)}`);
  }
  for (let i = 0; i < data.length; i++) checkRectangular(data[i], shape, depth + 1, `${path}[${i}]`);
}

export function flatten(data: NestedArray, out: number[] = []): number[] {
  if (Array.isArray(data)) for (const item of data) flatten(item, out);
  else out.push(Number(data));
  return out;
}

/** Arrays unflatten() creates for `shape`: one per index of every dimension but the last. */
function nestedArrayCount(shape: readonly number[]): number {
  let arrays = 1;
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) {
    rows *= shape[i];
    arrays += rows;
  }
  return arrays;
}

/**
 * Refuses nested arrays the JS heap cannot hold, before building any: V8 aborts the process
 * on heap exhaustion instead of throwing. About 8 bytes per number and 32 per array, against
 * half of what the heap has left.
 */
function checkHeapRoom(shape: readonly number[], numel: number): void {
  const needed = 8 * numel + 32 * nestedArrayCount(shape);
  const { heap_size_limit: limit, used_heap_size: used } = getHeapStatistics();
  const room = (limit - used) / 2;
  if (needed > room || shape.some((d) => d > 2 ** 32 - 1)) {
    throw new OutOfMemoryError(
      `toArray() of a tensor of shape ${formatShape(shape)} would need about ${Math.ceil(needed / 2 ** 20)} MiB of JS heap ` +
        `for its nested arrays, more than the ${Math.floor(room / 2 ** 20)} MiB it can use; read the values with data() instead`,
    );
  }
}

/** Builds nested arrays of `shape` from flat values. */
export function unflatten(values: ArrayLike<number>, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return values[0];
  checkHeapRoom(shape, values.length);
  let position = 0;
  const build = (depth: number): NestedArray[] => {
    const out: NestedArray[] = new Array(shape[depth]);
    for (let i = 0; i < shape[depth]; i++) {
      out[i] = depth === shape.length - 1 ? values[position++] : build(depth + 1);
    }
    return out;
  };
  return build(0);
}
