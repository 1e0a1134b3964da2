/**
 * indexSelect and gather (torch's index_select and gather) with int32 indices. Indices are
 * checked in native code before anything is written: a bad one fails the op with an
 * ArgumentError naming the argument and the index. That check runs on the device's stream, so
 * the error surfaces at the next op or read, as other failures of queued work do.
 */
import { GradNode } from '../autograd/node';
import { checkTensor } from '../checks';
import type { DType } from '../dtype';
import { DTypeError, DeviceError, ShapeError } from '../errors';
import { formatShape } from '../format';
import { native } from '../native/binding';
import { checkDim } from '../shape';
import { Tensor } from '../tensor';
import { produce } from './outputs';
import { splitAt } from './raw';
import { attach, needsGrad } from './record';

function checkIndex(index: Tensor, like: Tensor, argument: string): void {
  checkTensor(index, argument);
  if (index.dtype !== 'int32') throw new DTypeError(`${argument} must be an int32 tensor of indices, got ${index.dtype}`);
  if (index.device !== like.device) throw new DeviceError(`${argument} must be on ${like.device} like the tensor it indexes, got ${index.device}`);
}

class GatherNode extends GradNode {
  // The backward is a scatter-add, so a leaf's gradient buffer (an Embedding's) takes it directly.
  override readonly acceptsGradSinks = true;
  private readonly index: Tensor;
  constructor(input: Tensor, index: Tensor, private readonly perElement: boolean, private readonly inputShape: readonly number[],
              private readonly dim: number, private readonly k: number) {
    super(perElement ? 'gatherBackward' : 'indexSelectBackward', [input]);
    this.index = this.save(index);
  }
  backward([g]: readonly (Tensor | null)[], [sink]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const out = sink ?? Tensor.zeros(this.inputShape, { dtype: grad.dtype, device: grad.device });
    const { outer, n, inner } = splitAt(this.inputShape, this.dim);
    if (grad.numel > 0) native.gather(this.perElement, true, out.handle, grad.handle, this.index.handle, outer, n, this.k, inner, 'index');
    if (sink) sink.bumpVersion();
    return [sink ? null : out];
  }
}

/** @internal The op with a label for index errors (Embedding names its input). */
export function indexSelectAs<D extends DType>(t: Tensor<D>, dim: number, index: Tensor, what: string): Tensor<D> {
  const input = checkTensor(t, 'indexSelect(): t') as Tensor<D>;
  checkIndex(index, input, `${what}`);
  if (index.ndim > 1) throw new ShapeError(`${what} must have one dimension, got shape ${formatShape(index.shape)}`);
  const source = input.ndim === 0 ? [1] : input.shape;
  const d = checkDim(dim, source.length, 'indexSelect(): dim');
  const k = index.numel;
  const shape = source.map((s, i) => (i === d ? k : s));
  const { outer, n, inner } = splitAt(source, d);
  const out = produce(shape, input, (o) => {
    if (o.numel > 0) native.gather(false, false, input.handle, o.handle, index.handle, outer, n, k, inner, what);
  });
  if (needsGrad(input)) attach(new GatherNode(input, index, false, input.shape, d, k), out);
  return out;
}

/** The entries of t at `index` (int32, one dimension) along `dim`. */
export function indexSelect<D extends DType>(t: Tensor<D>, dim: number, index: Tensor<'int32'>): Tensor<D> {
  return indexSelectAs(t, dim, index, 'indexSelect(): index');
}

/** out[i][j][k] = t[i][index[i][j][k]][k] for dim 1 (torch.gather); index has t's rank and t's sizes outside dim. */
export function gather<D extends DType>(t: Tensor<D>, dim: number, index: Tensor<'int32'>): Tensor<D> {
  const input = checkTensor(t, 'gather(): t') as Tensor<D>;
  checkIndex(index, input, 'gather(): index');
  if (input.ndim === 0) throw new ShapeError('gather() needs a tensor with at least one dimension, got a scalar');
  const d = checkDim(dim, input.ndim, 'gather(): dim');
  if (index.ndim !== input.ndim || index.shape.some((s, i) => i !== d && s !== input.shape[i])) {
    throw new ShapeError(`gather(): index must have t's shape ${formatShape(input.shape)} outside dimension ${d}, got ${formatShape(index.shape)}`);
  }
  const k = index.shape[d];
  const { outer, n, inner } = splitAt(input.shape, d);
  const out = produce(index.shape, input, (o) => {
    if (o.numel > 0) native.gather(true, false, input.handle, o.handle, index.handle, outer, n, k, inner, 'gather(): index');
  });
  if (needsGrad(input)) attach(new GatherNode(input, index, true, input.shape, d, k), out);
  return out;
}
