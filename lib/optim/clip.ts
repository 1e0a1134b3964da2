/**
 * Gradient clipping (torch.nn.utils.clip_grad_norm_ and clip_grad_value_). clipGradNorm keeps
 * everything on the device: the norm is returned as a tensor and the clip coefficient
 * min(1, maxNorm / (norm + 1e-6)) is multiplied into every gradient without reading it.
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
  for (const g of grads) {
    if (g.dtype !== grads[0].dtype) throw new DTypeError(`${where}: gradients mix ${grads[0].dtype} and ${g.dtype}`);
    if (g.device !== grads[0].device) throw new DeviceError(`${where}: gradients are on ${grads[0].device} and ${g.device}; clip each device's parameters separately`);
  }
  return grads;
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
    for (const g of grads) {
      native.binary(BINARY_OP_CODE.mul, g.handle, g.handle, coef.handle);
      g.bumpVersion();
    }
    for (const t of [shifted, denominator, maxTensor, ratio, coef]) t.dispose();
    return total;
  });
}

/** Clamps every gradient element to [-clipValue, clipValue] in place. */
export function clipGradValue(parameters: readonly Tensor[] | Tensor, clipValue: number): void {
  const where = 'clipGradValue()';
  const v = checkFiniteNumber(clipValue, `${where}: clipValue`);
  if (v < 0) throw new ArgumentError(`${where}: clipValue must be >= 0, got ${v}`);
  for (const g of gradientsOf(parameters, where)) {
    native.unary(UNARY_OP_CODE.clamp, g.handle, g.handle, -v, v);
    g.bumpVersion();
  }
}
