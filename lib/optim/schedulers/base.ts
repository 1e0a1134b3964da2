/**
 * LRScheduler: what the epoch-driven schedulers share (torch.optim.lr_scheduler.LRScheduler).
 * Each computes a group's next lr from its current one (torch's recursive, "chainable" form), so
 * edits made to `paramGroups[i].lr` between steps, or by a second scheduler, compound with the
 * schedule. The constructor takes one step, as torch's does, leaving lastEpoch at 0 and the lr at
 * its epoch-0 value.
 */
import { checkFiniteNumber, checkInteger, checkOptions } from '../../arguments';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { checkNonNegative } from '../option-checks';
import { Optimizer, type ParamGroup } from '../optimizer';

/** Fields every LRScheduler's stateDict holds; each scheduler adds its options. */
export interface SchedulerState {
  lastEpoch: number;
  /** Each group's initial lr, what the schedule is defined from. */
  baseLrs: number[];
  /** The lrs the last step applied. */
  lastLr: number[];
}

/**
 * Each group's lr when the first scheduler on it was made: torch's `group['initial_lr']`, set
 * with setdefault, so a second scheduler on the same optimizer shares the first one's base lrs.
 * Kept beside the group since ParamGroup has no field for it.
 */
const initialLrs = new WeakMap<ParamGroup, number>();

/**
 * What a scheduler reads and writes of an optimizer: its groups' lr. Typed structurally because
 * Optimizer<O> is invariant in O (an SGD is not an Optimizer<GroupOptions>); that it is an
 * Optimizer is checked at run time.
 */
export interface ScheduledOptimizer {
  readonly paramGroups: readonly { lr: number }[];
}

/** Reads options (or the option fields of a stateDict): unknown names and bad values throw. */
export type SettingsReader<S> = (raw: unknown, where: string) => S;

export abstract class LRScheduler<S extends object = object> {
  readonly optimizer: Optimizer;
  private epoch = -1;
  private bases: number[];
  private applied: number[];
  protected settings: S;

  protected constructor(optimizer: ScheduledOptimizer, options: unknown, private readonly readSettings: SettingsReader<S>, private readonly where: string) {
    checkOptimizer(optimizer, where);
    this.optimizer = optimizer;
    this.settings = readSettings(options, `${where} options`);
    this.bases = optimizer.paramGroups.map((g) => {
      if (!initialLrs.has(g)) initialLrs.set(g, g.lr);
      return initialLrs.get(g)!;
    });
    this.applied = optimizer.paramGroups.map((g) => g.lr);
    // torch's _initial_step; nextLr reads only `settings`, which is set above.
    this.step();
  }

  /** A group's lr at epoch `t`, from its lr now and its base lr. */
  protected abstract nextLr(lr: number, baseLr: number, t: number): number;

  /** Epochs stepped since construction (0 right after it). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** Each group's initial lr. */
  get baseLrs(): number[] {
    return [...this.bases];
  }

  /** Advances one epoch and writes each group's new lr. */
  step(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.bases.length) {
      throw new ArgumentError(
        `${this.where}.step: the optimizer has ${groups.length} param groups but the scheduler was made for ${this.bases.length}; ` +
          'make the scheduler after adding param groups',
      );
    }
    this.epoch += 1;
    // Every lr is computed before any is written, as torch does.
    const next = groups.map((g, i) => this.nextLr(g.lr, this.bases[i], this.epoch));
    groups.forEach((g, i) => {
      g.lr = next[i];
    });
    this.applied = groups.map((g) => g.lr);
  }

  /** The lrs the last step applied, one per param group. */
  getLastLr(): number[] {
    return [...this.applied];
  }

  /**
   * lastEpoch, baseLrs, lastLr and the options, as plain JSON-able data. The lrs themselves live
   * in the optimizer: save its stateDict too.
   */
  stateDict(): SchedulerState & S {
    return { ...structuredClone(this.settings), lastEpoch: this.epoch, baseLrs: [...this.bases], lastLr: [...this.applied] };
  }

  /** Restores a stateDict() (options included, as torch does); the optimizer's lrs are not touched. */
  loadStateDict(dict: SchedulerState & S): void {
    const where = `${this.where}.loadStateDict dict`;
    const { lastEpoch, baseLrs, lastLr, ...rest } = checkDict(dict, Object.keys(this.stateDict()), where);
    const n = this.optimizer.paramGroups.length;
    const epoch = checkInteger(lastEpoch, `${where}.lastEpoch`, 0);
    const bases = checkLrList(baseLrs, n, `${where}.baseLrs`);
    const applied = checkLrList(lastLr, n, `${where}.lastLr`);
    this.settings = this.readSettings(rest, where);
    this.epoch = epoch;
    this.bases = bases;
    this.applied = applied;
    // A scheduler made later on this optimizer starts from the checkpoint's base lrs, as in torch.
    this.optimizer.paramGroups.forEach((g, i) => initialLrs.set(g, bases[i]));
  }
}

export function checkOptimizer(optimizer: unknown, where: string): asserts optimizer is Optimizer {
  if (!(optimizer instanceof Optimizer)) throw new ArgumentError(`${where}: optimizer must be an Optimizer (SGD, Adam, ...), got ${describe(optimizer)}`);
}

/** `dict` as an object with exactly the fields `fields` (a different scheduler's dict is refused). */
export function checkDict(dict: unknown, fields: readonly string[], where: string): Record<string, unknown> {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) throw new ArgumentError(`${where}: expected a stateDict() object, got ${describe(dict)}`);
  checkOptions(dict, fields, where);
  const missing = fields.filter((f) => (dict as Record<string, unknown>)[f] === undefined);
  if (missing.length > 0) throw new ArgumentError(`${where}: the dict lacks ${missing.join(', ')} (expected the fields ${fields.join(', ')})`);
  return dict as Record<string, unknown>;
}

/** An array of `n` finite numbers >= 0, one per param group. */
export function checkLrList(value: unknown, n: number, argument: string): number[] {
  if (!Array.isArray(value) || value.length !== n) {
    throw new ArgumentError(`${argument} must be an array of ${n} numbers (one per param group), got ${describe(value)}`);
  }
  return value.map((v, i) => checkNonNegative(v, `${argument}[${i}]`));
}

/** A finite number in the interval from lo to hi, each end open or closed. */
export function checkInterval(value: unknown, lo: number, loOpen: boolean, hi: number, hiOpen: boolean, argument: string): number {
  const v = checkFiniteNumber(value, argument);
  if ((loOpen ? v <= lo : v < lo) || (hiOpen ? v >= hi : v > hi)) {
    throw new ArgumentError(`${argument} must be in ${loOpen ? '(' : '['}${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
  }
  return v;
}

/** `value`, or `fallback` when it is undefined. */
export function orDefault<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}
