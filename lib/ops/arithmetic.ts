/**
 * Differentiable elementwise arithmetic. The second operand is a tensor of the same shape, a
 * one-element tensor (broadcast), or a number.
 */
import { GradNode } from '../autograd/node';
import { ShapeError, formatShape } from '../errors';
import { native } from '../native/binding';
import { Tensor } from '../tensor';
import { checkFloat, checkSameDTypeDevice, checkTensor, sameShape } from './checks';
import { attach, needsGrad } from './record';

enum Op { Add = 0, Sub = 1, Mul = 2, Div = 3 }
const OP_NAMES = ['add', 'sub', 'mul', 'div'];

export type Operand = Tensor | number;

function emptyLike(t: Tensor): Tensor {
  return Tensor.empty(t.shape, { dtype: t.dtype, device: t.device });
}

/** out = a op b with no tape; `b` already validated. */
function rawBinary(op: Op, a: Tensor, b: Tensor): Tensor {
  const out = emptyLike(a);
  native.binary(op, out.handle, a.handle, b.handle);
  return out;
}

/** alpha * t (no tape). */
export function rawScale(t: Tensor, alpha: number): Tensor {
  const out = emptyLike(t);
  native.axpby(out.handle, t.handle, alpha, 0);
  return out;
}

/** The sum of all elements as a one-element tensor (no tape). */
export function rawSum(t: Tensor, shape: readonly number[] = []): Tensor {
  const out = Tensor.empty(shape, { dtype: t.dtype, device: t.device });
  native.sum(out.handle, t.handle);
  return out;
}

/** Reduces a broadcast operand's gradient back to its one element. */
function reduceTo(grad: Tensor, operand: Tensor): Tensor {
  if (operand.numel === grad.numel) return grad;
  const reduced = rawSum(grad, operand.shape);
  grad.dispose();
  return reduced;
}

class BinaryNode extends GradNode {
  constructor(
    private readonly op: Op,
    private readonly a: Tensor,
    private readonly b: Tensor,
  ) {
    super(`${OP_NAMES[op]}Backward`, [a, b]);
    // Only what the gradients need: mul and div read the operands.
    if (op === Op.Mul || op === Op.Div) {
      this.savedA = this.save(a);
      this.savedB = this.save(b);
    }
  }
  private savedA?: Tensor;
  private savedB?: Tensor;

  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const [needA, needB] = [this.inputs[0] !== null, this.inputs[1] !== null];
    switch (this.op) {
      case Op.Add:
        return [needA ? rawScale(grad, 1) : null, needB ? reduceTo(rawScale(grad, 1), this.b) : null];
      case Op.Sub:
        return [needA ? rawScale(grad, 1) : null, needB ? reduceTo(rawScale(grad, -1), this.b) : null];
      case Op.Mul:
        return [
          needA ? rawBinary(Op.Mul, grad, this.savedB!) : null,
          needB ? reduceTo(rawBinary(Op.Mul, grad, this.savedA!), this.b) : null,
        ];
      case Op.Div: {
        const ga = needA ? rawBinary(Op.Div, grad, this.savedB!) : null;
        let gb: Tensor | null = null;
        if (needB) {
          // d(a/b)/db = -a / b^2 = -(a/b) / b
          const quotient = rawBinary(Op.Div, this.savedA!, this.savedB!);
          const scaled = rawBinary(Op.Mul, grad, quotient);
          quotient.dispose();
          const overB = rawBinary(Op.Div, scaled, this.savedB!);
          scaled.dispose();
          gb = reduceTo(rawScale(overB, -1), this.b);
          overB.dispose();
        }
        return [ga, gb];
      }
    }
  }
}

function binary(op: Op, aIn: Tensor, bIn: Operand): Tensor {
  const name = OP_NAMES[op];
  const a = checkTensor(aIn, `${name}(): a`);
  const b = typeof bIn === 'number' ? Tensor.full([], bIn, { dtype: a.dtype, device: a.device }) : checkTensor(bIn, `${name}(): b`);
  try {
    if (a.dtype === 'int32' && op === Op.Div) checkFloat(a, `${name}(): a`);
    checkSameDTypeDevice(a, b, `${name}(): a`, `${name}(): b`);
    if (!sameShape(a.shape, b.shape) && b.numel !== 1) {
      throw new ShapeError(`${name}(): b must have a's shape ${formatShape(a.shape)} or be a single value, got ${formatShape(b.shape)}`);
    }
    const out = rawBinary(op, a, b);
    if (needsGrad(a, b)) attach(new BinaryNode(op, a, b), out);
    return out;
  } finally {
    if (typeof bIn === 'number') b.dispose();
  }
}

export function add(a: Tensor, b: Operand): Tensor {
  return binary(Op.Add, a, b);
}

export function sub(a: Tensor, b: Operand): Tensor {
  return binary(Op.Sub, a, b);
}

export function mul(a: Tensor, b: Operand): Tensor {
  return binary(Op.Mul, a, b);
}

export function div(a: Tensor, b: Operand): Tensor {
  return binary(Op.Div, a, b);
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
export function scale(t: Tensor, alpha: number): Tensor {
  const input = checkTensor(t, 'scale(): t');
  checkFloat(input, 'scale(): t');
  const out = rawScale(input, alpha);
  if (needsGrad(input)) attach(new ScaleNode(input, alpha), out);
  return out;
}

export function neg(t: Tensor): Tensor {
  return scale(t, -1);
}

class SumNode extends GradNode {
  constructor(private readonly input: Tensor, private readonly factor: number) {
    super(factor === 1 ? 'sumBackward' : 'meanBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    // Every element receives factor * g.
    const ones = Tensor.full(this.input.shape, this.factor, { dtype: this.input.dtype, device: this.input.device });
    native.binary(Op.Mul, ones.handle, ones.handle, g!.handle);
    return [ones];
  }
}

/** The sum of all elements, as a scalar tensor. */
export function sum(t: Tensor): Tensor {
  const input = checkTensor(t, 'sum(): t');
  checkFloat(input, 'sum(): t');
  const out = rawSum(input);
  if (needsGrad(input)) attach(new SumNode(input, 1), out);
  return out;
}

/** The mean of all elements, as a scalar tensor. */
export function mean(t: Tensor): Tensor {
  const input = checkTensor(t, 'mean(): t');
  checkFloat(input, 'mean(): t');
  if (input.numel === 0) throw new ShapeError('mean(): t has no elements');
  const total = rawSum(input);
  const out = rawScale(total, 1 / input.numel);
  total.dispose();
  if (needsGrad(input)) attach(new SumNode(input, 1 / input.numel), out);
  return out;
}
