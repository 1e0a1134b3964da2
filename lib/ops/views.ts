/**
 * reshape/view and narrow with their gradients. Tensors are contiguous, so reshape is always a
 * view; narrow is a view when the kept elements are contiguous (dim 0, or only size-1
 * dimensions before `dim`) and a copy otherwise.
 */
import { checkInteger } from '../arguments';
import { GradNode } from '../autograd/node';
import { checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe } from '../format';
import { native } from '../native/binding';
import { checkDim, numelOf, resolveReshape } from '../shape';
import { Tensor } from '../tensor';
import { produce } from './outputs';
import { attach, needsGrad } from './record';

class ReshapeNode extends GradNode {
  constructor(input: Tensor, private readonly inputShape: readonly number[]) {
    super('reshapeBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    return [g!.viewAs(this.inputShape)];
  }
}

/** The same memory with a new shape (one dimension may be -1). */
export function reshape<D extends DType>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  const input = checkTensor(t, 'reshape(): t') as Tensor<D>;
  const out = input.viewAs(resolveReshape(shape, input.numel, input.shape));
  if (needsGrad(input)) attach(new ReshapeNode(input, input.shape), out);
  return out;
}

/** Where a narrow's elements lie: `outer` runs of `kept` elements, `stride` apart, from `first`. */
interface NarrowLayout {
  outer: number;
  kept: number;
  stride: number;
  first: number;
}

function narrowLayout(shape: readonly number[], dim: number, start: number, length: number): NarrowLayout {
  const inner = numelOf(shape.slice(dim + 1));
  return { outer: numelOf(shape.slice(0, dim)), kept: length * inner, stride: shape[dim] * inner, first: start * inner };
}

class NarrowNode extends GradNode {
  constructor(input: Tensor, private readonly inputShape: readonly number[], private readonly layout: NarrowLayout) {
    super('narrowBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const { outer, kept, stride, first } = this.layout;
    const out = Tensor.zeros(this.inputShape, { dtype: grad.dtype, device: grad.device });
    if (outer > 0 && kept > 0) native.copy(out.handle, first, stride, grad.handle, 0, kept, outer, kept);
    return [out];
  }
}

/** Indices [start, start + length) of dimension `dim` (negative dim and start count from the end). */
export function narrow<D extends DType>(t: Tensor<D>, dim: number, start: number, length: number): Tensor<D> {
  const input = checkTensor(t, 'narrow(): t') as Tensor<D>;
  if (input.ndim === 0) throw new ShapeError('narrow() needs a tensor with at least one dimension, got a scalar');
  const d = checkDim(dim, input.ndim, 'narrow(): dim');
  const size = input.shape[d];
  if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < -size || start > size) {
    throw new ArgumentError(`narrow(): start must be an integer in [${-size}, ${size}] (dimension ${d} has size ${size}), got ${describe(start)}`);
  }
  const from = start < 0 ? start + size : start;
  checkInteger(length, 'narrow(): length', 0, size - from, `start ${from} of a dimension of size ${size}`);
  const shape = input.shape.map((s, i) => (i === d ? length : s));
  const layout = narrowLayout(input.shape, d, from, length);
  const out = layout.outer <= 1
    ? input.viewAs(shape, layout.outer === 0 ? 0 : layout.first, numelOf(shape))
    : produce(shape, input, (o) => {
        if (layout.kept > 0) native.copy(o.handle, 0, layout.kept, input.handle, layout.first, layout.stride, layout.outer, layout.kept);
      });
  if (needsGrad(input)) attach(new NarrowNode(input, input.shape, layout), out);
  return out;
}
