/** Dropout: each element kept with probability 1 - p and scaled by 1 / (1 - p) (torch.nn.functional.dropout). */
import { GradNode } from '../autograd/node';
import { checkFloat, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Generator } from '../random';
import { Tensor } from '../tensor';
import { rawBinary, rawScale } from './raw';
import { attach, needsGrad } from './record';

class DropoutNode extends GradNode {
  private readonly mask: Tensor;
  constructor(input: Tensor, mask: Tensor) {
    super('dropoutBackward', [input]);
    this.mask = this.save(mask);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    return [rawBinary('mul', g!, this.mask)];
  }
}

export function checkProbability(p: unknown, argument: string): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError(`${argument} must be a probability in [0, 1], got ${describe(p)}`);
  return p;
}

/** In training, zeroes elements with probability p and scales the rest; otherwise returns a view of t. */
export function dropout<D extends DType>(t: Tensor<D>, p = 0.5, training = true, generator?: Generator): Tensor<D> {
  const input = checkTensor(t, 'dropout(): t') as Tensor<D>;
  checkFloat(input, 'dropout(): t');
  checkProbability(p, 'dropout(): p');
  if (!training || p === 0) return input.reshape(input.shape);
  const uniform = Tensor.rand(input.shape, { dtype: input.dtype, device: input.device, generator });
  const threshold = Tensor.full([], p, { dtype: input.dtype, device: input.device });
  const kept = rawBinary('ge', uniform, threshold);
  // p = 1 keeps nothing: a zero mask, not 0 * inf.
  const mask = rawScale(kept, p === 1 ? 0 : 1 / (1 - p));
  for (const tmp of [uniform, threshold, kept]) tmp.dispose();
  try {
    const out = rawBinary('mul', input, mask);
    if (needsGrad(input)) attach(new DropoutNode(input, mask), out);
    return out;
  } finally {
    mask.dispose();
  }
}
