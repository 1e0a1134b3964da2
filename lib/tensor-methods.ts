/**
 * Installs the chained Tensor methods declared in tensor.ts (t.add(), t.reshape(),
 * t.backward(), ...), each a call of the op of the same name, so tensor.ts needs nothing from
 * ops/ or autograd/. lib/index.ts imports this file once.
 */
import { runBackward } from './autograd/engine';
import { checkOptions, optionalBoolean } from './arguments';
import { add, div, mean, mul, neg, sub, sum } from './ops/arithmetic';
import { addInPlace, copyInPlace, fillInPlace } from './ops/inplace';
import { matmul } from './ops/matmul';
import { toDevice } from './ops/transfer';
import { narrow, reshape } from './ops/views';
import { Tensor, type BackwardOptions } from './tensor';

const methods: Partial<Tensor> & ThisType<Tensor> = {
  add(other) { return add(this, other); },
  sub(other) { return sub(this, other); },
  mul(other) { return mul(this, other); },
  div(other) { return div(this, other); },
  neg() { return neg(this); },
  sum() { return sum(this); },
  mean() { return mean(this); },
  matmul(other) { return matmul(this, other); },
  reshape(shape) { return reshape(this, shape); },
  view(shape) { return reshape(this, shape); },
  narrow(dim, start, length) { return narrow(this, dim, start, length); },
  to(device) { return toDevice(this, device); },
  backward(gradient?: Tensor, options?: BackwardOptions) {
    const o = checkOptions(options, ['retainGraph'], 'backward() options');
    runBackward(this, gradient, optionalBoolean(o.retainGraph, false, 'backward() options.retainGraph'));
  },
  add_(other, alpha) { return addInPlace(this, other, alpha); },
  fill_(value) { return fillInPlace(this, value); },
  zero_() { return fillInPlace(this, 0); },
  copy_(source) { return copyInPlace(this, source); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}
