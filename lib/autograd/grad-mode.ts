/** Whether ops record the autograd tape. */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording gradients (inference): GRUs run in inference mode and save
 * nothing for backward. `fn` must be synchronous; its result is returned.
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new TypeError('noGrad() takes a synchronous function; await outside of it');
    }
    return result;
  } finally {
    enabled = previous;
  }
}
