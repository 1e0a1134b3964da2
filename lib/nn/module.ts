/**
 * Module: what layers share. Parameters and child modules are registered by name, giving
 * PyTorch's dotted state-dict keys, train()/eval(), zeroGrad() and dispose().
 */
import { checkOptions, optionalBoolean } from '../arguments';
import { ArgumentError, DisposedError } from '../errors';
import { describe } from '../format';
import { copyInPlace, fillInPlace } from '../ops/inplace';
import { noGrad } from '../autograd/grad-mode';
import { checkShapeEquals } from '../shape';
import { Tensor } from '../tensor';

export type StateDict = Record<string, Tensor>;

export interface LoadStateDictOptions {
  /** Require exactly this module's keys (default true). */
  strict?: boolean;
}

export abstract class Module {
  private readonly ownParameterMap = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();
  private trainingFlag = true;
  private disposedFlag = false;

  get training(): boolean {
    return this.trainingFlag;
  }

  /** Training mode (dropout active). Returns this. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new ArgumentError(`train(): mode must be a boolean, got ${describe(mode)}`);
    this.trainingFlag = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode (no dropout). Returns this. */
  eval(): this {
    return this.train(false);
  }

  protected registerParameter(name: string, tensor: Tensor): void {
    this.ownParameterMap.set(name, tensor);
  }

  protected registerModule(name: string, module: Module): void {
    this.children.set(name, module);
  }

  /** @internal This module's own parameters, by name; layers that make them lazily override it. */
  protected ownParameters(): Iterable<[string, Tensor]> {
    return this.ownParameterMap;
  }

  /** [name, parameter] pairs, children's names prefixed like PyTorch (`0.weight_ih_l0`). */
  namedParameters(prefix = ''): [string, Tensor][] {
    this.checkAlive();
    const out: [string, Tensor][] = [];
    for (const [name, p] of this.ownParameters()) out.push([prefix + name, p]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
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
    this.checkAlive();
    for (const child of this.children.values()) child.zeroGrad();
    this.zeroOwnGrads();
  }

  /** Layers whose gradients live in a shared buffer override this to clear it at once. */
  protected zeroOwnGrads(): void {
    noGrad(() => {
      for (const [, p] of this.ownParameters()) if (p.grad && !p.grad.disposed) fillInPlace(p.grad, 0);
    });
  }

  /** Frees every parameter and gradient. Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    for (const child of this.children.values()) child.dispose();
    for (const p of this.ownParameterMap.values()) {
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
    return this.disposedFlag;
  }

  protected checkAlive(): void {
    if (this.disposedFlag) throw new DisposedError(`this ${this.constructor.name} was disposed and cannot be used`);
  }
}
