/** Nested JS arrays <-> flat data + shape. */
import { ShapeError, describe } from './errors';

export type NestedArray = number | NestedArray[];

/** Shape of a rectangular nested array of numbers; throws naming the first ragged spot. */
export function inferShape(data: unknown, argument: string): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  checkRectangular(data, shape, 0, argument);
  return shape;
}

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

/** Builds nested arrays of `shape` from flat values. */
export function unflatten(values: ArrayLike<number>, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return values[0];
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
