/**
 * Ops that rearrange elements: transpose and permute (materialised copies, since tensors are
 * contiguous), cat and stack, select and slice on any dimension. Each is one strided native copy
 * per input, and its gradient the copy back.
 */
import { checkInteger } from '../arguments';
import { GradNode } from '../autograd/node';
import { checkLike, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { native } from '../native/binding';
import { checkDim, numelOf } from '../shape';
import { Tensor } from '../tensor';
import { contiguousStrides, stridedGeometry } from './broadcast';
import { produce } from './outputs';
import { rawPermute } from './raw';
import { attach, needsGrad } from './record';

class PermuteNode extends GradNode {
  constructor(input: Tensor, private readonly inverse: readonly number[]) {
    super('permuteBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    return [rawPermute(g!, this.inverse)];
  }
}

/** A copy with dimensions reordered: out dimension i is t's dimension dims[i]. */
export function permute<D extends DType>(t: Tensor<D>, dims: readonly number[]): Tensor<D> {
  const input = checkTensor(t, 'permute(): t') as Tensor<D>;
  if (!Array.isArray(dims) || dims.length !== input.ndim) {
    throw new ArgumentError(`permute(): dims must list all ${input.ndim} dimensions of ${formatShape(input.shape)}, got ${describe(dims)}`);
  }
  const perm = dims.map((d) => checkDim(d, input.ndim, 'permute(): dims'));
  if (new Set(perm).size !== perm.length) throw new ArgumentError(`permute(): dims ${formatShape(dims)} repeat a dimension`);
  const out = rawPermute(input, perm);
  if (needsGrad(input)) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    attach(new PermuteNode(input, inverse), out);
  }
  return out;
}

/** A copy with dimensions dim0 and dim1 swapped. */
export function transpose<D extends DType>(t: Tensor<D>, dim0: number, dim1: number): Tensor<D> {
  const input = checkTensor(t, 'transpose(): t') as Tensor<D>;
  const a = checkDim(dim0, Math.max(input.ndim, 1), 'transpose(): dim0');
  const b = checkDim(dim1, Math.max(input.ndim, 1), 'transpose(): dim1');
  if (input.ndim === 0) return permute(input, []);
  const perm = input.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(input, perm);
}

/** Copies `src` (contiguous, `shape`) into the block of `dst` at `offset` whose strides are dstStrides. */
function copyInto(dst: Tensor, offset: number, dstStrides: readonly number[], src: Tensor, shape: readonly number[]): void {
  if (numelOf(shape) === 0) return;
  native.stridedCopy(dst.handle, offset, src.handle, 0, stridedGeometry(shape, dstStrides, contiguousStrides(shape)));
}

/** Copies the block of `src` at `offset` with strides srcStrides into `dst` (contiguous, `shape`). */
function copyOut(dst: Tensor, src: Tensor, offset: number, srcStrides: readonly number[], shape: readonly number[]): void {
  if (numelOf(shape) === 0) return;
  native.stridedCopy(dst.handle, 0, src.handle, offset, stridedGeometry(shape, contiguousStrides(shape), srcStrides));
}

class CatNode extends GradNode {
  constructor(inputs: Tensor[], private readonly shapes: (readonly number[])[], private readonly dim: number) {
    super('catBackward', inputs);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const strides = contiguousStrides(grad.shape);
    let start = 0;
    return this.shapes.map((shape, i) => {
      const offset = start * strides[this.dim];
      start += shape[this.dim];
      if (this.inputs[i] === null) return null;
      const out = Tensor.empty(shape, { dtype: grad.dtype, device: grad.device });
      copyOut(out, grad, offset, strides, shape);
      return out;
    });
  }
}

/** The tensors joined along `dim` (all shapes equal elsewhere). */
export function cat<D extends DType>(tensors: readonly Tensor<D>[], dim = 0): Tensor<D> {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ArgumentError(`cat(): tensors must be a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => checkTensor(t, `cat(): tensors[${i}]`));
  const first: Tensor<D> = tensors[0];
  if (first.ndim === 0) throw new ShapeError('cat(): scalars cannot be joined; use stack()');
  const d = checkDim(dim, first.ndim, 'cat(): dim');
  tensors.forEach((t, i) => {
    checkLike(t, first, `cat(): tensors[${i}]`, 'tensors[0]');
    if (t.ndim !== first.ndim || t.shape.some((s: number, j: number) => j !== d && s !== first.shape[j])) {
      throw new ShapeError(`cat(): tensors[${i}] has shape ${formatShape(t.shape)}, which differs from tensors[0]'s ${formatShape(first.shape)} outside dimension ${d}`);
    }
  });
  const shape = first.shape.map((s: number, j: number) => (j === d ? tensors.reduce((n, t) => n + t.shape[d], 0) : s));
  const strides = contiguousStrides(shape);
  const out = produce(shape, first, (o) => {
    let start = 0;
    for (const t of tensors) {
      copyInto(o, start * strides[d], strides, t, t.shape);
      start += t.shape[d];
    }
  });
  if (needsGrad(...tensors)) attach(new CatNode([...tensors], tensors.map((t) => t.shape), d), out);
  return out;
}

/** The tensors (one shape) joined along a new dimension `dim`. */
export function stack<D extends DType>(tensors: readonly Tensor<D>[], dim = 0): Tensor<D> {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new ArgumentError(`stack(): tensors must be a non-empty array of tensors, got ${describe(tensors)}`);
  tensors.forEach((t, i) => checkTensor(t, `stack(): tensors[${i}]`));
  const first: Tensor<D> = tensors[0];
  const d = checkDim(dim, first.ndim + 1, 'stack(): dim');
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s: number, j: number) => s !== first.shape[j])) {
      throw new ShapeError(`stack(): tensors[${i}] has shape ${formatShape(t.shape)}, expected tensors[0]'s ${formatShape(first.shape)}`);
    }
  });
  const lifted: Tensor<D>[] = tensors.map((t) => unsqueezeView(t as Tensor<D>, d));
  try {
    return cat(lifted, d);
  } finally {
    for (const t of lifted) t.dispose();
  }
}

/** A view with a size-1 dimension inserted at `dim`, on the tape like reshape. */
function unsqueezeView<D extends DType>(t: Tensor<D>, dim: number): Tensor<D> {
  const shape = [...t.shape.slice(0, dim), 1, ...t.shape.slice(dim)];
  return t.reshape(shape) as Tensor<D>;
}

class SliceNode extends GradNode {
  constructor(input: Tensor, private readonly inputShape: readonly number[], private readonly offset: number,
              private readonly strides: readonly number[], private readonly outShape: readonly number[]) {
    super('sliceBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const out = Tensor.zeros(this.inputShape, { dtype: grad.dtype, device: grad.device });
    copyInto(out, this.offset, this.strides, grad, this.outShape);
    return [out];
  }
}

/**
 * Elements start, start + step, ... before end along `dim` (Python's t[start:end:step]; negative
 * start and end count from the end, and both are clamped as Python does). A copy.
 */
export function slice<D extends DType>(t: Tensor<D>, dim: number, start = 0, end?: number, step = 1): Tensor<D> {
  const input = checkTensor(t, 'slice(): t') as Tensor<D>;
  if (input.ndim === 0) throw new ShapeError('slice() needs a tensor with at least one dimension, got a scalar');
  const d = checkDim(dim, input.ndim, 'slice(): dim');
  const size = input.shape[d];
  checkInteger(step, 'slice(): step', 1);
  const bound = (v: number, name: string): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ArgumentError(`slice(): ${name} must be an integer, got ${describe(v)}`);
    return Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  };
  const from = bound(start, 'start');
  const to = end === undefined ? size : bound(end, 'end');
  const count = to > from ? Math.ceil((to - from) / step) : 0;
  const shape = input.shape.map((s, i) => (i === d ? count : s));
  const own = contiguousStrides(input.shape);
  const strides = own.map((s, i) => (i === d ? s * step : s));
  const offset = from * own[d];
  const out = produce(shape, input, (o) => copyOut(o, input, offset, strides, shape));
  if (needsGrad(input)) attach(new SliceNode(input, input.shape, offset, strides, shape), out);
  return out;
}

/** Index `index` of dimension `dim`, which is removed (t[..., index, ...]). */
export function select<D extends DType>(t: Tensor<D>, dim: number, index: number): Tensor<D> {
  const input = checkTensor(t, 'select(): t') as Tensor<D>;
  if (input.ndim === 0) throw new ShapeError('select() needs a tensor with at least one dimension, got a scalar');
  const d = checkDim(dim, input.ndim, 'select(): dim');
  const size = input.shape[d];
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < -size || index >= size) {
    throw new ArgumentError(`select(): index must be an integer in [${-size}, ${size - 1}] (dimension ${d} has size ${size}), got ${describe(index)}`);
  }
  const i = index < 0 ? index + size : index;
  const picked = slice(input, d, i, i + 1);
  try {
    return picked.reshape(input.shape.filter((_, j) => j !== d)) as Tensor<D>;
  } finally {
    picked.dispose();
  }
}
