/** Differentiable 2-D matrix product through BLAS GEMM. */
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ShapeError } from '../errors';
import { formatShape } from '../format';
import { native } from '../native/binding';
import type { Tensor } from '../tensor';
import { produce } from './outputs';
import { attach, needsGrad } from './record';

function gemm<D extends DType>(transA: boolean, transB: boolean, a: Tensor<D>, b: Tensor<D>, m: number, n: number, k: number): Tensor<D> {
  return produce([m, n], a, (out) => native.gemm(transA, transB, m, n, k, 1, a.handle, b.handle, 0, out.handle));
}

class MatmulNode extends GradNode {
  private readonly a: Tensor;
  private readonly b: Tensor;
  constructor(a: Tensor, b: Tensor) {
    super('matmulBackward', [a, b]);
    this.a = this.save(a);
    this.b = this.save(b);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const [m, k] = this.a.shape;
    const n = this.b.shape[1];
    return [
      this.inputs[0] ? gemm(false, true, g!, this.b, m, k, n) : null, // dA = G B^T
      this.inputs[1] ? gemm(true, false, this.a, g!, k, n, m) : null, // dB = A^T G
    ];
  }
}

/** a [m, k] @ b [k, n] -> [m, n]. */
export function matmul<D extends DType>(a: Tensor<D>, b: Tensor<D>): Tensor<D> {
  checkTensor(a, 'matmul(): a');
  checkTensor(b, 'matmul(): b');
  checkFloat(a, 'matmul(): a');
  checkLike(b, a, 'matmul(): b', 'a');
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[0]) {
    throw new ShapeError(`matmul(): needs a [m, k] and b [k, n], got a ${formatShape(a.shape)} and b ${formatShape(b.shape)}`);
  }
  const [m, k] = a.shape;
  const out = gemm(false, false, a, b, m, b.shape[1], k);
  if (needsGrad(a, b)) attach(new MatmulNode(a, b), out);
  return out;
}
