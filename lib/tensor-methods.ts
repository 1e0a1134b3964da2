/**
 * Installs the chained Tensor methods declared in tensor.ts (t.add(), t.reshape(),
 * t.backward(), ...), each a call of the op of the same name, so tensor.ts needs nothing from
 * ops/ or autograd/. lib/index.ts imports this file once.
 */
import { runBackward } from './autograd/engine';
import { checkOptions, optionalBoolean } from './arguments';
import { add, div, eq, ge, gt, le, lt, maximum, minimum, mul, ne, neg, sub } from './ops/arithmetic';
import { where } from './ops/where';
import { cast } from './ops/cast';
import { addInPlace, copyInPlace, fillInPlace } from './ops/inplace';
import { gather, indexSelect } from './ops/indexing';
import { cat, permute, select, slice, transpose } from './ops/layout';
import { matmul } from './ops/matmul';
import { argmax, argmin, max, mean, min, sum } from './ops/reduce';
import { logSoftmax, softmax } from './ops/softmax';
import { abs, clamp, exp, gelu, log, pow, relu, sigmoid, sign, sqrt, tanh } from './ops/unary';
import { toDevice } from './ops/transfer';
import { narrow, reshape } from './ops/views';
import { Tensor, type BackwardOptions } from './tensor';

const methods: Partial<Tensor> & ThisType<Tensor> = {
  add(other) { return add(this, other); },
  sub(other) { return sub(this, other); },
  mul(other) { return mul(this, other); },
  div(other) { return div(this, other); },
  neg() { return neg(this); },
  float() { return cast(this, 'float32'); },
  double() { return cast(this, 'float64'); },
  int() { return cast(this, 'int32'); },
  toDType(dtype) { return cast(this, dtype); },
  maximum(other) { return maximum(this, other); },
  minimum(other) { return minimum(this, other); },
  eq(other) { return eq(this, other); },
  ne(other) { return ne(this, other); },
  lt(other) { return lt(this, other); },
  le(other) { return le(this, other); },
  gt(other) { return gt(this, other); },
  ge(other) { return ge(this, other); },
  where(condition, other) { return where(condition, this, other); },
  exp() { return exp(this); },
  log() { return log(this); },
  sqrt() { return sqrt(this); },
  abs() { return abs(this); },
  relu() { return relu(this); },
  tanh() { return tanh(this); },
  sigmoid() { return sigmoid(this); },
  gelu() { return gelu(this); },
  sign() { return sign(this); },
  pow(exponent) { return pow(this, exponent); },
  clamp(lo, hi) { return clamp(this, lo, hi); },
  sum(dim, options) { return sum(this, dim, options); },
  mean(dim, options) { return mean(this, dim, options); },
  max: function (this: Tensor, dim?: number, options?: unknown) { return dim === undefined ? max(this) : max(this, dim, options as never); } as Tensor['max'],
  min: function (this: Tensor, dim?: number, options?: unknown) { return dim === undefined ? min(this) : min(this, dim, options as never); } as Tensor['min'],
  argmax(dim, options) { return argmax(this, dim, options); },
  argmin(dim, options) { return argmin(this, dim, options); },
  softmax(dim) { return softmax(this, dim); },
  logSoftmax(dim) { return logSoftmax(this, dim); },
  matmul(other) { return matmul(this, other); },
  permute(dims) { return permute(this, dims); },
  transpose(dim0, dim1) { return transpose(this, dim0, dim1); },
  slice(dim, start, end, step) { return slice(this, dim, start, end, step); },
  select(dim, index) { return select(this, dim, index); },
  indexSelect(dim, index) { return indexSelect(this, dim, index); },
  gather(dim, index) { return gather(this, dim, index); },
  cat(others, dim) { return cat([this, ...others], dim); },
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
