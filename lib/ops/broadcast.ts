/**
 * Broadcasting (NumPy's and PyTorch's rule: shapes align at the right, a dimension of size 1 or
 * a missing one stretches) and the strided geometry the addon walks (Note [Strided geometry] in
 * native/ops/strided.h): dimensions contiguous in every operand are merged first, so most ops
 * reach native code with one or two dimensions.
 */
import { ShapeError } from '../errors';
import { formatShape } from '../format';

/** The broadcast shape of `a` and `b`; `where` names the op in the error. */
export function broadcastShapes(a: readonly number[], b: readonly number[], where: string, names = ['a', 'b']): number[] {
  const ndim = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const da = a[a.length - ndim + i] ?? 1;
    const db = b[b.length - ndim + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${where}: ${names[0]} ${formatShape(a)} and ${names[1]} ${formatShape(b)} cannot be broadcast together (dimension ${i} of the result: ${da} against ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Row-major element strides of a contiguous tensor. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

/** Strides reading a contiguous tensor of `shape` as `outShape` (0 where it is broadcast). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, d) => (d < offset || shape[d - offset] === 1 ? 0 : own[d - offset]));
}

/**
 * The addon's geometry for walking `shape` with two operands' strides: size-1 dimensions are
 * dropped and neighbours contiguous in both operands merged.
 */
export function stridedGeometry(shape: readonly number[], strides0: readonly number[], strides1: readonly number[]): Float64Array {
  const dims: { size: number; s0: number; s1: number }[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims[dims.length - 1];
    if (last && last.s0 === strides0[d] * shape[d] && last.s1 === strides1[d] * shape[d]) {
      last.size *= shape[d];
      last.s0 = strides0[d];
      last.s1 = strides1[d];
    } else {
      dims.push({ size: shape[d], s0: strides0[d], s1: strides1[d] });
    }
  }
  if (dims.length === 0) dims.push({ size: shape.some((s) => s === 0) ? 0 : 1, s0: 0, s1: 0 });
  if (dims.length > 8) throw new ShapeError(`a broadcast over ${formatShape(shape)} needs more than 8 separate dimensions`);
  return Float64Array.from([...dims.map((d) => d.size), ...dims.map((d) => d.s0), ...dims.map((d) => d.s1)]);
}
