/**
 * where(condition, a, b): condition ? a : b elementwise, as torch.where. The result is a
 * selection, not arithmetic: the chosen values come through bit for bit (-0, infinities and NaN
 * included), and whatever the other branch holds (an infinity used as a mask, say) never leaks
 * in. Built from ops that have both devices and gradients: the two sides, broadcast, are stacked
 * on a new last dimension and gathered by the condition, so gather's backward sends each
 * element's gradient to the side it came from and zero to the other.
 */
import { checkLike, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { Tensor } from '../tensor';
import type { Operand } from './arithmetic';
import { broadcastShapes } from './broadcast';
import { cast } from './cast';
import { gather } from './indexing';
import { stack } from './layout';
import { expandOnTape } from './matmul';
import { rawBinary, rawExpand } from './raw';

/**
 * condition ? a : b elementwise, broadcast (condition: nonzero means true, in a's dtype).
 * Differentiable in a and b.
 */
export function where<D extends DType>(condition: Tensor<D>, a: Tensor<D>, other: Operand<D>): Tensor<D> {
  checkTensor(condition, 'where(): condition');
  checkTensor(a, 'where(): a');
  checkLike(condition, a, 'where(): condition', 'a');
  if (typeof other !== 'number' && !(other instanceof Tensor)) throw new ArgumentError(`where(): b must be a Tensor or a number, got ${describe(other)}`);
  const b = typeof other === 'number' ? Tensor.full([], other, { dtype: a.dtype, device: a.device }) : checkTensor(other, 'where(): b') as Tensor<D>;
  if (b === other) checkLike(b, a, 'where(): b', 'a');
  const temporaries: Tensor[] = typeof other === 'number' ? [b] : [];
  // Each intermediate is freed on the way out, also when a later step throws.
  const temporary = <T extends Tensor>(t: T): T => {
    temporaries.push(t);
    return t;
  };
  try {
    const shape = broadcastShapes(broadcastShapes(condition.shape, a.shape, 'where()', ['condition', 'a']), b.shape, 'where()', ['condition and a', 'b']);
    const zero = temporary(Tensor.zeros([], { dtype: condition.dtype, device: condition.device }));
    const taken = temporary(rawBinary('ne', condition, zero, condition.shape));
    const index = temporary(cast(temporary(rawExpand(taken, shape)), 'int32'));
    const indexColumn = temporary(index.reshape([...shape, 1]));
    const sides = temporary(stack([temporary(expandOnTape(b, shape)), temporary(expandOnTape(a, shape))], -1));
    const picked = temporary(gather(sides, -1, indexColumn));
    return picked.reshape(shape) as Tensor<D>;
  } finally {
    for (const t of temporaries) t.dispose();
  }
}
