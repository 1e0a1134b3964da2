/** Checks of optimizer options: messages name the option and the value. */
import { checkBoolean } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';

export function checkOptimizerNumber(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ArgumentError(`${argument} must be a finite number, got ${describe(value)}`);
  return value;
}

export function checkNonNegative(value: unknown, argument: string): number {
  const v = checkOptimizerNumber(value, argument);
  if (v < 0) throw new ArgumentError(`${argument} must be >= 0, got ${v}`);
  return v;
}

/** A value in [0, 1) (betas, alpha). */
export function checkUnitInterval(value: unknown, argument: string): number {
  const v = checkOptimizerNumber(value, argument);
  if (v < 0 || v >= 1) throw new ArgumentError(`${argument} must be in [0, 1), got ${v}`);
  return v;
}

export { checkBoolean };
