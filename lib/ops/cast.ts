/**
 * Converting a tensor's dtype (torch's t.float(), t.double(), t.int(), t.to(dtype)): one native
 * pass on the tensor's device. Between float32 and float64 the gradient converts back; a
 * conversion to or from int32 is not differentiable (as in torch). Float to int32 truncates
 * toward zero; values beyond the int32 range saturate and NaN becomes -2147483648.
 */
import { GradNode } from '../autograd/node';
import { checkTensor } from '../checks';
import { checkDType, isFloating, type DType } from '../dtype';
import { native } from '../native/binding';
import type { Tensor } from '../tensor';
import { produce } from './outputs';
import { attach, needsGrad } from './record';

function rawCast<D extends DType>(t: Tensor, dtype: D): Tensor<D> {
  return produce(t.shape, { dtype, device: t.device }, (out) => native.cast(out.handle, t.handle));
}

class CastNode extends GradNode {
  constructor(input: Tensor, private readonly inputDType: DType) {
    super('castBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    return [rawCast(g!, this.inputDType)];
  }
}

/** A copy of `t` in `dtype` (a detached view when it already has it, like torch's to()). */
export function cast<D extends DType>(t: Tensor, dtype: D): Tensor<D> {
  const input = checkTensor(t, 'cast(): t');
  const target = checkDType(dtype, 'cast(): dtype') as D;
  if (target === input.dtype) return input.reshape(input.shape) as unknown as Tensor<D>;
  const out = rawCast(input, target);
  if (isFloating(target) && isFloating(input.dtype) && needsGrad(input)) attach(new CastNode(input, input.dtype), out);
  return out;
}
