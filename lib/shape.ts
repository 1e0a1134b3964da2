/** Shape checks and helpers shared by tensors and layers. */
import { ArgumentError, ShapeError, describe, formatShape } from './errors';

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Validates a shape given by a user: an array of non-negative integers. */
export function checkShape(shape: unknown, argument: string): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`${argument} must be an array of dimensions, got ${describe(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${argument}[${i}] must be a non-negative integer, got ${describe(d)} (in ${argument} ${describe(shape)})`);
    }
  }
  return [...shape];
}

/** Resolves one -1 in a reshape target against `numel`. */
export function resolveReshape(target: unknown, numel: number, from: Shape): number[] {
  if (!Array.isArray(target)) throw new ShapeError(`shape must be an array of dimensions, got ${describe(target)}`);
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

export function checkInteger(value: unknown, argument: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ArgumentError(`${argument} must be an integer ${range}, got ${describe(value)}`);
  }
  return value;
}

export function checkFiniteNumber(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${argument} must be a finite number, got ${describe(value)}`);
  }
  return value;
}
