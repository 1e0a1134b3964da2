/**
 * Module: what layers share. Parameters and child modules are registered by name, giving
 * PyTorch's dotted state-dict keys, train()/eval(), zeroGrad() and dispose().
 */
import { ArgumentError, DisposedError, ShapeError, describe, formatShape } from '../errors';
import { native } from '../native/binding';
import { Tensor } from '../tensor';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Require exactly this module's keys (default true). */
  strict?: boolean;
}

export abstract class Module {
  #parameters = new Map<string, Tensor>();
  #children = new Map<string, Module>();
  #training = true;
  #disposed = false;

  get training(): boolean {
    return this.#training;
  }

  /** Training mode (dropout active). Returns this. */
  train(mode = true): this {
    this.#training = mode;
    for (const child of this.#children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode (no dropout). Returns this. */
  eval(): this {
    return this.train(false);
  }

  protected registerParameter(name: string, tensor: Tensor): void {
    this.#parameters.set(name, tensor);
  }

  protected registerModule(name: string, module: Module): void {
    this.#children.set(name, module);
  }

  /** [name, parameter] pairs, children's names prefixed like PyTorch (`0.weight_ih_l0`). */
  namedParameters(prefix = ''): [string, Tensor][] {
    this.checkAlive();
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.#parameters) out.push([prefix + name, p]);
    for (const [name, child] of this.#children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Detached views of every parameter, keyed by PyTorch name; dispose them when done. */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedParameters()) out[name] = p.detach();
    return out;
  }

  /**
   * Copies values into the parameters (converting dtype if needed). Shapes must match; with
   * `strict` (default) the keys must be exactly this module's.
   */
  loadStateDict(state: StateDict, options: LoadStateDictOptions = {}): void {
    if (typeof state !== 'object' || state === null) throw new ArgumentError(`state must be an object of tensors, got ${describe(state)}`);
    const own = new Map(this.namedParameters());
    const given = Object.keys(state);
    const missing = [...own.keys()].filter((k) => !(k in state));
    const unexpected = given.filter((k) => !own.has(k));
    if ((options.strict ?? true) && (missing.length > 0 || unexpected.length > 0)) {
      throw new ArgumentError(
        `loadStateDict: keys do not match.` +
          (missing.length ? ` Missing: ${missing.join(', ')}.` : '') +
          (unexpected.length ? ` Unexpected: ${unexpected.join(', ')}.` : '') +
          ` Expected: ${[...own.keys()].join(', ')}.`,
      );
    }
    // Check everything before copying anything, so a bad dict leaves the module unchanged.
    for (const [name, target] of own) {
      const source = state[name];
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) throw new ArgumentError(`loadStateDict: ${name} must be a Tensor, got ${describe(source)}`);
      if (source.numel !== target.numel || source.shape.length !== target.shape.length || source.shape.some((d, i) => d !== target.shape[i])) {
        throw new ShapeError(`loadStateDict: ${name} must have shape ${formatShape(target.shape)}, got ${formatShape(source.shape)}`);
      }
      source.handle;
    }
    for (const [name, target] of own) {
      const source = state[name];
      if (source === undefined) continue;
      if (source.dtype === target.dtype && source.device === target.device) {
        native.copy(target.handle, source.handle);
      } else {
        const converted = Tensor.from(source.dataSync(), target.shape, { dtype: target.dtype, device: target.device });
        native.copy(target.handle, converted.handle);
        converted.dispose();
      }
    }
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const child of this.#children.values()) child.zeroGrad();
    this.zeroOwnGrads();
  }

  /** Layers whose gradients live in a shared buffer override this to clear it at once. */
  protected zeroOwnGrads(): void {
    for (const p of this.#parameters.values()) {
      if (p.grad && !p.grad.disposed) native.fill(p.grad.handle, 0);
    }
  }

  /** Frees every parameter and gradient. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const child of this.#children.values()) child.dispose();
    for (const p of this.#parameters.values()) {
      p.grad?.dispose();
      p.dispose();
    }
    this.disposeOwn();
  }

  /** Extra native memory a layer holds beyond its registered parameters. */
  protected disposeOwn(): void {}

  [Symbol.dispose](): void {
    this.dispose();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  protected checkAlive(): void {
    if (this.#disposed) throw new DisposedError(`this ${this.constructor.name} was disposed and cannot be used`);
  }
}
