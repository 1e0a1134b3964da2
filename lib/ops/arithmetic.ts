/**
 * Differentiable elementwise arithmetic with PyTorch's broadcasting, and the sum and mean of all
 * elements. The second operand is a tensor (broadcastable against the first) or a number.
 */
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe } from '../format';
import { native } from '../native/binding';
import { Tensor } from '../tensor';
import { broadcastShapes } from './broadcast';
import { attach, needsGrad } from './record';
import { BINARY_OP_CODE, rawBinary, rawScale, rawSum, rawUnary, sumToShape, type BinaryOpName } from './raw';

export { BINARY_OP_CODE, rawScale, rawSum };

export type Operand<D extends DType = DType> = Tensor<D> | number;

type DifferentiableOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';

/** Frees every tensor in `temporaries` and returns `result`. */
function freeing<T>(result: T, ...temporaries: Tensor[]): T {
  for (const t of temporaries) t.dispose();
  return result;
}

class BinaryNode extends GradNode {
  private readonly savedA?: Tensor;
  private readonly savedB?: Tensor;
  private readonly savedOut?: Tensor;
  private readonly aShape: readonly number[];
  private readonly bShape: readonly number[];

  constructor(private readonly op: DifferentiableOp, a: Tensor, b: Tensor, out: Tensor) {
    super(`${op}Backward`, [a, b]);
    this.aShape = a.shape;
    this.bShape = b.shape;
    // Only what the gradients read: add and sub need nothing.
    if (op !== 'add' && op !== 'sub') {
      this.savedA = this.save(a);
      this.savedB = this.save(b);
    }
    if (op === 'pow') this.savedOut = this.save(out);
  }

  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const needA = this.inputs[0] !== null, needB = this.inputs[1] !== null;
    const [ga, gb] = this.elementGradients(grad, needA, needB);
    return [ga ? sumToShapeOwned(ga, this.aShape) : null, gb ? sumToShapeOwned(gb, this.bShape) : null];
  }

  /** Gradients at the broadcast shape. */
  private elementGradients(g: Tensor, needA: boolean, needB: boolean): [Tensor | null, Tensor | null] {
    const a = this.savedA!, b = this.savedB!;
    const shape = g.shape;
    switch (this.op) {
      case 'add': return [needA ? rawScale(g, 1) : null, needB ? rawScale(g, 1) : null];
      case 'sub': return [needA ? rawScale(g, 1) : null, needB ? rawScale(g, -1) : null];
      case 'mul': return [needA ? rawBinary('mul', g, b, shape) : null, needB ? rawBinary('mul', g, a, shape) : null];
      case 'div': {
        const ga = needA ? rawBinary('div', g, b, shape) : null;
        if (!needB) return [ga, null];
        // d(a/b)/db = -(a/b) / b
        const quotient = rawBinary('div', a, b, shape);
        const scaled = rawBinary('mul', g, quotient, shape);
        const overB = rawBinary('div', scaled, b, shape);
        return [ga, freeing(rawScale(overB, -1), quotient, scaled, overB)];
      }
      case 'pow': {
        // d(a^b)/da = b a^(b-1) = b (a^b / a) where a != 0, so compute b * a^(b - 1) directly;
        // d/db = a^b log a.
        let ga: Tensor | null = null;
        if (needA) {
          const one = onesLike(b);
          const bMinusOne = rawBinary('sub', b, one, b.shape);
          const power = rawBinary('pow', a, bMinusOne, shape);
          const times = rawBinary('mul', power, b, shape);
          ga = freeing(rawBinary('mul', g, times, shape), one, bMinusOne, power, times);
        }
        let gb: Tensor | null = null;
        if (needB) {
          const logA = rawUnary('log', a);
          const times = rawBinary('mul', this.savedOut!, logA, shape);
          gb = freeing(rawBinary('mul', g, times, shape), logA, times);
        }
        return [ga, gb];
      }
      case 'maximum':
      case 'minimum': {
        // The larger (smaller) side takes the gradient; ties split it, as torch does.
        const wins = rawBinary(this.op === 'maximum' ? 'gt' : 'lt', a, b, shape);
        const ties = rawBinary('eq', a, b, shape);
        const halfTies = rawScale(ties, 0.5);
        const shareA = rawBinary('add', wins, halfTies, shape);
        const ga = needA ? rawBinary('mul', g, shareA, shape) : null;
        let gb: Tensor | null = null;
        if (needB) {
          const gA = ga ?? rawBinary('mul', g, shareA, shape);
          gb = rawBinary('sub', g, gA, shape);
          if (!ga) gA.dispose();
        }
        return freeing([ga, gb], wins, ties, halfTies, shareA);
      }
    }
  }
}

function onesLike(t: Tensor): Tensor {
  return Tensor.ones([], { dtype: t.dtype, device: t.device });
}

function sumToShapeOwned(grad: Tensor, shape: readonly number[]): Tensor {
  const reduced = sumToShape(grad, shape);
  if (reduced !== grad) grad.dispose();
  return reduced;
}

/** `b` as a tensor like `a` (a number becomes a scalar tensor the caller disposes). */
function operandOf<D extends DType>(op: string, a: Tensor<D>, bIn: Operand<D>, floatOnly: boolean): { b: Tensor<D>; made: boolean } {
  if (typeof bIn === 'number') {
    if (a.dtype === 'int32' && !Number.isInteger(bIn)) throw new ArgumentError(`${op}(): b = ${bIn} must be an integer for an int32 tensor`);
    return { b: Tensor.full([], bIn, { dtype: a.dtype, device: a.device }), made: true };
  }
  const b = checkTensor(bIn, `${op}(): b`) as Tensor<D>;
  checkLike(b, a, `${op}(): b`, 'a');
  if (floatOnly) checkFloat(b, `${op}(): b`);
  return { b, made: false };
}

/** a op b with broadcasting; int32 operands take add, sub, mul, maximum, minimum (no gradients). */
function binary<D extends DType>(op: DifferentiableOp, aIn: Tensor<D>, bIn: Operand<D>): Tensor<D> {
  const a = checkTensor(aIn, `${op}(): a`) as Tensor<D>;
  const floatOnly = op === 'div' || op === 'pow';
  if (floatOnly) checkFloat(a, `${op}(): a`);
  if (typeof bIn !== 'number' && !(bIn instanceof Tensor)) throw new ArgumentError(`${op}(): b must be a Tensor or a number, got ${describe(bIn)}`);
  const { b, made } = operandOf(op, a, bIn, floatOnly);
  try {
    const shape = broadcastShapes(a.shape, b.shape, `${op}()`);
    const out = rawBinary(op, a, b, shape);
    if (needsGrad(a, b)) attach(new BinaryNode(op, a, b, out), out);
    return out;
  } finally {
    if (made) b.dispose();
  }
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

/** Elementwise larger value (NaN if either is NaN). */
export function maximum<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> {
  return binary('maximum', a, b);
}

export function minimum<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> {
  return binary('minimum', a, b);
}

/** a to the power b: a number exponent is the unary op (ops/unary.ts), a tensor one broadcasts. */
export function powTensor<D extends DType>(a: Tensor<D>, b: Tensor<D>): Tensor<D> {
  return binary('pow', a, b);
}

type ComparisonName = Extract<BinaryOpName, 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'>;

function compare<D extends DType>(op: ComparisonName, aIn: Tensor<D>, bIn: Operand<D>): Tensor<D> {
  const a = checkTensor(aIn, `${op}(): a`) as Tensor<D>;
  if (typeof bIn !== 'number' && !(bIn instanceof Tensor)) throw new ArgumentError(`${op}(): b must be a Tensor or a number, got ${describe(bIn)}`);
  const { b, made } = operandOf(op, a, bIn, false);
  try {
    return rawBinary(op, a, b, broadcastShapes(a.shape, b.shape, `${op}()`));
  } finally {
    if (made) b.dispose();
  }
}

/** 1 where a == b, else 0, in the operands' dtype (there is no bool dtype); never on the tape. */
export function eq<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> { return compare('eq', a, b); }
export function ne<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> { return compare('ne', a, b); }
export function lt<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> { return compare('lt', a, b); }
export function le<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> { return compare('le', a, b); }
export function gt<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> { return compare('gt', a, b); }
export function ge<D extends DType>(a: Tensor<D>, b: Operand<D>): Tensor<D> { return compare('ge', a, b); }

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

class SumAllNode extends GradNode {
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
export function sumAll<D extends DType>(t: Tensor<D>): Tensor<D> {
  const input = checkTensor(t, 'sum(): t') as Tensor<D>;
  checkFloat(input, 'sum(): t');
  const out = rawSum(input);
  if (needsGrad(input)) attach(new SumAllNode(input, 1), out);
  return out;
}

/** The mean of all elements, as a scalar tensor. */
export function meanAll<D extends DType>(t: Tensor<D>): Tensor<D> {
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
  if (needsGrad(input)) attach(new SumAllNode(input, 1 / input.numel), out);
  return out;
}
