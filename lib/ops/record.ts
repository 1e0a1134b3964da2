/** Attaching op outputs to the tape. */
import { isGradEnabled } from '../autograd/grad-mode';
import type { GradNode } from '../autograd/node';
import type { Tensor } from '../tensor';

/** True when an op over `inputs` must record a node. */
export function needsGrad(...inputs: (Tensor | null | undefined)[]): boolean {
  return isGradEnabled() && inputs.some((t) => t?.requiresGrad === true);
}

/** Makes `outputs` the results of `node`. */
export function attach(node: GradNode, ...outputs: Tensor[]): void {
  node.attachOutputs(outputs);
}
