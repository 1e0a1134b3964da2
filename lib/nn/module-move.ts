/**
 * The pieces of Module.to(): tensors never change device, so a move makes copies of every
 * parameter first and swaps them in only once all of them exist. A failure (no such backend,
 * out of memory) then leaves the module as it was.
 */
import type { Device } from '../dtype';
import { ArgumentError } from '../errors';
import { keep } from '../scope';
import type { Tensor } from '../tensor';

/** @internal What a layer's storage move (to()) made but has not applied yet. */
export interface StorageMove {
  /** Each old parameter → its copy on the new device. */
  readonly views: ReadonlyMap<Tensor, Tensor>;
  /** Switches the layer to the copies and frees the old storage. */
  commit(): void;
  /** Frees the copies, leaving the layer as it was. */
  abort(): void;
}

/** A copy of parameter `p` on `device`, with its gradient (if any) and requiresGrad flag. */
export function copyParameter(p: Tensor, device: Device): Tensor {
  const copy = keep(p.to(device));
  try {
    if (p.grad !== null && !p.grad.disposed) copy.grad = keep(p.grad.to(device));
  } catch (error) {
    copy.dispose();
    throw error;
  }
  copy.requiresGrad = p.requiresGrad;
  return copy;
}

/** Frees a parameter and its gradient. */
export function disposeParameter(p: Tensor): void {
  p.grad?.dispose();
  p.dispose();
}

/** Refuses a field that to() could not point at the copy (a getter, a frozen object), before anything is copied. */
export function checkAssignable(owner: object, key: string, where: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(owner, key);
  const assignable = descriptor === undefined || descriptor.writable === true || descriptor.set !== undefined;
  if (!assignable) throw new ArgumentError(`${where}: field ${JSON.stringify(key)} holds a parameter but cannot be reassigned to its copy`);
}
