/**
 * Differentiable elementwise arithmetic and reductions over all elements. The second operand
 * of a binary op is a tensor of the same shape, a one-element tensor (broadcast), or a number.
 */
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import { codesFrom, type DType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { native, nativeConstants } from '../native/binding';
import { sameShape } from '../shape';
import { Tensor } from '../tensor';
import { produce } from './outputs';
import { attach, needsGrad } from './record';

const BINARY_OPS = ['add', 'sub', 'mul', 'div'] as const;
type BinaryOpName = (typeof BINARY_OPS)[number];
/** The addon's codes (Note [op codes]). */
export const BINARY_OP_CODE = codesFrom(BINARY_OPS, nativeConstants.binaryOps, 'binary op');

export type Operand<D extends DType = DType> = Tensor<D> | number;

/** out = a op b with no tape; `b` already validated. */
function rawBinary<D extends DType>(op: BinaryOpName, a: Tensor<D>, b: Tensor<D>): Tensor<D> {
  return produce(a.shape, a, (out) => native.binary(BINARY_OP_CODE[op], out.handle, a.handle, b.handle));
}

/** alpha * t (no tape). */
export function rawScale<D extends DType>(t: Tensor<D>, alpha: number): Tensor<D> {
  return produce(t.shape, t, (out) => native.axpby(out.handle, t.handle, alpha, 0));
}

/** The sum of all elements, in a tensor of `shape` (one element; no tape). */
export function rawSum<D extends DType>(t: Tensor<D>, shape: readonly number[] = []): Tensor<D> {
  return produce(shape, t, (out) => native.sum(out.handle, t.handle));
}

class BinaryNode extends GradNode {
  private readonly savedA?: Tensor;
  private readonly savedB?: Tensor;
  private readonly bShape: readonly number[];
  private readonly bNumel: number;

  constructor(private readonly op: BinaryOpName, a: Tensor, b: Tensor) {
    super(`${op}Backward`, [a, b]);
    this.bShape = b.shape;
    this.bNumel = b.numel;
    // Only what the gradients need: mul and div read the operands.
    if (op === 'mul' || op === 'div') {
      this.savedA = this.save(a);
      this.savedB = this.save(b);
    }
  }

  private toB(grad: Tensor): Tensor {
    if (this.bNumel === grad.numel) return grad;
    const reduced = rawSum(grad, this.bShape);
    grad.dispose();
    return reduced;
  }

  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const [needA, needB] = [this.inputs[0] !== null, this.inputs[1] !== null];
    switch (this.op) {
      case 'add':
        return [needA ? rawScale(grad, 1) : null, needB ? this.toB(rawScale(grad, 1)) : null];
      case 'sub':
        return [needA ? rawScale(grad, 1) : null, needB ? this.toB(rawScale(grad, -1)) : null];
      case 'mul':
        return [
          needA ? rawBinary('mul', grad, this.savedB!) : null,
          needB ? this.toB(rawBinary('mul', grad, this.savedA!)) : null,
        ];
      case 'div': {
        const ga = needA ? rawBinary('div', grad, this.savedB!) : null;
        let gb: Tensor | null = null;
        if (needB) {
          // d(a/b)/db = -a / b^2 = -(a/b) / b
          const quotient = rawBinary('div', this.savedA!, this.savedB!);
          const scaled = rawBinary('mul', grad, quotient);
          quotient.dispose();
          const overB = rawBinary('div', scaled, this.savedB!);
          scaled.dispose();
          gb = this.toB(rawScale(overB, -1));
          overB.dispose();
        }
        return [ga, gb];
      }
    }
  }
}

function binary<D extends DType>(op: BinaryOpName, aIn: Tensor<D>, bIn: Operand<D>): Tensor<D> {
  const a = checkTensor(aIn, `${op}(): a`) as Tensor<D>;
  checkFloat(a, `${op}(): a`);
  if (typeof bIn !== 'number') {
    const b = checkTensor(bIn, `${op}(): b`) as Tensor<D>;
    checkLike(b, a, `${op}(): b`, 'a');
    if (!sameShape(a.shape, b.shape) && b.numel !== 1) {
      throw new ShapeError(`${op}(): b must have a's shape ${formatShape(a.shape)} or be a single value, got ${formatShape(b.shape)}`);
    }
    return binaryOf(op, a, b);
  }
  const b = Tensor.full([], bIn, { dtype: a.dtype, device: a.device });
  try {
    return binaryOf(op, a, b);
  } finally {
    b.dispose();
  }
}

function binaryOf<D extends DType>(op: BinaryOpName, a: Tensor<D>, b: Tensor<D>): Tensor<D> {
  const out = rawBinary(op, a, b);
  if (needsGrad(a, b)) attach(new BinaryNode(op, a, b), out);
  return out;
}

export function add<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> {
  return binary('add', a, b);
}

export function sub<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> {
  return binary('sub', a, b);
}

export function mul<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> {
  return binary('mul', a, b);
}

export function div<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> {
  return binary('div', a, b);
}

class ScaleNode extends GradNode {
  constructor(input: Tensor, private readonly alpha: number) {
    super('scaleBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    return [rawScale(g!, this.alpha)];
  }
}

/** alpha * t. */
export function scale<D extends DType>(t: Tensor<D>, alpha: number): Tensor<D> {
  const input = checkTensor(t, 'scale(): t') as Tensor<D>;
  checkFloat(input, 'scale(): t');
  if (typeof alpha !== 'number') throw new ArgumentError(`scale(): alpha must be a number, got ${describe(alpha)}`);
  const out = rawScale(input, alpha);
  if (needsGrad(input)) attach(new ScaleNode(input, alpha), out);
  return out;
}

export function neg<D extends DType>(t: Tensor<D>): Tensor<D> {
  return scale(t, -1);
}

class SumNode extends GradNode {
  private readonly inputShape: readonly number[];
  constructor(input: Tensor, private readonly factor: number) {
    super(factor === 1 ? 'sumBackward' : 'meanBackward', [input]);
    this.inputShape = input.shape;
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    // Every element receives factor * g.
    const grad = g!;
    const spread = Tensor.full(this.inputShape, this.factor, { dtype: grad.dtype, device: grad.device });
    native.binary(BINARY_OP_CODE.mul, spread.handle, spread.handle, grad.handle);
    return [spread];
  }
}

/** The sum of all elements, as a scalar tensor. */
export function sum<D extends DType>(t: Tensor<D>): Tensor<D> {
  const input = checkTensor(t, 'sum(): t') as Tensor<D>;
  checkFloat(input, 'sum(): t');
  const out = rawSum(input);
  if (needsGrad(input)) attach(new SumNode(input, 1), out);
  return out;
}

/** The mean of all elements, as a scalar tensor. */
export function mean<D extends DType>(t: Tensor<D>): Tensor<D> {
  const input = checkTensor(t, 'mean(): t') as Tensor<D>;
  checkFloat(input, 'mean(): t');
  if (input.numel === 0) throw new ShapeError('mean(): t has no elements');
  const total = rawSum(input);
  let out: Tensor<D>;
  try {
    out = rawScale(total, 1 / input.numel);
  } finally {
    total.dispose();
  }
  if (needsGrad(input)) attach(new SumNode(input, 1 / input.numel), out);
  return out;
}
