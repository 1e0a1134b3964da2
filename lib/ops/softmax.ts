/** softmax and logSoftmax along a dimension, each one numerically stable native pass. */
import { GradNode } from '../autograd/node';
import { checkFloat, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { native } from '../native/binding';
import { checkDim } from '../shape';
import type { Tensor } from '../tensor';
import { produce } from './outputs';
import { splitAt } from './raw';
import { attach, needsGrad } from './record';

class SoftmaxNode extends GradNode {
  private readonly y: Tensor;
  constructor(input: Tensor, out: Tensor, private readonly log: boolean, private readonly dim: number) {
    super(log ? 'logSoftmaxBackward' : 'softmaxBackward', [input]);
    this.y = this.save(out);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const { outer, n, inner } = splitAt(this.y.shape, this.dim);
    return [produce(this.y.shape, this.y, (out) => native.softmaxBackward(this.log, out.handle, g!.handle, this.y.handle, outer, n, inner))];
  }
}

function softmaxOf<D extends DType>(t: Tensor<D>, dim: number, log: boolean): Tensor<D> {
  const name = log ? 'logSoftmax()' : 'softmax()';
  const input = checkTensor(t, `${name}: t`) as Tensor<D>;
  checkFloat(input, `${name}: t`);
  const shape = input.ndim === 0 ? [1] : input.shape;
  const d = checkDim(dim, shape.length, `${name}: dim`);
  const { outer, n, inner } = splitAt(shape, d);
  const out = produce(input.shape, input, (o) => native.softmax(log, o.handle, input.handle, outer, n, inner));
  if (needsGrad(input)) attach(new SoftmaxNode(input, out, log, d), out);
  return out;
}

/** exp(t) / sum(exp(t)) along `dim`. */
export function softmax<D extends DType>(t: Tensor<D>, dim: number): Tensor<D> {
  return softmaxOf(t, dim, false);
}

/** t - logsumexp(t) along `dim`, without forming exp(t). */
export function logSoftmax<D extends DType>(t: Tensor<D>, dim: number): Tensor<D> {
  return softmaxOf(t, dim, true);
}
