/**
 * The element losses (mse, l1, smoothL1, binaryCrossEntropy, binaryCrossEntropyWithLogits):
 * one fused native op forward (per-element values) and one backward, with torch's formulas
 * (native/ops/loss_functors.h) and reductions.
 */
import { checkFiniteNumber, checkOptions } from '../arguments';
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import { codesFrom, type DType } from '../dtype';
import { ShapeError } from '../errors';
import { formatShape } from '../format';
import { native, nativeConstants } from '../native/binding';
import { rawExpand, rawScale, rawSum } from '../ops/raw';
import { produce } from '../ops/outputs';
import { attach, needsGrad } from '../ops/record';
import { broadcastShapes } from '../ops/broadcast';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';
import { checkReduction, type Reduction } from './reduction';

const ELEMENT_LOSSES = ['mse', 'l1', 'smoothL1', 'binaryCrossEntropy', 'binaryCrossEntropyWithLogits'] as const;
type ElementLossName = (typeof ELEMENT_LOSSES)[number];
const ELEMENT_LOSS_CODE = codesFrom(ELEMENT_LOSSES, nativeConstants.elementLosses, 'element loss');

interface Resolved {
  kind: ElementLossName;
  input: Tensor;
  target: Tensor;
  weight: Tensor | null;
  posWeight: Tensor | null;
  lastDim: number;
  beta: number;
}

function forwardArgs(r: Resolved): [number, Tensor['handle'], Tensor['handle'], Tensor['handle'] | null, Tensor['handle'] | null, number, number] {
  return [ELEMENT_LOSS_CODE[r.kind], r.input.handle, r.target.handle, r.weight?.handle ?? null, r.posWeight?.handle ?? null, r.lastDim, r.beta];
}

class ElementLossNode extends GradNode {
  private readonly resolved: Resolved;
  constructor(r: Resolved, private readonly reduction: Reduction) {
    super(`${r.kind}Backward`, [r.input, r.target.requiresGrad ? r.target : null]);
    this.resolved = { ...r, input: this.save(r.input), target: this.save(r.target), weight: r.weight && this.save(r.weight), posWeight: r.posWeight && this.save(r.posWeight) };
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const r = this.resolved;
    const scale = this.reduction === 'mean' ? 1 / r.input.numel : 1;
    const gradInput = produce(r.input.shape, r.input, (out) => native.elementLossBackward(out.handle, g!.handle, scale, ...forwardArgs(r)));
    // The target's gradient: mse, l1 and smoothL1 are symmetric in input and target.
    let gradTarget: Tensor | null = null;
    if (this.inputs[1]) {
      if (r.kind === 'mse' || r.kind === 'l1' || r.kind === 'smoothL1') gradTarget = rawScale(gradInput, -1);
      else throw new ShapeError(`${r.kind}(): gradients with respect to target are not supported; detach() the target`);
    }
    return [this.inputs[0] ? gradInput : (gradInput.dispose(), null), gradTarget];
  }
}

export interface ElementLossOptions {
  /** 'mean' (default), 'sum' or 'none' (per element). */
  reduction?: Reduction;
}

function elementLoss<D extends DType>(kind: ElementLossName, inputIn: Tensor<D>, targetIn: Tensor<D>, options: object | undefined,
                                      extras: readonly string[]): Tensor<D> {
  const where = `${kind}()`;
  const o = checkOptions(options as Record<string, unknown> | undefined, ['reduction', ...extras], `${where} options`) as Record<string, unknown>;
  const reduction = checkReduction(o.reduction, `${where} options`);
  const input = checkTensor(inputIn, `${where}: input`) as Tensor<D>;
  const target = checkTensor(targetIn, `${where}: target`) as Tensor<D>;
  checkFloat(input, `${where}: input`);
  checkLike(target, input, `${where}: target`, 'input');
  if (!sameShape(target.shape, input.shape)) {
    throw new ShapeError(`${where}: target must have input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`);
  }
  const temporaries: Tensor[] = [];
  try {
    let weight: Tensor | null = null;
    if (o.weight != null) {
      const w = checkTensor(o.weight, `${where} options.weight`);
      checkLike(w, input, `${where} options.weight`, 'input');
      broadcastShapes(input.shape, w.shape, `${where} options.weight`, ['input', 'weight']);
      weight = sameShape(w.shape, input.shape) ? w : rawExpand(w, input.shape);
      if (weight !== w) temporaries.push(weight);
    }
    let posWeight: Tensor | null = null;
    const lastDim = input.ndim === 0 ? 1 : input.shape[input.ndim - 1];
    if (o.posWeight != null) {
      const p = checkTensor(o.posWeight, `${where} options.posWeight`);
      checkLike(p, input, `${where} options.posWeight`, 'input');
      if (p.numel !== lastDim && p.numel !== 1) {
        throw new ShapeError(`${where} options.posWeight must have ${lastDim} elements (input's last dimension) or one, got ${formatShape(p.shape)}`);
      }
      posWeight = p.numel === lastDim ? p : rawExpand(p.viewAs([]), [lastDim]);
      if (posWeight !== p) temporaries.push(posWeight);
    }
    const beta = o.beta === undefined ? 1 : checkFiniteNumber(o.beta, `${where} options.beta`);
    if (beta < 0) throw new ShapeError(`${where} options.beta must be >= 0, got ${beta}`);
    const resolved: Resolved = { kind: kind === 'smoothL1' && beta === 0 ? 'l1' : kind, input, target, weight, posWeight, lastDim, beta };
    const values = produce(input.shape, input, (out) => native.elementLoss(out.handle, ...forwardArgs(resolved)));
    let out: Tensor<D> = values;
    if (reduction !== 'none') {
      const total = rawSum(values);
      values.dispose();
      out = total;
      if (reduction === 'mean') {
        out = rawScale(total, 1 / input.numel);
        total.dispose();
      }
    }
    if (needsGrad(input, target)) attach(new ElementLossNode(resolved, reduction), out);
    return out;
  } finally {
    for (const t of temporaries) t.dispose();
  }
}

/** Mean squared error (torch.nn.MSELoss). */
export function mse<D extends DType>(input: Tensor<D>, target: Tensor<D>, options?: ElementLossOptions): Tensor<D> {
  return elementLoss('mse', input, target, options, []);
}

/** Mean absolute error (torch.nn.L1Loss). */
export function l1<D extends DType>(input: Tensor<D>, target: Tensor<D>, options?: ElementLossOptions): Tensor<D> {
  return elementLoss('l1', input, target, options, []);
}

export interface SmoothL1Options extends ElementLossOptions {
  /** Where the quadratic part ends (default 1; 0 is l1). */
  beta?: number;
}

/** Huber-style loss (torch.nn.SmoothL1Loss): 0.5 d^2 / beta below beta, |d| - beta / 2 above. */
export function smoothL1<D extends DType>(input: Tensor<D>, target: Tensor<D>, options?: SmoothL1Options): Tensor<D> {
  return elementLoss('smoothL1', input, target, options, ['beta']);
}

export interface BinaryCrossEntropyOptions<D extends DType = DType> extends ElementLossOptions {
  /** A per-element weight, broadcast to input's shape. */
  weight?: Tensor<D> | null;
}

/** Binary cross-entropy on probabilities in [0, 1] (torch.nn.BCELoss: each log clamped at -100). */
export function binaryCrossEntropy<D extends DType>(input: Tensor<D>, target: Tensor<D>, options?: BinaryCrossEntropyOptions<D>): Tensor<D> {
  return elementLoss('binaryCrossEntropy', input, target, options, ['weight']);
}

export interface BinaryCrossEntropyWithLogitsOptions<D extends DType = DType> extends BinaryCrossEntropyOptions<D> {
  /** Weight of positive examples per class (input's last dimension). */
  posWeight?: Tensor<D> | null;
}

/** Sigmoid plus binary cross-entropy in one stable op (torch.nn.BCEWithLogitsLoss). */
export function binaryCrossEntropyWithLogits<D extends DType>(input: Tensor<D>, target: Tensor<D>, options?: BinaryCrossEntropyWithLogitsOptions<D>): Tensor<D> {
  return elementLoss('binaryCrossEntropyWithLogits', input, target, options, ['weight', 'posWeight']);
}
