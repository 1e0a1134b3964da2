/**
 * Gradient clipping (torch.nn.utils.clip_grad_norm_ and clip_grad_value_, and Keras's clipnorm,
 * global_clipnorm and clipvalue). Everything stays on the device: norms are tensors and the clip
 * coefficients are multiplied into the gradients without reading them.
 */
import { checkFiniteNumber, checkOptions, optionalBoolean } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import { checkTensor } from '../checks';
import { ArgumentError, DTypeError, DeviceError } from '../errors';
import { describe } from '../format';
import { native } from '../native/binding';
import { BINARY_OP_CODE, UNARY_OP_CODE, rawBinary, rawReduceAll, rawUnary } from '../ops/raw';
import { Tensor } from '../tensor';

export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity for the largest magnitude). */
  normType?: number;
  /** Throw when the norm is NaN or infinite (this reads the norm: a device sync). */
  errorIfNonfinite?: boolean;
}

function gradientsOf(parameters: readonly Tensor[] | Tensor, where: string): Tensor[] {
  // Any iterable works at run time; the published types say arrays (they also target ES5 libs).
  const list = parameters instanceof Tensor ? [parameters] : parameters != null && typeof (parameters as unknown as Iterable<Tensor>)[Symbol.iterator] === 'function' ? [...(parameters as unknown as Iterable<Tensor>)] : null;
  if (list === null) throw new ArgumentError(`${where}: parameters must be a tensor or an iterable of tensors, got ${describe(parameters)}`);
  list.forEach((p, i) => checkTensor(p, `${where}: parameters[${i}]`));
  const grads = list.map((p) => p.grad).filter((g): g is Tensor => g !== null && !g.disposed);
  checkOneKind(grads, where);
  return grads;
}

/** A joint norm needs one dtype and one device. */
function checkOneKind(grads: readonly Tensor[], where: string): void {
  for (const g of grads) {
    if (g.dtype !== grads[0].dtype) throw new DTypeError(`${where}: gradients mix ${grads[0].dtype} and ${g.dtype}`);
    if (g.device !== grads[0].device) throw new DeviceError(`${where}: gradients are on ${grads[0].device} and ${g.device}; clip each device's parameters separately`);
  }
}

/** Scales all gradients so their joint p-norm is at most maxNorm; returns the norm before clipping (a scalar tensor). */
export function clipGradNorm(parameters: readonly Tensor[] | Tensor, maxNorm: number, options?: ClipGradNormOptions | number): Tensor {
  const where = 'clipGradNorm()';
  const o = typeof options === 'number' ? { normType: options } : checkOptions(options, ['normType', 'errorIfNonfinite'], `${where} options`);
  checkFiniteNumber(maxNorm, `${where}: maxNorm`);
  const p = o.normType ?? 2;
  if (typeof p !== 'number' || Number.isNaN(p) || p <= 0) throw new ArgumentError(`${where}: normType must be a number > 0 or Infinity, got ${describe(p)}`);
  const errorIfNonfinite = optionalBoolean(o.errorIfNonfinite, false, `${where} options.errorIfNonfinite`);
  const grads = gradientsOf(parameters, where);
  if (grads.length === 0) return Tensor.zeros([]);
  return noGrad(() => {
    const like = { dtype: grads[0].dtype, device: grads[0].device };
    const total = totalNorm(grads, p);
    if (errorIfNonfinite) {
      const value = total.itemSync();
      if (!Number.isFinite(value)) {
        total.dispose();
        throw new ArgumentError(`${where}: the total norm of order ${p} of the gradients is ${value}; pass errorIfNonfinite: false to clip anyway`);
      }
    }
    // coef = min(1, maxNorm / (total + 1e-6)), applied to every gradient in place.
    const shifted = Tensor.full([], 1e-6, like);
    const denominator = rawBinary('add', total, shifted, []);
    const maxTensor = Tensor.full([], maxNorm, like);
    const ratio = rawBinary('div', maxTensor, denominator, []);
    const coef = Tensor.empty([], like);
    native.unary(UNARY_OP_CODE.clamp, coef.handle, ratio.handle, -Infinity, 1);
    scaleInPlace(grads, coef);
    for (const t of [shifted, denominator, maxTensor, ratio, coef]) t.dispose();
    return total;
  });
}

/** Clamps every gradient element to [-clipValue, clipValue] in place. */
export function clipGradValue(parameters: readonly Tensor[] | Tensor, clipValue: number): void {
  const where = 'clipGradValue()';
  const v = checkFiniteNumber(clipValue, `${where}: clipValue`);
  if (v < 0) throw new ArgumentError(`${where}: clipValue must be >= 0, got ${v}`);
  clampInPlace(gradientsOf(parameters, where), v);
}

/** The joint p-norm of `grads` (one dtype and device, at least one) as a new scalar tensor. */
function totalNorm(grads: readonly Tensor[], p: number): Tensor {
  const parts = grads.map((g) => rawReduceAll(p === Infinity ? 'maxAbs' : 'sumAbsPow', g, p));
  // The per-tensor parts fold into one norm: the largest (inf-norm) or the sum, then its p-th root.
  let total = parts[0].viewAs([]);
  try {
    for (const part of parts.slice(1)) {
      const next = rawBinary(p === Infinity ? 'maximum' : 'add', total, part, []);
      total.dispose();
      total = next;
    }
  } finally {
    for (const part of parts) part.dispose();
  }
  if (p !== Infinity && p !== 1) {
    const root = rawUnary('pow', total, 1 / p);
    total.dispose();
    total = root;
  }
  return total;
}

/** g *= coef (a scalar tensor on the gradients' device) for every gradient, in place. */
function scaleInPlace(grads: readonly Tensor[], coef: Tensor): void {
  for (const g of grads) {
    native.binary(BINARY_OP_CODE.mul, g.handle, g.handle, coef.handle);
    g.bumpVersion();
  }
}

function clampInPlace(grads: readonly Tensor[], v: number): void {
  for (const g of grads) {
    native.unary(UNARY_OP_CODE.clamp, g.handle, g.handle, -v, v);
    g.bumpVersion();
  }
}

/** c / max(norm, c) as a new scalar tensor: 1 while the norm is at most c. */
function normCoefficient(norm: Tensor, c: number): Tensor {
  const limit = Tensor.full([], c, { dtype: norm.dtype, device: norm.device });
  const larger = rawBinary('maximum', norm, limit, []);
  const coef = rawBinary('div', limit, larger, []);
  limit.dispose();
  larger.dispose();
  return coef;
}

/**
 * Keras's gradient clipping, in place and without reading anything back: `clipnorm` scales each
 * gradient g to g c / max(||g||_2, c), `globalClipnorm` every gradient by c / max(N, c) with N the
 * joint 2-norm (no 1e-6, unlike torch; a non-finite N makes every gradient NaN, as Keras does),
 * `clipvalue` clamps to [-c, c]. The caller checks that c > 0 and that only one is set.
 */
export function kerasClip(grads: readonly Tensor[], how: 'clipnorm' | 'globalClipnorm' | 'clipvalue', c: number): void {
  if (grads.length === 0) return;
  noGrad(() => {
    if (how === 'clipvalue') {
      clampInPlace(grads, c);
      return;
    }
    if (how === 'clipnorm') {
      for (const g of grads) {
        const norm = totalNorm([g], 2);
        const coef = normCoefficient(norm, c);
        scaleInPlace([g], coef);
        norm.dispose();
        coef.dispose();
      }
      return;
    }
    checkOneKind(grads, 'keras.optimizers globalClipnorm');
    const norm = totalNorm(grads, 2);
    const coef = normCoefficient(norm, c);
    // norm - norm is 0 for a finite norm and NaN otherwise (Keras's own trick).
    const nanIfNonfinite = rawBinary('sub', norm, norm, []);
    const propagated = rawBinary('add', coef, nanIfNonfinite, []);
    scaleInPlace(grads, propagated);
    for (const t of [norm, coef, nanIfNonfinite, propagated]) t.dispose();
  });
}
