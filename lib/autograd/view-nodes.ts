/** Backward of the free views: reshape and narrow (rows of the leading axis). */
import { native } from '../native/binding';
import { Tensor } from '../tensor';
import { GradNode } from './node';

export class ReshapeNode extends GradNode {
  constructor(input: Tensor, private readonly inputShape: readonly number[]) {
    super('reshapeBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    // Gradients are never on the tape, so this is a plain view; the engine disposes g after.
    return [g!.reshape(this.inputShape)];
  }
}

export class NarrowNode extends GradNode {
  constructor(
    input: Tensor,
    private readonly inputShape: readonly number[],
    private readonly start: number,
    private readonly length: number,
  ) {
    super('narrowBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = Tensor.zeros(this.inputShape, { dtype: g!.dtype, device: g!.device });
    const rows = grad.narrow(this.start, this.length);
    native.copy(rows.handle, g!.handle);
    rows.dispose();
    return [grad];
  }
}
