/** Differentiable elementwise functions of one tensor (native/ops/unary_functors.h). */
import { checkFiniteNumber } from '../arguments';
import { GradNode } from '../autograd/node';
import { checkFloat, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { native } from '../native/binding';
import { Tensor } from '../tensor';
import { powTensor } from './arithmetic';
import { produce } from './outputs';
import { UNARY_OP_CODE, rawUnary, type UnaryOpName } from './raw';
import { attach, needsGrad } from './record';

class UnaryNode extends GradNode {
  private readonly x: Tensor;
  private readonly y: Tensor;
  constructor(private readonly op: UnaryOpName, input: Tensor, out: Tensor, private readonly p0: number, private readonly p1: number) {
    super(`${op}Backward`, [input]);
    this.x = this.save(input);
    this.y = this.save(out);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    return [produce(this.x.shape, this.x, (out) => native.unaryBackward(UNARY_OP_CODE[this.op], out.handle, grad.handle, this.x.handle, this.y.handle, this.p0, this.p1))];
  }
}

function unary<D extends DType>(op: UnaryOpName, t: Tensor<D>, name: string, p0 = 0, p1 = 0): Tensor<D> {
  const input = checkTensor(t, `${name}(): t`) as Tensor<D>;
  checkFloat(input, `${name}(): t`);
  const out = rawUnary(op, input, p0, p1);
  if (needsGrad(input)) attach(new UnaryNode(op, input, out, p0, p1), out);
  return out;
}

export function exp<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('exp', t, 'exp'); }
export function log<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('log', t, 'log'); }
export function sqrt<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('sqrt', t, 'sqrt'); }
export function abs<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('abs', t, 'abs'); }
export function relu<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('relu', t, 'relu'); }
export function tanh<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('tanh', t, 'tanh'); }
export function sigmoid<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('sigmoid', t, 'sigmoid'); }
/** The exact GELU, x * Phi(x) (torch's default approximate='none'). */
export function gelu<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('gelu', t, 'gelu'); }
/** -1, 0 or 1 (NaN stays NaN); its gradient is 0. */
export function sign<D extends DType>(t: Tensor<D>): Tensor<D> { return unary('sign', t, 'sign'); }

/** t to the power `exponent` (a number, or a tensor broadcast against t). */
export function pow<D extends DType>(t: Tensor<D>, exponent: number | Tensor<D>): Tensor<D> {
  if (exponent instanceof Tensor) return powTensor(t, exponent);
  return unary('pow', t, 'pow', checkFiniteNumber(exponent, 'pow(): exponent'));
}

/** Each element limited to [min, max] (either may be omitted); the gradient passes where min <= t <= max. */
export function clamp<D extends DType>(t: Tensor<D>, min?: number | null, max?: number | null): Tensor<D> {
  const lo = min ?? -Infinity, hi = max ?? Infinity;
  if (typeof lo !== 'number' || Number.isNaN(lo)) throw new ArgumentError(`clamp(): min must be a number, got ${describe(min)}`);
  if (typeof hi !== 'number' || Number.isNaN(hi)) throw new ArgumentError(`clamp(): max must be a number, got ${describe(max)}`);
  if (min == null && max == null) throw new ArgumentError('clamp(): needs min, max or both');
  if (lo > hi) throw new ArgumentError(`clamp(): min (${lo}) must not exceed max (${hi})`);
  return unary('clamp', t, 'clamp', lo, hi);
}
