/**
 * Matrix products through BLAS GEMM: matmul with torch's rules (1-D operands promoted, batch
 * dimensions broadcast) and linear (x W^T + b over inputs of any rank, one node).
 */
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ShapeError } from '../errors';
import { formatShape } from '../format';
import { native } from '../native/binding';
import { numelOf, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { broadcastShapes } from './broadcast';
import { produce } from './outputs';
import { rawExpand, rawReduce, sumToShape } from './raw';
import { attach, needsGrad } from './record';

/**
 * C[batch][m x n] = op(A) op(B), A and B read as `batch` matrices at their strides (0: one matrix
 * for every batch entry). Output shape `shape` (batch * m * n elements).
 */
function gemmBatched<D extends DType>(transA: boolean, transB: boolean, a: Tensor<D>, b: Tensor<D>, m: number, n: number, k: number,
                                      batch: number, strideA: number, strideB: number, shape: readonly number[]): Tensor<D> {
  return produce(shape, a, (out) => {
    if (batch > 0) native.gemm(transA, transB, m, n, k, 1, a.handle, b.handle, 0, out.handle, batch, strideA, strideB, m * n);
  });
}

/** a [..., m, k] @ b [..., k, n], both at least 2-D, batch dims already equal or b 2-D. */
function product<D extends DType>(a: Tensor<D>, b: Tensor<D>): Tensor<D> {
  const m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1];
  const batchShape = a.shape.slice(0, -2);
  const shape = [...batchShape, m, n];
  if (b.ndim === 2) {
    // Every batch entry uses the same B: fold the batch into the rows, one GEMM.
    return gemmBatched(false, false, a, b, numelOf(batchShape) * m, n, k, 1, 0, 0, shape);
  }
  return gemmBatched(false, false, a, b, m, n, k, numelOf(batchShape), m * k, k * n, shape);
}

class MatmulNode extends GradNode {
  private readonly a: Tensor;
  private readonly b: Tensor;
  constructor(a: Tensor, b: Tensor, private readonly aShape: readonly number[], private readonly bShape: readonly number[]) {
    super('matmulBackward', [a, b]);
    this.a = this.save(a);
    this.b = this.save(b);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const a = this.a, b = this.b;
    const m = a.shape[a.ndim - 2], k = a.shape[a.ndim - 1], n = b.shape[b.ndim - 1];
    const batch = numelOf(grad.shape.slice(0, -2));
    let ga: Tensor | null = null, gb: Tensor | null = null;
    if (this.inputs[0]) {
      // dA = G B^T
      ga = b.ndim === 2
        ? gemmBatched(false, true, grad, b, batch * m, k, n, 1, 0, 0, a.shape)
        : gemmBatched(false, true, grad, b, m, k, n, batch, m * n, k * n, a.shape);
    }
    if (this.inputs[1]) {
      // dB = A^T G, summed over the batch when B was shared.
      gb = b.ndim === 2
        ? gemmBatched(true, false, a, grad, k, n, batch * m, 1, 0, 0, b.shape)
        : gemmBatched(true, false, a, grad, k, n, m, batch, m * k, m * n, b.shape);
    }
    return [ga ? reshapedTo(ga, this.aShape) : null, gb ? reshapedTo(gb, this.bShape) : null];
  }
}

/** `grad` (of an expanded operand) summed back to the operand's own shape. */
function reshapedTo(grad: Tensor, shape: readonly number[]): Tensor {
  if (numelOf(shape) === grad.numel) {
    const view = grad.viewAs(shape);
    grad.dispose();
    return view;
  }
  const reduced = sumToShape(grad, [...new Array(grad.ndim - shape.length).fill(1), ...shape]);
  const view = reduced.viewAs(shape);
  reduced.dispose();
  if (reduced !== grad) grad.dispose();
  return view;
}

/**
 * torch.matmul: 2-D @ 2-D; batched [..., m, k] @ [..., k, n] with broadcast batch dimensions; a
 * 1-D operand is a row (left) or column (right) vector whose dimension is dropped from the result.
 */
export function matmul<D extends DType>(aIn: Tensor<D>, bIn: Tensor<D>): Tensor<D> {
  const a = checkTensor(aIn, 'matmul(): a') as Tensor<D>;
  const b = checkTensor(bIn, 'matmul(): b') as Tensor<D>;
  checkFloat(a, 'matmul(): a');
  checkLike(b, a, 'matmul(): b', 'a');
  if (a.ndim === 0 || b.ndim === 0 || a.shape[a.ndim - 1] !== b.shape[b.ndim === 1 ? 0 : b.ndim - 2]) {
    throw new ShapeError(`matmul(): needs a [..., m, k] and b [..., k, n] (or vectors of k), got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
  }
  const a2 = a.ndim === 1 ? a.reshape([1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? b.reshape([b.shape[0], 1]) : b;
  const temporaries: Tensor[] = [];
  try {
    let left = a2, right = b2;
    if (b2.ndim > 2 || a2.ndim > 2) {
      const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), 'matmul()', ['a\'s batch', 'b\'s batch']);
      const wantA = [...batch, ...a2.shape.slice(-2)], wantB = [...batch, ...b2.shape.slice(-2)];
      if (!sameShape(a2.shape, wantA)) temporaries.push((left = expandOnTape(a2, wantA)));
      if (b2.ndim > 2 && !sameShape(b2.shape, wantB)) temporaries.push((right = expandOnTape(b2, wantB)));
    }
    const out = product(left, right);
    if (needsGrad(left, right)) attach(new MatmulNode(left, right, left.shape, right.shape), out);
    let shape = out.shape;
    if (a.ndim === 1) shape = [...shape.slice(0, -2), shape[shape.length - 1]];
    if (b.ndim === 1) shape = shape.slice(0, -1);
    if (a.ndim !== 1 && b.ndim !== 1) return out;
    const result = out.reshape(shape);
    out.dispose();
    return result;
  } finally {
    for (const t of temporaries) t.dispose();
    if (a2 !== a) a2.dispose();
    if (b2 !== b) b2.dispose();
  }
}

class ExpandNode extends GradNode {
  constructor(input: Tensor, private readonly inputShape: readonly number[]) {
    super('expandBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const reduced = sumToShape(g!, [...new Array(g!.ndim - this.inputShape.length).fill(1), ...this.inputShape]);
    const out = reduced.viewAs(this.inputShape);
    if (reduced !== g) reduced.dispose();
    return [out];
  }
}

/** A materialised broadcast of t to `shape`, recorded so gradients sum back. */
export function expandOnTape<D extends DType>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  const out = rawExpand(t, shape);
  if (needsGrad(t)) attach(new ExpandNode(t, t.shape), out);
  return out;
}

class LinearNode extends GradNode {
  // A leaf's gradient (the layer's weight and bias) is added straight into its buffer: the
  // GEMM's beta = 1 does the accumulation, with no separate tensor to allocate and add.
  override readonly acceptsGradSinks = true;
  private readonly x: Tensor;
  private readonly w: Tensor;
  constructor(x: Tensor, weight: Tensor, bias: Tensor | null, private readonly rows: number) {
    super('linearBackward', [x, weight, bias]);
    this.x = this.save(x);
    this.w = this.save(weight);
  }
  backward([g]: readonly (Tensor | null)[], sinks: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!;
    const [outFeatures, inFeatures] = this.w.shape;
    // C = op(A) op(B) into `sink` (added) or a new tensor of `shape`.
    const product = (transA: boolean, a: Tensor, b: Tensor, m: number, n: number, k: number, shape: readonly number[], sink: Tensor | null): Tensor | null => {
      if (sink === null) return gemmBatched(transA, false, a, b, m, n, k, 1, 0, 0, shape);
      if (m > 0 && n > 0) native.gemm(transA, false, m, n, k, 1, a.handle, b.handle, 1, sink.handle);
      sink.bumpVersion();
      return null;
    };
    const dx = this.inputs[0] ? product(false, grad, this.w, this.rows, inFeatures, outFeatures, this.x.shape, sinks[0]) : null;
    const dw = this.inputs[1] ? product(true, grad, this.x, outFeatures, inFeatures, this.rows, this.w.shape, sinks[1]) : null;
    let db: Tensor | null = null;
    if (this.inputs[2]) {
      const rows = grad.viewAs([this.rows, outFeatures]);
      const { values } = rawReduce('sum', rows, 0);
      rows.dispose();
      if (sinks[2]) {
        native.axpby(sinks[2].handle, values.handle, 1, 1);
        sinks[2].bumpVersion();
        values.dispose();
      } else {
        db = values.viewAs([outFeatures]);
        values.dispose();
      }
    }
    return [dx, dw, db];
  }
}

/** x [..., in] W^T + b: weight [out, in], bias [out] or null (torch.nn.functional.linear). */
export function linear<D extends DType>(xIn: Tensor<D>, weightIn: Tensor<D>, biasIn?: Tensor<D> | null): Tensor<D> {
  const x = checkTensor(xIn, 'linear(): x') as Tensor<D>;
  const weight = checkTensor(weightIn, 'linear(): weight') as Tensor<D>;
  checkFloat(x, 'linear(): x');
  checkLike(weight, x, 'linear(): weight', 'x');
  if (weight.ndim !== 2) throw new ShapeError(`linear(): weight must be [outFeatures, inFeatures], got ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new ShapeError(`linear(): x must be [..., ${inFeatures}] for a weight of ${formatShape(weight.shape)}, got ${formatShape(x.shape)}`);
  }
  const bias = biasIn == null ? null : (checkTensor(biasIn, 'linear(): bias') as Tensor<D>);
  if (bias) {
    checkLike(bias, x, 'linear(): bias', 'x');
    if (bias.ndim !== 1 || bias.shape[0] !== outFeatures) throw new ShapeError(`linear(): bias must be [${outFeatures}], got ${formatShape(bias.shape)}`);
  }
  const rows = x.numel / inFeatures;
  const shape = [...x.shape.slice(0, -1), outFeatures];
  // On the CPU the GEMM adds the bias as it stores each tile; cuBLAS's has no such step, so there
  // the bias is spread into the output first and the GEMM adds the product onto it (beta 1).
  const biasInGemm = bias !== null && x.device === 'cpu';
  const out = bias && !biasInGemm ? rawExpand(bias, shape) : produce(shape, x, () => {});
  try {
    if (rows > 0) {
      native.gemm(false, true, rows, outFeatures, inFeatures, 1, x.handle, weight.handle, bias && !biasInGemm ? 1 : 0, out.handle, 1, 0, 0, 0,
                  biasInGemm ? bias.handle : null);
    }
  } catch (error) {
    out.dispose();
    throw error;
  }
  if (needsGrad(x, weight, bias)) attach(new LinearNode(x, weight, bias, rows), out);
  return out;
}
