/** Shapes: the checks and helpers every tensor, op and layer uses (the one place for them). */
import { ArgumentError, ShapeError } from './errors';
import { describe, formatShape } from './format';

export type Shape = readonly number[];

/**
 * The most dimensions a shape may have. Deeper nesting would only exhaust the stack of the
 * nested-array readers and writers; PyTorch's kernels stop well before this too.
 */
export const MAX_RANK = 64;

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  // A loop, not every(): this runs on each op's hot path.
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShapeEquals(actual: Shape, expected: Shape, argument: string): void {
  if (!sameShape(actual, expected)) {
    throw new ShapeError(`${argument} must have shape ${formatShape(expected)}, got ${formatShape(actual)}`);
  }
}

function checkRank(rank: number, argument: string): void {
  if (rank > MAX_RANK) throw new ShapeError(`${argument} has ${rank} dimensions; at most ${MAX_RANK} are supported`);
}

/** Throws unless the element count of `shape` (valid dimensions) is a safe integer. */
function checkElementCount(shape: Shape, argument: string): void {
  if (shape.includes(0)) return;
  let n = 1;
  for (const d of shape) {
    if (n > Number.MAX_SAFE_INTEGER / d) {
      throw new ShapeError(`${argument} ${formatShape(shape)} has more than 2^53 - 1 elements`);
    }
    n *= d;
  }
}

/** Validates a shape given by a user: an array of at most MAX_RANK non-negative integers with a safe element count. */
export function checkShape(shape: unknown, argument: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${argument} must be an array of dimensions, got ${describe(shape)}`);
  checkRank(shape.length, argument);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${argument}[${i}] must be a non-negative integer, got ${describe(d)} (in ${argument} ${formatShape(shape)})`);
    }
  }
  checkElementCount(shape, argument);
  return [...shape];
}

/** Resolves one -1 in a reshape target against `numel`. */
export function resolveReshape(target: unknown, numel: number, from: Shape): number[] {
  if (!Array.isArray(target)) throw new ShapeError(`shape must be an array of dimensions, got ${describe(target)}`);
  checkRank(target.length, 'shape');
  let inferred = -1;
  let known = 1;
  const out: number[] = [];
  target.forEach((d, i) => {
    if (d === -1) {
      if (inferred >= 0) throw new ShapeError(`shape ${formatShape(target)} has more than one -1`);
      inferred = i;
    } else if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`shape[${i}] must be a non-negative integer or -1, got ${describe(d)}`);
    } else {
      known *= d;
    }
    out.push(d);
  });
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new ShapeError(`cannot reshape a tensor of shape ${formatShape(from)} (${numel} elements) to ${formatShape(target)}`);
    }
    out[inferred] = numel / known;
  }
  if (numelOf(out) !== numel) {
    throw new ShapeError(`cannot reshape a tensor of shape ${formatShape(from)} (${numel} elements) to ${formatShape(target)} (${numelOf(out)} elements)`);
  }
  return out;
}

/** A dimension index in [-rank, rank), returned in [0, rank) (PyTorch's negative dims count from the end). */
export function checkDim(dim: unknown, rank: number, argument: string): number {
  if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < -rank || dim >= rank) {
    throw new ArgumentError(`${argument} must be an integer in [${-rank}, ${rank - 1}] for a tensor of ${rank} dimensions, got ${describe(dim)}`);
  }
  return dim < 0 ? dim + rank : dim;
}
