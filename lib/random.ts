/**
 * Seedable random numbers. A Generator is a Philox4x32-10 key (the seed) plus a position in
 * its stream (the offset); each draw reads the next words, so the same seed gives the same
 * tensors on every run and on every device.
 */
import { ArgumentError } from './errors';
import { describe } from './format';

const MAX_SEED = (1n << 64n) - 1n;

/** PyTorch's default seed, so a fresh process is reproducible without manualSeed(). */
export const DEFAULT_SEED = 67280421310721n;

function toSeed(seed: unknown): bigint {
  if (typeof seed === 'bigint' && seed >= 0n && seed <= MAX_SEED) return seed;
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return BigInt(seed);
  throw new ArgumentError(`seed must be a non-negative integer (number up to 2^53, or bigint up to 2^64-1), got ${describe(seed)}`);
}

export class Generator {
  private seedValue: bigint;
  private offsetValue = 0;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.seedValue = toSeed(seed);
  }

  /** Restarts the stream from `seed`. */
  manualSeed(seed: number | bigint): this {
    this.seedValue = toSeed(seed);
    this.offsetValue = 0;
    return this;
  }

  get seed(): bigint {
    return this.seedValue;
  }

  /** Words of the stream consumed so far. */
  get offset(): number {
    return this.offsetValue;
  }

  /** Runs `draw` at the current position and advances by the words it reports consuming. */
  draw(draw: (seed: bigint, offset: number) => number): void {
    const words = draw(this.seedValue, this.offsetValue);
    if (!Number.isSafeInteger(words) || words < 0) throw new ArgumentError(`a draw must report the words it consumed, got ${describe(words)}`);
    this.offsetValue += words;
  }

  /** Saves the position, to restore with setState(). */
  getState(): { seed: bigint; offset: number } {
    return { seed: this.seedValue, offset: this.offsetValue };
  }

  setState(state: { seed: bigint | number; offset: number }): this {
    if (typeof state !== 'object' || state === null) throw new ArgumentError(`state must be { seed, offset }, got ${describe(state)}`);
    if (!Number.isSafeInteger(state.offset) || state.offset < 0) {
      throw new ArgumentError(`state.offset must be a non-negative integer, got ${describe(state.offset)}`);
    }
    this.seedValue = toSeed(state.seed);
    this.offsetValue = state.offset;
    return this;
  }
}

/** The generator used when none is passed. */
export const defaultGenerator = new Generator();

/** Seeds the default generator (like torch.manual_seed). */
export function manualSeed(seed: number | bigint): void {
  defaultGenerator.manualSeed(seed);
}
