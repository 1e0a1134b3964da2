/**
 * Module: what layers and models share (torch.nn.Module): child modules and parameters with
 * PyTorch's dotted names, train()/eval(), zeroGrad(), stateDict(), to() and dispose().
 */
import { checkBoolean, checkOptions, optionalBoolean } from '../arguments';
import { requireDevice } from '../backends';
import { checkDevice, type Device } from '../dtype';
import { ArgumentError, DisposedError } from '../errors';
import { describe } from '../format';
import { copyInPlace, fillInPlace } from '../ops/inplace';
import { noGrad } from '../autograd/grad-mode';
import { keep } from '../scope';
import { checkShapeEquals } from '../shape';
import { Tensor } from '../tensor';
import { checkAssignable, copyParameter, disposeParameter, type StorageMove } from './module-move';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Require exactly this module's keys (default true). */
  strict?: boolean;
}

/**
 * The base of layers and models. A subclass's children and parameters are found from its own
 * fields, in declaration order, like PyTorch's attribute assignment:
 *
 * - a field holding a Module is a child (`gru = new GRU(...)` gives `gru.weight_ih_l0`, ...);
 * - a field holding a leaf Tensor that requires grad is a parameter. There is no separate
 *   nn.Parameter class: `w = Tensor.randn([4, 3]).requiresGrad_()` is one. A field once seen
 *   as a parameter stays one while it holds a leaf tensor, so freezing it later
 *   (`requiresGrad = false`) keeps it in parameters() and stateDict();
 * - arrays and plain objects are not searched (nor are they in PyTorch): use ModuleList.
 *
 * Fields are read when asked for (class fields are set after this constructor has run).
 * registerParameter()/registerModule() (what built-in layers use) come before fields in the
 * order, and a module or parameter reached twice is listed once, under its first name.
 * Build modules outside scope(): a field's tensor made inside one is disposed when the scope
 * ends, unless the module was asked for its parameters before (found parameters are kept).
 */
export abstract class Module {
  // ES private (#) members: subclasses' fields live on the same object, and these names can
  // neither collide with theirs nor show up among the fields searched for children.
  private readonly registeredParameters = new Map<string, Tensor>();
  private readonly registeredModules = new Map<string, Module>();
  /** Fields seen holding a parameter: they stay parameters when frozen. */
  private readonly parameterFields = new Set<string>();
  private trainingFlag = true;
  private disposedFlag = false;

  get training(): boolean {
    return this.trainingFlag;
  }

  /** Training mode (dropout active) for this module and every descendant. Returns this. */
  train(mode = true): this {
    checkBoolean(mode, 'train(): mode');
    for (const [, m] of this.namedModules()) m.trainingFlag = mode;
    return this;
  }

  /** Evaluation mode (no dropout). Returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Adds (or replaces) parameter `name`: a leaf tensor, frozen or not. */
  protected registerParameter(name: string, tensor: Tensor): void {
    this.checkMemberName(name, 'registerParameter', this.registeredModules);
    if (!(tensor instanceof Tensor) || !tensor.isLeaf) {
      throw new ArgumentError(`registerParameter(${JSON.stringify(name)}): tensor must be a leaf Tensor, got ${tensor instanceof Tensor ? 'a tensor computed by a recorded op' : describe(tensor)}`);
    }
    this.registeredParameters.set(name, tensor);
  }

  /** Adds (or replaces) child `name`. */
  protected registerModule(name: string, module: Module): void {
    this.checkMemberName(name, 'registerModule', this.registeredParameters);
    if (!(module instanceof Module)) throw new ArgumentError(`registerModule(${JSON.stringify(name)}): module must be a Module, got ${describe(module)}`);
    this.registeredModules.set(name, module);
  }

  private checkMemberName(name: unknown, where: string, other: Map<string, unknown>): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new ArgumentError(`${where}: name must be a non-empty string without '.', got ${describe(name)}`);
    }
    if (other.has(name)) throw new ArgumentError(`${where}: name ${JSON.stringify(name)} is already taken by a ${other === this.registeredModules ? 'child module' : 'parameter'}`);
  }

  /**
   * @internal This module's registered parameters, by name. Layers that make them lazily (views
   * of one buffer) override it, and moveStorage() with it: to() copies only registered and field
   * parameters.
   */
  protected ownParameters(): Iterable<[string, Tensor]> {
    return this.registeredParameters;
  }

  /** Own fields holding children or parameters, in declaration order; registered names win. */
  private fieldMembers(): { modules: [string, Module][]; parameters: [string, Tensor][] } {
    const modules: [string, Module][] = [];
    const parameters: [string, Tensor][] = [];
    const fields = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      if (this.registeredModules.has(key) || this.registeredParameters.has(key)) continue;
      const value = fields[key];
      if (value instanceof Module) {
        modules.push([key, value]);
      } else if (value instanceof Tensor && value.isLeaf && (value.requiresGrad || this.parameterFields.has(key))) {
        this.parameterFields.add(key);
        parameters.push([key, keep(value)]);
      }
    }
    return { modules, parameters };
  }

  /** Registered children, then fields holding modules. */
  private directChildren(): [string, Module][] {
    return [...this.registeredModules, ...this.fieldMembers().modules];
  }

  /** Own parameters (registered or the layer's), then fields holding parameters. */
  private directParameters(): [string, Tensor][] {
    return [...this.ownParameters(), ...this.fieldMembers().parameters];
  }

  /** [name, module] for this module ('' or `prefix`) and every descendant, depth first, each once. */
  namedModules(prefix = ''): [string, Module][] {
    this.checkAlive();
    if (typeof prefix !== 'string') throw new ArgumentError(`namedModules(): prefix must be a string, got ${describe(prefix)}`);
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const pending: [string, Module][] = [[prefix, this]];
    while (pending.length > 0) {
      const [name, m] = pending.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
      const children = m.directChildren().map(([child, c]): [string, Module] => [name === '' ? child : `${name}.${child}`, c]);
      pending.push(...children.reverse());
    }
    return out;
  }

  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** [name, module] of the direct children, each once. */
  namedChildren(): [string, Module][] {
    this.checkAlive();
    const seen = new Set<Module>();
    const out: [string, Module][] = [];
    for (const [name, m] of this.directChildren()) {
      if (seen.has(m)) continue;
      seen.add(m);
      out.push([name, m]);
    }
    return out;
  }

  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** [name, parameter] pairs with PyTorch's dotted names (`gru.weight_ih_l0`), each tensor once. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [moduleName, m] of this.namedModules(prefix)) {
      m.checkAlive();
      for (const [name, p] of m.directParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([moduleName === '' ? name : `${moduleName}.${name}`, p]);
      }
    }
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Elements of every parameter; with `onlyTrainable`, of those that require grad. */
  numParameters(onlyTrainable = false): number {
    checkBoolean(onlyTrainable, 'numParameters(): onlyTrainable');
    return this.parameters().reduce((n, p) => (onlyTrainable && !p.requiresGrad ? n : n + p.numel), 0);
  }

  /** Detached views of every parameter, keyed by PyTorch name; dispose them when done. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedParameters()) out[name] = p.detach();
    return out;
  }

  /**
   * Copies values into the parameters (converting dtype and device if needed). Shapes must
   * match; with `strict` (default) the keys must be exactly this module's. Nothing is copied
   * unless everything checks out.
   */
  loadStateDict(state: StateDict, options?: LoadStateDictOptions): void {
    if (typeof state !== 'object' || state === null) throw new ArgumentError(`loadStateDict: state must be an object of tensors, got ${describe(state)}`);
    const strict = optionalBoolean(checkOptions(options, ['strict'], 'loadStateDict options').strict, true, 'loadStateDict options.strict');
    const own = new Map(this.namedParameters());
    const missing = [...own.keys()].filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !own.has(k));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new ArgumentError(
        `loadStateDict: keys do not match.` +
          (missing.length ? ` Missing: ${missing.join(', ')}.` : '') +
          (unexpected.length ? ` Unexpected: ${unexpected.join(', ')}.` : '') +
          ` Expected: ${[...own.keys()].join(', ')}.`,
      );
    }
    for (const [name, target] of own) {
      const source = state[name];
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) throw new ArgumentError(`loadStateDict: ${name} must be a Tensor, got ${describe(source)}`);
      checkShapeEquals(source.shape, target.shape, `loadStateDict: ${name}`);
      source.handle;
    }
    noGrad(() => {
      for (const [name, target] of own) if (state[name] !== undefined) copyInPlace(target, state[name]);
    });
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const [, m] of this.namedModules()) {
      m.checkAlive();
      m.zeroOwnGrads();
      noGrad(() => {
        for (const [, p] of m.fieldMembers().parameters) if (p.grad && !p.grad.disposed) fillInPlace(p.grad, 0);
      });
    }
  }

  /** Clears the gradients of ownParameters(); layers whose gradients live in a shared buffer override this to clear it at once. */
  protected zeroOwnGrads(): void {
    noGrad(() => {
      for (const [, p] of this.ownParameters()) if (p.grad && !p.grad.disposed) fillInPlace(p.grad, 0);
    });
  }

  /**
   * Moves every parameter (and its gradient) to `device`; returns this. Tensors never change
   * device, so parameters not already there are replaced by copies (registered entries and
   * fields are pointed at them) and the old ones are freed: take parameters() (for an
   * optimizer, say) after to(), not before. Nothing changes when the move fails.
   */
  to(device: Device): this {
    this.checkAlive();
    const target = checkDevice(device, `${this.constructor.name}.to() device`);
    requireDevice(target);
    const modules = this.modules();
    const moved = new Map<Tensor, Tensor>();
    const storage: StorageMove[] = [];
    const copies: Tensor[] = [];
    try {
      // Shared buffers first, so a field holding one of their views is pointed at the new view.
      for (const m of modules) {
        m.checkAlive();
        const move = m.moveStorage(target);
        if (move === null) continue;
        storage.push(move);
        for (const [old, copy] of move.views) moved.set(old, copy);
      }
      const copy = (p: Tensor): void => {
        if (p.device === target || moved.has(p)) return;
        const c = copyParameter(p, target);
        copies.push(c);
        moved.set(p, c);
      };
      for (const m of modules) {
        for (const p of m.registeredParameters.values()) copy(p);
        for (const [name, p] of m.fieldMembers().parameters) {
          if (p.device !== target) checkAssignable(m, name, `${this.constructor.name}.to()`);
          copy(p);
        }
      }
    } catch (error) {
      for (const move of storage) move.abort();
      for (const copy of copies) disposeParameter(copy);
      throw error;
    }
    for (const move of storage) move.commit();
    for (const m of modules) m.pointAt(moved);
    for (const [old] of moved) if (!old.disposed) disposeParameter(old);
    return this;
  }

  /** @internal Layers whose parameters view one buffer move it here (before any parameter is copied); null when there is nothing to move. */
  protected moveStorage(_device: Device): StorageMove | null {
    return null;
  }

  /** Points registered entries and fields holding a moved tensor at its copy. */
  private pointAt(moved: ReadonlyMap<Tensor, Tensor>): void {
    for (const [name, p] of this.registeredParameters) {
      const copy = moved.get(p);
      if (copy !== undefined) this.registeredParameters.set(name, copy);
    }
    const fields = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const copy = fields[key] instanceof Tensor ? moved.get(fields[key] as Tensor) : undefined;
      // Reflect.set: a field that is no parameter but cannot be reassigned keeps its (freed) tensor instead of throwing midway.
      if (copy !== undefined) Reflect.set(this, key, copy);
    }
  }

  /** Frees every parameter and gradient, this module's and its descendants'. Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    const { modules, parameters } = this.fieldMembers();
    this.disposedFlag = true;
    for (const p of this.registeredParameters.values()) disposeParameter(p);
    for (const [, p] of parameters) disposeParameter(p);
    this.disposeOwn();
    // The flag set above ends cycles (a field holding an ancestor).
    for (const child of this.registeredModules.values()) child.dispose();
    for (const [, child] of modules) child.dispose();
  }

  /** Extra native memory a layer holds beyond its registered parameters. */
  protected disposeOwn(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  protected checkAlive(): void {
    if (this.disposedFlag) throw new DisposedError(`this ${this.constructor.name} was disposed and cannot be used`);
  }
}
