/** Whether ops record the autograd tape. */
import { ArgumentError } from '../errors';
import { describe } from '../format';

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording gradients (inference): GRUs run in inference mode and save
 * nothing for backward. `fn` must be synchronous (an async function would record again after
 * its first await); its result is returned.
 */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ArgumentError(`noGrad() needs a function, got ${describe(fn)}`);
  const previous = enabled;
  enabled = false;
  let result: T;
  try {
    result = fn();
  } finally {
    enabled = previous;
  }
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    throw new ArgumentError('noGrad() takes a synchronous function; await outside of it');
  }
  return result;
}
