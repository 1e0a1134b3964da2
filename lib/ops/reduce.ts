/**
 * Reductions with PyTorch's signatures: sum and mean of everything or along dims (keepDim),
 * max/min along a dim with their indices, argmax/argmin. Gradients flow through sum, mean, max
 * and min: along a dim to the element the index names, of the whole tensor evenly over its ties
 * (as torch does).
 */
import { checkOptions, optionalBoolean } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import { GradNode } from '../autograd/node';
import { checkFloat, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { native } from '../native/binding';
import { checkDim } from '../shape';
import { Tensor } from '../tensor';
import { meanAll, sumAll } from './arithmetic';
import { rawBinary, rawExpand, rawReduce, rawScale, rawSum, splitAt } from './raw';
import { attach, needsGrad } from './record';

/** Dims as sorted unique non-negative indices. */
function checkDims(dim: number | readonly number[], ndim: number, where: string): number[] {
  const list = typeof dim === 'number' ? [dim] : Array.isArray(dim) ? dim : null;
  if (list === null || list.length === 0) throw new ArgumentError(`${where}: dim must be an integer or a non-empty array of integers, got ${describe(dim)}`);
  const dims = [...new Set(list.map((d) => checkDim(d, Math.max(ndim, 1), `${where}: dim`)))];
  if (dims.length !== list.length) throw new ArgumentError(`${where}: dim ${formatShape(list)} names a dimension twice`);
  return dims.sort((a, b) => a - b);
}

function keptShape(shape: readonly number[], dims: readonly number[], keepDim: boolean): number[] {
  return keepDim ? shape.map((s, d) => (dims.includes(d) ? 1 : s)) : shape.filter((_, d) => !dims.includes(d));
}

class SumDimNode extends GradNode {
  constructor(input: Tensor, private readonly inputShape: readonly number[], private readonly keptShape: readonly number[],
              private readonly factor: number) {
    super(factor === 1 ? 'sumBackward' : 'meanBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const kept = g!.viewAs(this.keptShape);
    const spread = rawExpand(kept, this.inputShape);
    kept.dispose();
    if (this.factor === 1) return [spread];
    const scaled = rawScale(spread, this.factor);
    spread.dispose();
    return [scaled];
  }
}

function reduceSum<D extends DType>(t: Tensor<D>, dims: number[], keepDim: boolean, factor: number): Tensor<D> {
  let current: Tensor<D> = t;
  for (const d of dims) {
    const next = rawReduce('sum', current, d).values;
    if (current !== t) current.dispose();
    current = next;
  }
  let out = current.viewAs(keptShape(t.shape, dims, keepDim));
  if (current !== t) current.dispose();
  if (factor !== 1) {
    const scaled = rawScale(out, factor);
    out.dispose();
    out = scaled;
  }
  if (needsGrad(t)) attach(new SumDimNode(t, t.shape, keptShape(t.shape, dims, true), factor), out);
  return out;
}

export interface ReduceOptions {
  /** Keep reduced dimensions as size 1 (torch's keepdim; default false). */
  keepDim?: boolean;
}

function keepDimOf(options: ReduceOptions | boolean | undefined, where: string): boolean {
  if (typeof options === 'boolean') return options;
  return optionalBoolean(checkOptions(options, ['keepDim'], `${where} options`).keepDim, false, `${where} options.keepDim`);
}

/** The sum of every element (a scalar), or along `dim` (one or several). */
export function sum<D extends DType>(t: Tensor<D>, dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor<D> {
  if (dim === undefined) return sumAll(t);
  const input = checkTensor(t, 'sum(): t') as Tensor<D>;
  checkFloat(input, 'sum(): t');
  return reduceSum(input, checkDims(dim, input.ndim, 'sum()'), keepDimOf(options, 'sum()'), 1);
}

/** The mean of every element (a scalar), or along `dim` (one or several). */
export function mean<D extends DType>(t: Tensor<D>, dim?: number | readonly number[], options?: ReduceOptions | boolean): Tensor<D> {
  if (dim === undefined) return meanAll(t);
  const input = checkTensor(t, 'mean(): t') as Tensor<D>;
  checkFloat(input, 'mean(): t');
  const dims = checkDims(dim, input.ndim, 'mean()');
  const count = dims.reduce((n, d) => n * input.shape[d], 1);
  if (count === 0) throw new ShapeError(`mean(): the reduced dimensions of ${formatShape(input.shape)} have no elements`);
  return reduceSum(input, dims, keepDimOf(options, 'mean()'), 1 / count);
}

class ExtremeNode extends GradNode {
  private readonly indices: Tensor;
  constructor(input: Tensor, indices: Tensor, private readonly inputShape: readonly number[], private readonly dim: number) {
    super('maxBackward', [input]);
    this.indices = this.save(indices);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const out = Tensor.zeros(this.inputShape, { dtype: grad.dtype, device: grad.device });
    const { outer, n, inner } = splitAt(this.inputShape, this.dim);
    if (grad.numel > 0) native.gather(true, true, out.handle, grad.handle, this.indices.handle, outer, n, 1, inner, 'max indices');
    return [out];
  }
}

/** max()/min() of the whole tensor: torch spreads the gradient evenly over the elements equal to it. */
class AllExtremeNode extends GradNode {
  private readonly input: Tensor;
  private readonly value: Tensor;
  constructor(input: Tensor, value: Tensor) {
    super('maxBackward', [input]);
    this.input = this.save(input);
    this.value = this.save(value);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const ties = rawBinary('eq', this.input, this.value, this.input.shape);
    const count = rawSum(ties);
    const share = rawBinary('div', g!, count, []);
    const out = rawBinary('mul', ties, share, this.input.shape);
    for (const t of [ties, count, share]) t.dispose();
    return [out];
  }
}

export interface ExtremeResult<D extends DType> {
  values: Tensor<D>;
  /** Where each value was (int32). */
  indices: Tensor<'int32'>;
}

function extreme<D extends DType>(op: 'max' | 'min', t: Tensor<D>, dim: number, keepDim: boolean): ExtremeResult<D> {
  const input = checkTensor(t, `${op}(): t`) as Tensor<D>;
  checkFloat(input, `${op}(): t`);
  const flat = input.ndim === 0 ? input.viewAs([1]) : input;
  const d = checkDim(dim, flat.ndim, `${op}(): dim`);
  if (flat.shape[d] === 0) throw new ShapeError(`${op}(): dimension ${d} of ${formatShape(input.shape)} is empty`);
  const { values, indices } = rawReduce(op, flat, d, true);
  const shape = input.ndim === 0 ? [] : keptShape(flat.shape, [d], keepDim);
  const v = values.viewAs(shape);
  const i = indices!.viewAs(shape);
  values.dispose();
  indices!.dispose();
  if (flat !== input) flat.dispose();
  if (needsGrad(input)) attach(new ExtremeNode(input, i, input.ndim === 0 ? [1] : input.shape, d), v);
  return { values: v, indices: i };
}

/** The largest element (a scalar), or along `dim` with its indices (torch.max). */
export function max<D extends DType>(t: Tensor<D>): Tensor<D>;
export function max<D extends DType>(t: Tensor<D>, dim: number, options?: ReduceOptions | boolean): ExtremeResult<D>;
export function max<D extends DType>(t: Tensor<D>, dim?: number, options?: ReduceOptions | boolean): Tensor<D> | ExtremeResult<D> {
  return extremeOrAll('max', t, dim, options);
}

export function min<D extends DType>(t: Tensor<D>): Tensor<D>;
export function min<D extends DType>(t: Tensor<D>, dim: number, options?: ReduceOptions | boolean): ExtremeResult<D>;
export function min<D extends DType>(t: Tensor<D>, dim?: number, options?: ReduceOptions | boolean): Tensor<D> | ExtremeResult<D> {
  return extremeOrAll('min', t, dim, options);
}

function extremeOrAll<D extends DType>(op: 'max' | 'min', t: Tensor<D>, dim: number | undefined, options: ReduceOptions | boolean | undefined): Tensor<D> | ExtremeResult<D> {
  if (dim !== undefined) return extreme(op, t, dim, keepDimOf(options, `${op}()`));
  const input = checkTensor(t, `${op}(): t`) as Tensor<D>;
  if (input.numel === 0) throw new ShapeError(`${op}(): t has no elements`);
  checkFloat(input, `${op}(): t`);
  const values = noGrad(() => {
    const flat = input.reshape([input.numel]);
    const { values: v, indices } = extreme(op, flat, 0, false);
    flat.dispose();
    indices.dispose();
    return v;
  });
  if (needsGrad(input)) attach(new AllExtremeNode(input, values), values);
  return values;
}

/** Indices (int32) of the largest elements along `dim` (of the flattened tensor without one). */
export function argmax(t: Tensor, dim?: number, options?: ReduceOptions | boolean): Tensor<'int32'> {
  return argExtreme('max', t, dim, options);
}

export function argmin(t: Tensor, dim?: number, options?: ReduceOptions | boolean): Tensor<'int32'> {
  return argExtreme('min', t, dim, options);
}

function argExtreme(op: 'max' | 'min', t: Tensor, dim: number | undefined, options: ReduceOptions | boolean | undefined): Tensor<'int32'> {
  const input = checkTensor(t, `arg${op}(): t`);
  checkFloat(input, `arg${op}(): t`);
  const source = dim === undefined ? input.detach().viewAs([input.numel]) : input.detach();
  try {
    const d = dim === undefined ? 0 : checkDim(dim, Math.max(source.ndim, 1), `arg${op}(): dim`);
    const flat = source.ndim === 0 ? source.viewAs([1]) : source;
    if (flat.shape[d] === 0) throw new ShapeError(`arg${op}(): dimension ${d} of ${formatShape(input.shape)} is empty`);
    const { values, indices } = rawReduce(op, flat, d, true);
    values.dispose();
    if (flat !== source) flat.dispose();
    const shape = dim === undefined || input.ndim === 0 ? [] : keptShape(input.shape, [d], keepDimOf(options, `arg${op}()`));
    const out = indices!.viewAs(shape);
    indices!.dispose();
    return out;
  } finally {
    source.dispose();
  }
}
