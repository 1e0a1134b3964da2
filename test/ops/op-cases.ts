/**
 * The op-case table (in the spirit of ggml's test-backend-ops): one row per op, with the shapes
 * of its floating inputs, how to run it, and the bad inputs it must refuse. test/ops/op-table
 * .test.ts runs every row through a float64 finite-difference gradient check, the CPU against
 * CUDA, the bad inputs, and leak checks. A new op adds its rows here.
 */
import {
  ArgumentError, DTypeError, DeviceError, DisposedError, Generator, ShapeError, Tensor,
  add, div, losses, matmul, mean, mul, narrow, neg, noGrad, reshape, scale, sub, sum,
} from '../../lib/index';
import { native } from '../../lib/native/binding';
import { packGruConfig, type GruLayerConfig } from '../../lib/native/gru-config';
import { gruOp, type Kernel } from '../../lib/ops/gru';

export interface InputSpec {
  shape: number[];
  /** Values uniform in [low, high) (default: normal). */
  range?: [number, number];
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface BadInput {
  what: string;
  /** Tensors the call needs beyond the row's valid inputs; made before memory is counted. */
  make?: () => Tensor[];
  call: (valid: Tensor[], made: Tensor[]) => unknown;
  error: ErrorClass;
  message: RegExp;
}

export interface OpCase {
  name: string;
  inputs: InputSpec[];
  /** The op on the inputs; every returned tensor is an output. */
  run: (inputs: Tensor[]) => Tensor[];
  /** false: not differentiable (no gradcheck). */
  grad?: boolean;
  /** false: the CUDA result is not comparable (different dropout generator, CPU-only kernel). */
  cuda?: boolean;
  bad?: BadInput[];
}

const f32 = (shape: number[]): Tensor => Tensor.zeros(shape);

/** Rows for a binary op: same shapes, a one-element operand, a number. */
function binaryRows(name: string, op: typeof add, positive: boolean): OpCase[] {
  const range: [number, number] | undefined = positive ? [0.5, 1.5] : undefined;
  return [
    { name: `${name} (same shape)`, inputs: [{ shape: [2, 3], range }, { shape: [2, 3], range }], run: ([a, b]) => [op(a, b)],
      bad: [
        { what: 'b of another shape', make: () => [f32([3, 2])], call: ([a], [b]) => op(a, b), error: ShapeError, message: new RegExp(`${name}\\(\\): b must have a's shape \\[2, 3\\] or be a single value, got \\[3, 2\\]`) },
        { what: 'b of another dtype', make: () => [Tensor.zeros([2, 3], { dtype: 'float64' })], call: ([a], [b]) => op(a, b as never), error: DTypeError, message: new RegExp(`${name}\\(\\): b must be float32 like a, got float64`) },
        { what: 'int32 a', make: () => [Tensor.zeros([2, 3], { dtype: 'int32' })], call: (_, [a]) => op(a, a), error: DTypeError, message: /must be float32 or float64, got int32/ },
        { what: 'a non-tensor', call: () => op('x' as never, 1), error: ArgumentError, message: new RegExp(`${name}\\(\\): a must be a Tensor, got "x"`) },
      ] },
    { name: `${name} (one-element b)`, inputs: [{ shape: [2, 3], range }, { shape: [1], range }], run: ([a, b]) => [op(a, b)] },
    { name: `${name} (number b)`, inputs: [{ shape: [4], range }], run: ([a]) => [op(a, 1.5)] },
  ];
}

const gruBase: GruLayerConfig = { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, resetAfter: true, batchFirst: false, dropout: 0, allowTF32: false };

interface GruCase {
  name: string;
  config: GruLayerConfig;
  seqLen: number;
  batch: number;
  lengths?: number[];
  withH0: boolean;
}

const gruCases: GruCase[] = [
  { name: 'one layer', config: gruBase, seqLen: 3, batch: 2, withH0: true },
  { name: 'reset-before', config: { ...gruBase, resetAfter: false }, seqLen: 3, batch: 2, withH0: true },
  { name: 'two layers, bidirectional, batch-first', config: { ...gruBase, numLayers: 2, bidirectional: true, batchFirst: true }, seqLen: 3, batch: 2, withH0: true },
  { name: 'reset-before, bidirectional, lengths', config: { ...gruBase, bidirectional: true, resetAfter: false }, seqLen: 4, batch: 3, lengths: [4, 1, 2], withH0: true },
  { name: 'no bias, lengths, two layers', config: { ...gruBase, numLayers: 2, bias: false }, seqLen: 3, batch: 3, lengths: [2, 3, 1], withH0: false },
  { name: 'hidden 1, input 1, three layers', config: { ...gruBase, inputSize: 1, hiddenSize: 1, numLayers: 3 }, seqLen: 2, batch: 2, withH0: true },
  { name: 'dropout between layers (fixed mask)', config: { ...gruBase, numLayers: 2, dropout: 0.4, bidirectional: true }, seqLen: 3, batch: 2, withH0: false },
];

function gruWeightCount(c: GruLayerConfig): number {
  return native.gruWeightCount(packGruConfig({ ...c, seqLen: 1, batch: 1, dropoutSeedLow: 0, dropoutSeedHigh: 0, dropoutOffset: 0 }));
}

function gruRows(): OpCase[] {
  const rows: OpCase[] = [];
  for (const c of gruCases) {
    for (const kernel of ['fast', 'reference'] as Kernel[]) {
      const { config, seqLen, batch } = c;
      const D = config.bidirectional ? 2 : 1;
      const xShape = config.batchFirst ? [batch, seqLen, config.inputSize] : [seqLen, batch, config.inputSize];
      const inputs: InputSpec[] = [{ shape: xShape }, { shape: [gruWeightCount(config)], range: [-0.6, 0.6] }];
      if (c.withH0) inputs.push({ shape: [config.numLayers * D, batch, config.hiddenSize] });
      const lengths = c.lengths ? Int32Array.from(c.lengths) : null;
      rows.push({
        name: `gru: ${c.name} (${kernel})`,
        inputs,
        // The same dropout mask on every evaluation: a fresh generator at the same seed.
        run: ([x, w, h0]) => {
          const { output, hN } = gruOp(config, { x, weights: w, h0: h0 ?? null, lengths, seqLen, batch },
            { training: true, generator: new Generator(5), kernel });
          return [output, hN];
        },
        cuda: kernel === 'fast' && config.dropout === 0 && config.resetAfter,
      });
    }
  }
  return rows;
}

export const opCases: OpCase[] = [
  ...binaryRows('add', add, false),
  ...binaryRows('sub', sub, false),
  ...binaryRows('mul', mul, false),
  ...binaryRows('div', div, true),
  { name: 'neg', inputs: [{ shape: [2, 3] }], run: ([a]) => [neg(a)] },
  { name: 'scale', inputs: [{ shape: [5] }], run: ([a]) => [scale(a, -2.5)],
    bad: [{ what: 'a string alpha', call: ([a]) => scale(a, 'x' as never), error: ArgumentError, message: /scale\(\): alpha must be a number, got "x"/ }] },
  { name: 'sum', inputs: [{ shape: [3, 4] }], run: ([a]) => [sum(a)],
    bad: [{ what: 'a disposed tensor', make: () => { const t = f32([2]); t.dispose(); return [t]; }, call: (_, [t]) => sum(t), error: DisposedError, message: /was disposed/ }] },
  { name: 'mean', inputs: [{ shape: [3, 4] }], run: ([a]) => [mean(a)],
    bad: [{ what: 'no elements', make: () => [f32([0])], call: (_, [t]) => mean(t), error: ShapeError, message: /mean\(\): t has no elements/ }] },
  { name: 'matmul', inputs: [{ shape: [3, 4] }, { shape: [4, 2] }], run: ([a, b]) => [matmul(a, b)],
    bad: [
      { what: 'inner sizes that differ', make: () => [f32([3, 2])], call: ([a], [b]) => matmul(a, b), error: ShapeError, message: /needs a \[m, k\] and b \[k, n\], got a \[3, 4\] and b \[3, 2\]/ },
      { what: 'a 3-D operand', make: () => [f32([2, 3, 4])], call: ([, b], [a]) => matmul(a, b), error: ShapeError, message: /got a \[2, 3, 4\]/ },
    ] },
  { name: 'reshape', inputs: [{ shape: [2, 6] }], run: ([a]) => [reshape(a, [3, -1])],
    bad: [{ what: 'a wrong element count', call: ([a]) => reshape(a, [5, 5]), error: ShapeError, message: /cannot reshape a tensor of shape \[2, 6\] \(12 elements\) to \[5, 5\]/ }] },
  { name: 'view (method)', inputs: [{ shape: [2, 6] }], run: ([a]) => [a.view([12])] },
  { name: 'narrow dim 0 (a view)', inputs: [{ shape: [4, 3] }], run: ([a]) => [narrow(a, 0, 1, 2)],
    bad: [
      { what: 'a length past the end', call: ([a]) => narrow(a, 0, 3, 2), error: ArgumentError, message: /narrow\(\): length must be an integer in \[0, 1\]/ },
      { what: 'a dim out of range', call: ([a]) => narrow(a, 2, 0, 1), error: ArgumentError, message: /narrow\(\): dim must be an integer in \[-2, 1\]/ },
      { what: 'a scalar', make: () => [f32([])], call: (_, [s]) => narrow(s, 0, 0, 1), error: ShapeError, message: /at least one dimension/ },
    ] },
  { name: 'narrow dim 1 (a copy)', inputs: [{ shape: [3, 5] }], run: ([a]) => [narrow(a, 1, 1, 3)] },
  { name: 'narrow last dim of 3-D, negative dim and start', inputs: [{ shape: [2, 3, 4] }], run: ([a]) => [narrow(a, -1, -2, 2)] },
  { name: 'narrow middle dim of 3-D', inputs: [{ shape: [2, 3, 4] }], run: ([a]) => [narrow(a, 1, 2, 1)] },
  { name: 'mse', inputs: [{ shape: [4, 2] }, { shape: [4, 2] }], run: ([p, t]) => [losses.mse(p, t)],
    bad: [
      { what: 'a target of another shape', make: () => [f32([2, 4])], call: ([p], [t]) => losses.mse(p, t), error: ShapeError, message: /mse\(\): target must have shape \[4, 2\], got \[2, 4\]/ },
      { what: 'a target of another dtype', make: () => [Tensor.zeros([4, 2], { dtype: 'float64' })], call: ([p], [t]) => losses.mse(p, t as never), error: DTypeError, message: /mse\(\): target must be float32 like prediction/ },
    ] },
  { name: 'to (device copy)', inputs: [{ shape: [3, 2] }], run: ([a]) => [a.to('cpu')], grad: false,
    bad: [{ what: 'an unknown device', call: ([a]) => a.to('gpu' as never), error: DeviceError, message: /device must be 'cpu' or 'cuda', got "gpu"/ }] },
  { name: 'add_ (in place)', inputs: [{ shape: [3] }, { shape: [3] }], grad: false,
    run: ([a, b]) => { const out = a.detach(); noGrad(() => out.add_(b, 0.5)); return [out]; },
    bad: [
      { what: 'a tensor on the tape', call: ([a, b]) => a.requiresGrad_().add_(b), error: ArgumentError, message: /add_\(\): in-place update of a tensor that requires grad would corrupt the tape/ },
      { what: 'another shape', make: () => [f32([4])], call: ([a], [b]) => a.add_(b), error: ShapeError, message: /add_\(\): other must have shape \[3\], got \[4\]/ },
    ] },
  { name: 'fill_ (in place)', inputs: [{ shape: [4] }], grad: false, run: ([a]) => [noGrad(() => a.detach().fill_(-2))],
    bad: [
      { what: 'an int32 fill with a fraction', make: () => [Tensor.zeros([2], { dtype: 'int32' })], call: (_, [t]) => t.fill_(1.5), error: DTypeError, message: /value 1\.5 cannot be stored exactly in an int32 tensor/ },
      { what: 'an int32 fill beyond its range', make: () => [Tensor.zeros([2], { dtype: 'int32' })], call: (_, [t]) => t.fill_(3e9), error: DTypeError, message: /cannot be stored exactly in an int32 tensor/ },
      { what: 'a float32 fill beyond its range', make: () => [f32([2])], call: (_, [t]) => t.fill_(1e39), error: DTypeError, message: /overflows float32/ },
    ] },
  { name: 'copy_ (in place, converting)', inputs: [{ shape: [2, 2] }], grad: false,
    run: ([a]) => { const out = Tensor.zeros([2, 2], { dtype: a.dtype === 'float32' ? 'float64' : 'float32', device: a.device }); out.copy_(a); return [out]; },
    bad: [{ what: 'another shape', make: () => [f32([4])], call: ([a], [b]) => a.copy_(b), error: ShapeError, message: /copy_\(\): source must have shape \[2, 2\], got \[4\]/ }] },
  ...gruRows(),
];
