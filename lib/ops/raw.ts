/**
 * The ops without a tape, for forward passes and for GradNode backwards: each allocates its
 * output and queues one native call. Inputs are already validated.
 */
import { codesFrom, type DType } from '../dtype';
import { native, nativeConstants } from '../native/binding';
import { numelOf, sameShape } from '../shape';
import { Tensor } from '../tensor';
import { broadcastStrides, contiguousStrides, stridedGeometry } from './broadcast';
import { produce } from './outputs';

export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;
export type BinaryOpName = (typeof BINARY_OPS)[number];
/** The addon's codes (Note [op codes]). */
export const BINARY_OP_CODE = codesFrom(BINARY_OPS, nativeConstants.binaryOps, 'binary op');

export const UNARY_OPS = ['exp', 'log', 'sqrt', 'abs', 'relu', 'tanh', 'sigmoid', 'gelu', 'pow', 'clamp', 'sign'] as const;
export type UnaryOpName = (typeof UNARY_OPS)[number];
export const UNARY_OP_CODE = codesFrom(UNARY_OPS, nativeConstants.unaryOps, 'unary op');

export const REDUCE_OPS = ['sum', 'max', 'min', 'sumAbsPow', 'maxAbs'] as const;
export type ReduceOpName = (typeof REDUCE_OPS)[number];
export const REDUCE_OP_CODE = codesFrom(REDUCE_OPS, nativeConstants.reduceOps, 'reduce op');

/** out = a op b, broadcast to `shape` (the broadcast of both shapes). */
export function rawBinary<D extends DType>(op: BinaryOpName, a: Tensor<D>, b: Tensor<D>, shape = a.shape): Tensor<D> {
  const plain = sameShape(a.shape, shape) && (sameShape(b.shape, shape) || b.numel === 1);
  return produce(shape, a, (out) => {
    const geometry = plain ? null : stridedGeometry(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
    native.binary(BINARY_OP_CODE[op], out.handle, a.handle, b.handle, geometry);
  });
}

/** alpha * t. */
export function rawScale<D extends DType>(t: Tensor<D>, alpha: number): Tensor<D> {
  return produce(t.shape, t, (out) => native.axpby(out.handle, t.handle, alpha, 0));
}

export function rawUnary<D extends DType>(op: UnaryOpName, t: Tensor<D>, p0 = 0, p1 = 0): Tensor<D> {
  return produce(t.shape, t, (out) => native.unary(UNARY_OP_CODE[op], out.handle, t.handle, p0, p1));
}

/** The sum of all elements, in a tensor of `shape` (one element). */
export function rawSum<D extends DType>(t: Tensor<D>, shape: readonly number[] = []): Tensor<D> {
  return produce(shape, t, (out) => native.sum(out.handle, t.handle));
}

/** [outer, n, inner] of `shape` around `dim`. */
export function splitAt(shape: readonly number[], dim: number): { outer: number; n: number; inner: number } {
  return { outer: numelOf(shape.slice(0, dim)), n: shape[dim], inner: numelOf(shape.slice(dim + 1)) };
}

/** A reduction along `dim`, keeping it as size 1; max/min also give int32 indices. */
export function rawReduce<D extends DType>(op: ReduceOpName, t: Tensor<D>, dim: number, withIndices = false, p = 2): { values: Tensor<D>; indices: Tensor<'int32'> | null } {
  const shape = t.shape.map((s, d) => (d === dim ? 1 : s));
  const { outer, n, inner } = splitAt(t.shape, dim);
  const indices = withIndices ? Tensor.empty(shape, { dtype: 'int32', device: t.device }) : null;
  try {
    const values = produce(shape, t, (out) => native.reduce(REDUCE_OP_CODE[op], out.handle, indices?.handle ?? null, t.handle, outer, n, inner, p));
    return { values, indices };
  } catch (error) {
    indices?.dispose();
    throw error;
  }
}

/** A reduction of every element to one, as a tensor of `shape`. */
export function rawReduceAll<D extends DType>(op: ReduceOpName, t: Tensor<D>, p = 2, shape: readonly number[] = []): Tensor<D> {
  return produce(shape, t, (out) => native.reduce(REDUCE_OP_CODE[op], out.handle, null, t.handle, 1, t.numel, 1, p));
}

/** `grad` summed over the dimensions that broadcasting stretched, back to `shape`. */
export function sumToShape<D extends DType>(grad: Tensor<D>, shape: readonly number[]): Tensor<D> {
  if (sameShape(grad.shape, shape)) return grad;
  if (numelOf(shape) === 1) return rawSum(grad, shape);
  const offset = grad.ndim - shape.length;
  let current: Tensor<D> = grad;
  for (let d = 0; d < grad.ndim; d++) {
    const target = d < offset ? 1 : shape[d - offset];
    if (current.shape[d] === target) continue;
    const { values } = rawReduce('sum', current, d);
    if (current !== grad) current.dispose();
    current = values;
  }
  const out = current.viewAs(shape);
  if (current !== grad) current.dispose();
  return out;
}

/** A contiguous copy of `t` broadcast to `shape`. */
export function rawExpand<D extends DType>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  if (sameShape(t.shape, shape)) return rawScale(t, 1);
  return produce(shape, t, (out) => {
    if (out.numel > 0) native.stridedCopy(out.handle, 0, t.handle, 0, stridedGeometry(shape, contiguousStrides(shape), broadcastStrides(t.shape, shape)));
  });
}

/** A contiguous copy of `t` with its dimensions reordered (out dim i is input dim perm[i]). */
export function rawPermute<D extends DType>(t: Tensor<D>, perm: readonly number[]): Tensor<D> {
  const shape = perm.map((p) => t.shape[p]);
  const source = contiguousStrides(t.shape);
  return produce(shape, t, (out) => {
    if (out.numel > 0) native.stridedCopy(out.handle, 0, t.handle, 0, stridedGeometry(shape, contiguousStrides(shape), perm.map((p) => source[p])));
  });
}
