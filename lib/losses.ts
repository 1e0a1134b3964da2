/** Loss functions (reduction: mean), built from differentiable ops. */
import { checkLike, checkTensor } from './checks';
import type { DType } from './dtype';
import { mean, mul, sub } from './ops/arithmetic';
import { scope } from './scope';
import { checkShapeEquals } from './shape';
import type { Tensor } from './tensor';

/** Mean squared error: mean((prediction - target)^2). */
export function mse<D extends DType>(prediction: Tensor<D>, target: Tensor<D>): Tensor<D> {
  checkTensor(prediction, 'mse(): prediction');
  checkTensor(target, 'mse(): target');
  checkShapeEquals(target.shape, prediction.shape, 'mse(): target');
  checkLike(target, prediction, 'mse(): target', 'prediction');
  return scope(() => {
    const diff = sub(prediction, target);
    return mean(mul(diff, diff));
  });
}
