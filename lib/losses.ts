/** Loss functions (reduction: mean), built from differentiable ops. */
import { mean, mul, sub } from './ops/arithmetic';
import { checkShapeEquals, checkTensor } from './ops/checks';
import type { Tensor } from './tensor';

/** Mean squared error: mean((prediction - target)^2). */
export function mse(prediction: Tensor, target: Tensor): Tensor {
  checkTensor(prediction, 'mse(): prediction');
  checkTensor(target, 'mse(): target');
  checkShapeEquals(target, prediction.shape, 'mse(): target');
  const diff = sub(prediction, target);
  const squared = mul(diff, diff);
  diff.dispose();
  const loss = mean(squared);
  squared.dispose();
  return loss;
}
