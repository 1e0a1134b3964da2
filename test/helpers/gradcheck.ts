/**
 * Finite-difference gradient check in float64: compares the gradients backward() accumulates
 * with central differences of the scalar function, element by element.
 */
import { noGrad } from '../../lib/autograd/grad-mode';
import { Tensor } from '../../lib/tensor';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

/** `f` maps float64 inputs to a one-element tensor. Returns the worst absolute error. */
export function gradcheck(f: (inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): number {
  const { eps = 1e-6, atol = 1e-7, rtol = 1e-5 } = options;
  const leaves = inputs.map((t) => Tensor.from(t.dataSync(), t.shape, { dtype: 'float64' }).requiresGrad_());
  const loss = f(leaves);
  loss.backward();
  loss.dispose();
  let worst = 0;
  leaves.forEach((leaf, index) => {
    const base = leaf.dataSync() as Float64Array;
    const analytic = leaf.grad ? (leaf.grad.dataSync() as Float64Array) : new Float64Array(base.length);
    const evaluate = (i: number, delta: number): number =>
      noGrad(() => {
        const data = Float64Array.from(base);
        data[i] += delta;
        const perturbed = leaves.map((t, j) => (j === index ? Tensor.from(data, t.shape) : t.detach()));
        const out = f(perturbed);
        const value = out.itemSync();
        out.dispose();
        perturbed.forEach((t) => t.dispose());
        return value;
      });
    for (let i = 0; i < base.length; i++) {
      const numeric = (evaluate(i, eps) - evaluate(i, -eps)) / (2 * eps);
      const error = Math.abs(numeric - analytic[i]);
      worst = Math.max(worst, error);
      if (error > atol + rtol * Math.abs(numeric)) {
        throw new Error(`gradcheck: input ${index} element ${i}: analytic ${analytic[i]} vs numeric ${numeric} (error ${error})`);
      }
    }
  });
  leaves.forEach((t) => {
    t.grad?.dispose();
    t.dispose();
  });
  return worst;
}
