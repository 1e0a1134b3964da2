/**
 * crossEntropy and nllLoss over class scores (Note [Class losses] in
 * native/ops/training_requests.h): one fused native pass per row forward and one backward, so
 * cross-entropy over a 10,000-word vocabulary never forms a softmax or log tensor.
 */
import { checkFiniteNumber, checkInteger, checkOptions } from '../arguments';
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import { codesFrom, type DType } from '../dtype';
import { ArgumentError, DTypeError, DeviceError, ShapeError } from '../errors';
import { formatShape } from '../format';
import { native, nativeConstants } from '../native/binding';
import { produce } from '../ops/outputs';
import { rawBinary, rawPermute, rawSum } from '../ops/raw';
import { attach, needsGrad } from '../ops/record';
import { sameShape } from '../shape';
import { Tensor } from '../tensor';
import { checkReduction, type Reduction } from './reduction';

const CLASS_LOSSES = ['crossEntropy', 'nllLoss'] as const;
type ClassLossName = (typeof CLASS_LOSSES)[number];
const CLASS_LOSS_CODE = codesFrom(CLASS_LOSSES, nativeConstants.classLosses, 'class loss');

export interface ClassLossOptions<D extends DType = DType> {
  /** A weight per class [C]. */
  weight?: Tensor<D> | null;
  /** Class index whose items count for nothing (default -100). */
  ignoreIndex?: number;
  reduction?: Reduction;
}

export interface CrossEntropyOptions<D extends DType = DType> extends ClassLossOptions<D> {
  /** Mixes the target with the uniform distribution: (1 - e) target + e / C (default 0). */
  labelSmoothing?: number;
}

interface Rows {
  kind: ClassLossName;
  probabilities: boolean;
  input: Tensor;
  target: Tensor;
  weight: Tensor | null;
  rows: number;
  classes: number;
  ignoreIndex: number;
  smoothing: number;
}

type RowArgs = [number, boolean, Tensor['handle'] | null, Tensor['handle'], Tensor['handle'], Tensor['handle'] | null, number, number, number, number];

function rowArgs(r: Rows, logSumExp: Tensor | null): RowArgs {
  return [CLASS_LOSS_CODE[r.kind], r.probabilities, logSumExp?.handle ?? null, r.input.handle, r.target.handle, r.weight?.handle ?? null,
    r.rows, r.classes, r.ignoreIndex, r.smoothing];
}

class ClassLossNode extends GradNode {
  private readonly rows: Rows;
  private readonly logSumExp: Tensor | null;
  private readonly normaliser: Tensor | null;
  constructor(input: Tensor, r: Rows, logSumExp: Tensor | null, private readonly reduction: Reduction, normaliser: Tensor | null,
              private readonly inputShape: readonly number[], private readonly classDimLast: boolean) {
    super(`${r.kind}Backward`, [input]);
    this.rows = { ...r, input: this.save(r.input), target: this.save(r.target), weight: r.weight && this.save(r.weight) };
    this.logSumExp = logSumExp && this.save(logSumExp);
    this.normaliser = normaliser && this.save(normaliser);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const r = this.rows;
    // 'mean' divides by the rows' total weight: the upstream gradient over it, still on the device.
    const perRow = this.reduction === 'mean' ? rawBinary('div', g!, this.normaliser!, g!.shape) : g!;
    try {
      const rows = produce([r.rows, r.classes], r.input, (out) => native.classLossBackward(out.handle, perRow.handle, ...rowArgs(r, this.logSumExp)));
      if (this.classDimLast) {
        const view = rows.viewAs(this.inputShape);
        rows.dispose();
        return [view];
      }
      // Back from [N, d..., C] to the input's [N, C, d...].
      const n = this.inputShape.length;
      const lifted = rows.viewAs([this.inputShape[0], ...this.inputShape.slice(2), this.inputShape[1]]);
      rows.dispose();
      const out = rawPermute(lifted, [0, n - 1, ...Array.from({ length: n - 2 }, (_, i) => i + 1)]);
      lifted.dispose();
      return [out];
    } finally {
      if (perRow !== g) perRow.dispose();
    }
  }
}

function classLoss<D extends DType>(kind: ClassLossName, inputIn: Tensor<D>, targetIn: Tensor, options: CrossEntropyOptions<D> | undefined): Tensor<D> {
  const where = `${kind}()`;
  const valid = kind === 'crossEntropy' ? ['weight', 'ignoreIndex', 'reduction', 'labelSmoothing'] : ['weight', 'ignoreIndex', 'reduction'];
  const o = checkOptions(options, valid, `${where} options`);
  const reduction = checkReduction(o.reduction, `${where} options`);
  const ignoreIndex = o.ignoreIndex === undefined ? -100 : checkInteger(o.ignoreIndex, `${where} options.ignoreIndex`, -(2 ** 31), 2 ** 31 - 1);
  const smoothing = o.labelSmoothing === undefined ? 0 : checkFiniteNumber(o.labelSmoothing, `${where} options.labelSmoothing`);
  if (smoothing < 0 || smoothing > 1) throw new ArgumentError(`${where} options.labelSmoothing must be in [0, 1], got ${smoothing}`);
  const input = checkTensor(inputIn, `${where}: input`) as Tensor<D>;
  const target = checkTensor(targetIn, `${where}: target`);
  checkFloat(input, `${where}: input`);
  if (input.ndim === 0) throw new ShapeError(`${where}: input must be [C], [N, C] or [N, C, d1, ...], got a scalar`);
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim];
  if (classes === 0) throw new ShapeError(`${where}: input ${formatShape(input.shape)} has no classes`);
  const probabilities = target.dtype !== 'int32';
  if (probabilities) {
    if (kind !== 'crossEntropy') throw new DTypeError(`${where}: target must hold int32 class indices, got ${target.dtype}`);
    checkLike(target, input, `${where}: target`, 'input');
    if (!sameShape(target.shape, input.shape)) throw new ShapeError(`${where}: a target of class probabilities must have input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`);
  } else {
    if (target.device !== input.device) throw new DeviceError(`${where}: target must be on ${input.device} like input, got ${target.device}`);
    const expected = input.shape.filter((_, d) => d !== classDim);
    if (!sameShape(target.shape, expected)) {
      throw new ShapeError(`${where}: target must have shape ${formatShape(expected)} (input ${formatShape(input.shape)} without its class dimension ${classDim}), got ${formatShape(target.shape)}`);
    }
  }
  let weight: Tensor | null = null;
  if (o.weight != null) {
    weight = checkTensor(o.weight, `${where} options.weight`);
    checkLike(weight, input, `${where} options.weight`, 'input');
    if (weight.ndim !== 1 || weight.shape[0] !== classes) throw new ShapeError(`${where} options.weight must be [${classes}] (one per class), got ${formatShape(weight.shape)}`);
  }
  // Rows of classes: [N, C, d...] is laid out as [N, d..., C] first.
  const classDimLast = input.ndim <= 2;
  const rowsInput = classDimLast ? input.detach() : rawPermute(input, [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1]);
  const rowsTarget = !probabilities || classDimLast ? target.detach() : rawPermute(target, [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1]);
  const rows = input.numel / classes;
  const r: Rows = { kind, probabilities, input: rowsInput, target: rowsTarget, weight, rows, classes, ignoreIndex, smoothing };
  const created: Tensor[] = [rowsInput, rowsTarget];
  try {
    const logSumExp = kind === 'crossEntropy' ? Tensor.empty([rows], { dtype: input.dtype, device: input.device }) : null;
    if (logSumExp) created.push(logSumExp);
    const loss = Tensor.empty([rows], { dtype: input.dtype, device: input.device });
    const rowWeight = Tensor.empty([rows], { dtype: input.dtype, device: input.device });
    created.push(loss, rowWeight);
    if (rows > 0) native.classLoss(loss.handle, rowWeight.handle, ...rowArgs(r, logSumExp));
    let out: Tensor<D>;
    let normaliser: Tensor | null = null;
    if (reduction === 'none') {
      out = (loss.viewAs(target.dtype === 'int32' ? target.shape : input.shape.filter((_, d) => d !== classDim))) as Tensor<D>;
    } else if (reduction === 'sum') {
      out = rawSum(loss) as Tensor<D>;
    } else {
      // torch: the sum over the rows' weights (class-index targets) or over the row count.
      const total = rawSum(loss);
      normaliser = probabilities ? Tensor.full([], rows, { dtype: input.dtype, device: input.device }) : rawSum(rowWeight);
      created.push(total, normaliser);
      out = rawBinary('div', total, normaliser, []) as Tensor<D>;
    }
    if (needsGrad(input)) attach(new ClassLossNode(input, r, logSumExp, reduction, normaliser, input.shape, classDimLast), out);
    return out;
  } finally {
    for (const t of created) t.dispose();
  }
}

/**
 * Cross-entropy from logits (torch.nn.CrossEntropyLoss): input [C], [N, C] or [N, C, d...];
 * target int32 class indices (input's shape without the class dimension) or float class
 * probabilities (input's shape). A target index out of range is an ArgumentError when the op
 * runs (at the next op or read).
 */
export function crossEntropy<D extends DType>(input: Tensor<D>, target: Tensor, options?: CrossEntropyOptions<D>): Tensor<D> {
  return classLoss('crossEntropy', input, target, options);
}

/** Negative log-likelihood of log-probabilities (torch.nn.NLLLoss); target int32 class indices. */
export function nllLoss<D extends DType>(input: Tensor<D>, target: Tensor<'int32'>, options?: ClassLossOptions<D>): Tensor<D> {
  return classLoss('nllLoss', input, target, options);
}


