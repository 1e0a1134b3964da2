/**
 * scope(fn) (TensorFlow.js's tidy): every tensor created while `fn` runs is disposed when it
 * returns, except the tensors it returns (found inside arrays and plain objects too), which
 * move to the enclosing scope. Tensors the library owns (parameters, gradients, what the
 * autograd tape saves) are kept out of scopes with keep().
 */
import { ArgumentError } from './errors';
import { describe } from './format';

/** What a scope tracks: a Tensor, seen through the two members scopes use. */
export interface ScopedValue {
  dispose(): void;
}

const scopes: Set<ScopedValue>[] = [];
/** Values that no scope may dispose. */
const kept = new WeakSet<ScopedValue>();

/** @internal Called by every new Tensor. */
export function trackInScope(value: ScopedValue): void {
  if (scopes.length > 0 && !kept.has(value)) scopes[scopes.length - 1].add(value);
}

/** @internal Called on dispose, so a long loop inside a scope does not hold what it freed. */
export function forgetInScope(value: ScopedValue): void {
  if (scopes.length > 0) scopes[scopes.length - 1].delete(value);
}

/** Exempts `value` from every scope (it stays until disposed); returns it. */
export function keep<T extends ScopedValue>(value: T): T {
  kept.add(value);
  for (const scope of scopes) scope.delete(value);
  return value;
}

function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'AsyncFunction';
}

/** The tracked values inside `result`: itself, array items and plain-object properties, at any depth. */
function returnedValues(result: unknown, tracked: Set<ScopedValue>): Set<ScopedValue> {
  const found = new Set<ScopedValue>();
  const seen = new Set<unknown>();
  const pending: unknown[] = [result];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null || seen.has(value)) continue;
    seen.add(value);
    if (tracked.has(value as ScopedValue)) {
      found.add(value as ScopedValue);
    } else if (Array.isArray(value)) {
      pending.push(...value);
    } else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
      pending.push(...Object.values(value));
    } else if (value instanceof Map) {
      pending.push(...value.values());
    }
  }
  return found;
}

/**
 * Runs `fn` and disposes every tensor it created that it does not return. `fn` must be
 * synchronous: an async function goes on creating tensors after its first await, outside any
 * scope, so it is refused (use scope() inside it, around each synchronous part).
 */
export function scope<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new ArgumentError(`scope() needs a function, got ${describe(fn)}`);
  if (isAsyncFunction(fn)) {
    throw new ArgumentError('scope() takes a synchronous function: an async function creates tensors after its first await, outside the scope; use scope() inside it around each synchronous part');
  }
  const tracked = new Set<ScopedValue>();
  scopes.push(tracked);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    for (const value of tracked) value.dispose();
    throw error;
  }
  scopes.pop();
  if (typeof (result as { then?: unknown } | null)?.then === 'function') {
    for (const value of tracked) value.dispose();
    throw new ArgumentError('scope() takes a synchronous function, but this one returned a promise; await outside of scope()');
  }
  const returned = returnedValues(result, tracked);
  for (const value of tracked) if (!returned.has(value)) value.dispose();
  for (const value of returned) trackInScope(value);
  return result;
}
