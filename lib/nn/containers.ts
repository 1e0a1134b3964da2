/**
 * Containers (torch.nn.Sequential, torch.nn.ModuleList): modules held in order, named '0', '1',
 * ... so their parameters get PyTorch's keys (`0.weight_ih_l0`). Arrays of modules in fields are
 * not searched for children; these are what to use instead.
 */
import { checkInteger } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Tensor } from '../tensor';
import { Module } from './module';

/** What Sequential chains: a module whose forward takes the previous module's result. */
interface Forward {
  forward(input: unknown): unknown;
}

function checkModule(value: unknown, argument: string): Module {
  if (!(value instanceof Module)) throw new ArgumentError(`${argument} must be a Module, got ${describe(value)}`);
  return value;
}

/** The modules of an iterable argument, each checked; `where` names it in messages. */
function modulesOf(values: unknown, where: string): Module[] {
  if (typeof values !== 'object' || values === null || typeof (values as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new ArgumentError(`${where} must be an iterable of Modules (an array, say), got ${describe(values)}`);
  }
  return [...(values as Iterable<unknown>)].map((m, i) => checkModule(m, `${where}[${i}]`));
}

/** Modules in order, named by index; the base of both containers. */
abstract class IndexedModules extends Module {
  /** The children in order (also registered by index, which names them). */
  private readonly items: Module[] = [];

  get length(): number {
    return this.items.length;
  }

  /** The module at `index`; negative counts from the end, like Array.prototype.at. */
  at(index: number): Module {
    this.checkAlive();
    const n = this.items.length;
    if (n === 0) throw new ArgumentError(`${this.constructor.name}.at(): index ${describe(index)} is out of range: the ${this.constructor.name} is empty`);
    const i = checkInteger(index, `${this.constructor.name}.at(): index`, -n, n - 1);
    return this.items[i < 0 ? i + n : i];
  }

  /** The children in order, as an array. */
  toArray(): Module[] {
    return [...this.items];
  }

  /** @internal for...of over the children (kept out of the published types, which target ES5 libs too). */
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }

  /** Adds `module` at the end; returns this. */
  append(module: Module): this {
    this.checkAlive();
    this.add(checkModule(module, `${this.constructor.name}.append(): module`));
    return this;
  }

  /** @internal Adds a checked module at the end. */
  protected add(module: Module): void {
    this.registerModule(String(this.items.length), module);
    this.items.push(module);
  }
}

/**
 * Modules applied in turn (torch.nn.Sequential): forward(x) passes x to the first child and each
 * result to the next. Every child needs a one-argument forward.
 */
export class Sequential extends IndexedModules {
  constructor(...modules: Module[]) {
    super();
    if (modules.length === 1 && Array.isArray(modules[0])) {
      throw new ArgumentError(`Sequential takes its modules as separate arguments (new Sequential(a, b), or new Sequential(...list)), got ${describe(modules[0])}`);
    }
    modules.forEach((m, i) => this.add(checkModule(m, `Sequential(...modules): modules[${i}]`)));
  }

  /**
   * The last child's result (x itself when there are none). Its type is the caller's claim:
   * Tensor by default, as for layers that take and give one tensor.
   */
  forward<Out = Tensor>(input: unknown): Out {
    this.checkAlive();
    let value = input;
    for (const m of this) value = (m as unknown as Forward).forward(value);
    return value as Out;
  }

  /** @internal Only modules with a forward can be chained. */
  protected override add(module: Module): void {
    if (typeof (module as Partial<Forward>).forward !== 'function') {
      throw new ArgumentError(`Sequential: child ${this.length} must have a forward() method to chain, got ${describe(module)}`);
    }
    super.add(module);
  }
}

/** Modules held in order, with no forward of their own (torch.nn.ModuleList). */
export class ModuleList extends IndexedModules {
  constructor(modules?: readonly Module[]) {
    super();
    if (modules !== undefined) for (const m of modulesOf(modules, 'ModuleList(modules): modules')) this.add(m);
  }

  /** Adds `modules` at the end, like Array.prototype.push; returns the new length. */
  push(...modules: Module[]): number {
    this.checkAlive();
    const checked = modules.map((m, i) => checkModule(m, `ModuleList.push(): modules[${i}]`));
    for (const m of checked) this.add(m);
    return this.length;
  }

  /** Adds every module of `modules` at the end; returns this. */
  extend(modules: readonly Module[]): this {
    this.checkAlive();
    for (const m of modulesOf(modules, 'ModuleList.extend(): modules')) this.add(m);
    return this;
  }
}
