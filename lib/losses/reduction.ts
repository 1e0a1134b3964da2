/** PyTorch's loss reductions and the options every loss shares. */
import { ArgumentError } from '../errors';
import { describe } from '../format';

export const REDUCTIONS = ['none', 'mean', 'sum'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

export function checkReduction(value: unknown, where: string): Reduction {
  if (value === undefined) return 'mean';
  if (!REDUCTIONS.includes(value as Reduction)) throw new ArgumentError(`${where}.reduction must be 'none', 'mean' or 'sum', got ${describe(value)}`);
  return value as Reduction;
}
