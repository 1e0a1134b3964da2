/**
 * Optimizer: what SGD, Adam, AdamW, RMSprop and Adagrad share (torch.optim.Optimizer). Parameters are
 * held in param groups, each with its own options (a group's `lr` is what schedulers change);
 * state tensors per parameter live in `state`. step() makes one native call per group
 * (lib/optim/update.ts); zeroGrad() zeroes gradient buffers in place, since layers such as the
 * GRU keep every gradient as a view of one buffer.
 */
import { checkOptions } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import { checkTensor } from '../checks';
import { ArgumentError, DTypeError, DeviceError } from '../errors';
import { describe } from '../format';
import { copyInPlace, fillInPlace } from '../ops/inplace';
import { keep } from '../scope';
import { checkShapeEquals } from '../shape';
import { Tensor } from '../tensor';

/** A group's options: numbers and flags (`lr` always). */
export type GroupOptions = Record<string, number | boolean>;

export interface ParamGroup<O extends GroupOptions = GroupOptions> {
  params: Tensor[];
  /** The learning rate now (schedulers write it). */
  lr: number;
  /** Every option of the group, defaults filled in; `options.lr` mirrors `lr`. */
  options: O;
}

/** One parameter's state: its update count and its state tensors (Adam's exp_avg, ...). */
export interface ParamState {
  step: number;
  tensors: Record<string, Tensor>;
}

/** A param group as users give it: `{ params, lr?, ...options }`. Any iterable works at run time; the published types say arrays (they also target ES5 libs). */
export type ParamGroupInput<O> = { params: readonly Tensor[] | Tensor } & Partial<O>;
export type ParamsInput<O> = readonly Tensor[] | readonly ParamGroupInput<O>[];

/** torch's state_dict layout: state by parameter index, groups with their options and indices. */
export interface OptimizerStateDict {
  state: Record<number, { step: number; tensors: Record<string, Tensor> }>;
  paramGroups: ({ params: number[] } & GroupOptions)[];
}

export abstract class Optimizer<O extends GroupOptions = GroupOptions> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** @internal Per-parameter state (see stateDict() for the published view). */
  readonly state = new Map<Tensor, ParamState>();
  /** @internal Runs on every gradient step() uses, before any update (keras.optimizers' clipping). */
  gradientHook: ((grads: readonly Tensor[]) => void) | null = null;
  private readonly defaults: O;
  private disposedFlag = false;

  /** `options` override `defaults`; names not in `defaults` are refused. */
  protected constructor(params: ParamsInput<O>, defaults: O, options: Partial<O> | undefined, private readonly where: string) {
    this.defaults = { ...defaults, ...checkOptions(this.spellOptions(options, `${where} options`), Object.keys(defaults), `${where} options`) } as O;
    this.validateOptions(this.defaults, `${where} options`);
    const items = params !== null && typeof params === 'object' && Symbol.iterator in (params as object) ? [...(params as Iterable<unknown>)] : null;
    if (items === null) throw new ArgumentError(`${where}: params must be an iterable of tensors or of param groups, got ${describe(params)}`);
    if (items.length === 0) throw new ArgumentError(`${where}: params is empty (an optimizer needs at least one parameter)`);
    const groups = items.every((p) => p instanceof Tensor) ? [{ params: items as Tensor[] }] : items;
    groups.forEach((g, i) => this.addParamGroup(g as ParamGroupInput<O>, `${where}: params[${i}]`));
  }

  /** Adds a group (its options default to the optimizer's). */
  addParamGroup(group: ParamGroupInput<O>, where = `${this.where}.addParamGroup`): void {
    if (typeof group !== 'object' || group === null || group instanceof Tensor || !('params' in group)) {
      throw new ArgumentError(`${where} must be a param group { params, ...options }, got ${describe(group)}`);
    }
    const { params, ...rest } = group;
    const options = { ...this.defaults, ...checkOptions(this.spellOptions(rest, `${where} options`), Object.keys(this.defaults), `${where} options`) } as O;
    this.validateOptions(options, where);
    const list = params instanceof Tensor ? [params] : [...(params as unknown as Iterable<Tensor>)];
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    list.forEach((p, i) => {
      checkTensor(p, `${where}.params[${i}]`);
      if (p.dtype === 'int32') throw new DTypeError(`${where}.params[${i}] must be a float32 or float64 tensor, got int32`);
      if (!p.isLeaf) throw new ArgumentError(`${where}.params[${i}] is not a leaf tensor (it was computed by an op); optimize the leaves it came from`);
      if (seen.has(p)) throw new ArgumentError(`${where}.params[${i}] appears more than once among the optimizer's parameters`);
      seen.add(p);
    });
    const first = list[0] ?? this.paramGroups[0]?.params[0];
    for (const [i, p] of list.entries()) {
      if (first && p.device !== first.device) {
        throw new DeviceError(`${where}.params[${i}] is on ${p.device} but other parameters are on ${first.device}; one optimizer updates parameters on one device`);
      }
    }
    this.paramGroups.push({ params: list, lr: options.lr as number, options });
  }

  /** Checks one group's options (ranges, combinations); throws ArgumentError naming the option. */
  protected abstract validateOptions(options: O, where: string): void;

  /** Options as given, in the optimizer's own names (torch's other spellings, e.g. Adam's betas, rewritten). */
  protected spellOptions<T>(options: T, _where: string): T {
    return options;
  }

  /** Updates every parameter that has a gradient. Returns nothing (torch returns the closure's loss). */
  step(): void {
    this.checkAlive();
    noGrad(() => {
      const updated = this.paramGroups.map((group) => group.params.filter((p) => p.grad !== null && !p.grad.disposed));
      this.gradientHook?.(updated.flat().map((p) => p.grad!));
      this.paramGroups.forEach((group, i) => {
        group.options = { ...group.options, lr: group.lr };
        if (updated[i].length > 0) this.updateGroup(group, updated[i]);
      });
    });
  }

  /** One group's update: one native call over `params` (each has a gradient). */
  protected abstract updateGroup(group: ParamGroup<O>, params: Tensor[]): void;

  /** The state of `p`, made with tensors named `names` filled with `initial` (Adagrad's initial accumulator) on first use. */
  protected stateOf(p: Tensor, names: readonly string[], initial = 0): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, tensors: {} };
      this.state.set(p, s);
    }
    for (const name of names) s.tensors[name] ??= keep(Tensor.full(p.shape, initial, { dtype: p.dtype, device: p.device }));
    return s;
  }

  /** Zeroes every gradient in place (parameters without one are left alone). */
  zeroGrad(): void {
    this.checkAlive();
    noGrad(() => {
      for (const group of this.paramGroups) for (const p of group.params) if (p.grad && !p.grad.disposed) fillInPlace(p.grad, 0);
    });
  }

  /** Detached views of the state tensors (dispose them when done) and the groups' options. */
  stateDict(): OptimizerStateDict {
    this.checkAlive();
    const index = new Map(this.paramGroups.flatMap((g) => g.params).map((p, i) => [p, i]));
    const state: OptimizerStateDict['state'] = {};
    for (const [p, s] of this.state) {
      const tensors: Record<string, Tensor> = {};
      for (const [name, t] of Object.entries(s.tensors)) tensors[name] = t.detach();
      state[index.get(p)!] = { step: s.step, tensors };
    }
    const paramGroups = this.paramGroups.map((g) => ({ ...g.options, lr: g.lr, params: g.params.map((p) => index.get(p)!) }));
    return { state, paramGroups };
  }

  /** Restores state saved by stateDict() for the same parameters in the same order; values are copied. */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkAlive();
    const where = `${this.where}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null || !Array.isArray(dict.paramGroups) || typeof dict.state !== 'object') {
      throw new ArgumentError(`${where}: expected { state, paramGroups } from stateDict(), got ${describe(dict)}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new ArgumentError(`${where}: the dict has ${dict.paramGroups.length} param groups, this optimizer has ${this.paramGroups.length}`);
    }
    const params = this.paramGroups.flatMap((g) => g.params);
    dict.paramGroups.forEach((g, i) => {
      if (!Array.isArray(g.params) || g.params.length !== this.paramGroups[i].params.length) {
        throw new ArgumentError(`${where}: param group ${i} has ${describe(g.params?.length)} parameters, this optimizer's has ${this.paramGroups[i].params.length}`);
      }
    });
    for (const [key, s] of Object.entries(dict.state)) {
      const p = params[Number(key)];
      if (p === undefined) throw new ArgumentError(`${where}: state for parameter ${key}, but there are ${params.length} parameters`);
      if (!Number.isSafeInteger(s.step) || s.step < 0) throw new ArgumentError(`${where}: state[${key}].step must be an integer >= 0, got ${describe(s.step)}`);
      for (const [name, t] of Object.entries(s.tensors)) {
        checkTensor(t, `${where}: state[${key}].${name}`);
        checkShapeEquals(t.shape, p.shape, `${where}: state[${key}].${name}`);
      }
    }
    dict.paramGroups.forEach((g, i) => {
      const { params: _indices, ...options } = g;
      const group = this.paramGroups[i];
      group.options = { ...group.options, ...checkOptions(options, Object.keys(this.defaults), `${where}: paramGroups[${i}]`) } as O;
      this.validateOptions(group.options, `${where}: paramGroups[${i}]`);
      group.lr = group.options.lr as number;
    });
    this.clearState();
    noGrad(() => {
      for (const [key, s] of Object.entries(dict.state)) {
        const p = params[Number(key)];
        const state = this.stateOf(p, Object.keys(s.tensors));
        state.step = s.step;
        for (const [name, t] of Object.entries(s.tensors)) copyInPlace(state.tensors[name], t);
      }
    });
  }

  private clearState(): void {
    for (const s of this.state.values()) for (const t of Object.values(s.tensors)) t.dispose();
    this.state.clear();
  }

  /** Frees the state tensors (parameters belong to the model). Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.clearState();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private checkAlive(): void {
    if (this.disposedFlag) throw new ArgumentError(`this ${this.constructor.name} was disposed and cannot be used`);
  }
}
