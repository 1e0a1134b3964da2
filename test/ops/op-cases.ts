/**
 * The op-case table (in the spirit of ggml's test-backend-ops): one row per op, with the shapes
 * of its floating inputs, how to run it, and the bad inputs it must refuse. test/ops/op-table
 * .test.ts runs every row through a float64 finite-difference gradient check, the CPU against
 * CUDA, the bad inputs, and leak checks. A new op adds its rows here.
 */
import { DEFAULT_ACTIVATIONS, activationCode } from '../../lib/nn/gru-options';
import {
  ArgumentError, DTypeError, DeviceError, DisposedError, Generator, ShapeError, Tensor,
  abs, add, argmax, cat, clamp, div, exp, gather, gelu, indexSelect, linear, log, logSoftmax, losses, matmul, max, maximum, mean, min,
  minimum, mul, narrow, neg, noGrad, permute, pow, relu, reshape, scale, select, sigmoid, slice, softmax, sqrt, stack, sub, sum, tanh,
  transpose, where, gt, scope,
} from '../../lib/index';
import { native } from '../../lib/native/binding';
import { packGruConfig, type GruLayerConfig } from '../../lib/native/gru-config';
import { gruOp, type Kernel } from '../../lib/ops/gru';
import { gruGates, gruResetPass, gruUpdatePass } from '../../lib/ops/gru-gates';

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
        { what: 'b of a shape that does not broadcast', make: () => [f32([3, 2])], call: ([a], [b]) => op(a, b), error: ShapeError, message: new RegExp(`${name}\\(\\): a \\[2, 3\\] and b \\[3, 2\\] cannot be broadcast together`) },
        { what: 'b of another dtype', make: () => [Tensor.zeros([2, 3], { dtype: 'float64' })], call: ([a], [b]) => op(a, b as never), error: DTypeError, message: new RegExp(`${name}\\(\\): b must be float32 like a, got float64`) },
        ...(name === 'div' ? [{ what: 'int32 a', make: () => [Tensor.zeros([2, 3], { dtype: 'int32' })], call: (_: Tensor[], [a]: Tensor[]) => op(a, a), error: DTypeError, message: /must be float32 or float64, got int32/ }] : []),
        { what: 'a non-tensor', call: () => op('x' as never, 1), error: ArgumentError, message: new RegExp(`${name}\\(\\): a must be a Tensor, got "x"`) },
      ] },
    { name: `${name} (one-element b)`, inputs: [{ shape: [2, 3], range }, { shape: [1], range }], run: ([a, b]) => [op(a, b)] },
    { name: `${name} (broadcast rows and columns)`, inputs: [{ shape: [2, 1, 3], range }, { shape: [4, 1], range }], run: ([a, b]) => [op(a, b)] },
    { name: `${name} (broadcast a over b)`, inputs: [{ shape: [3], range }, { shape: [2, 3], range }], run: ([a, b]) => [op(a, b)] },
    { name: `${name} (number b)`, inputs: [{ shape: [4], range }], run: ([a]) => [op(a, 1.5)] },
  ];
}


/** Rows of unary ops: values in `range` where the op needs a domain (log, sqrt) or a smooth point. */
function unaryRows(name: string, op: (t: Tensor) => Tensor, range?: [number, number]): OpCase[] {
  return [{ name, inputs: [{ shape: [3, 4], range }], run: ([a]) => [op(a)],
    bad: [{ what: 'int32 input', make: () => [Tensor.zeros([2], { dtype: 'int32' })], call: (_, [t]) => op(t), error: DTypeError, message: /must be float32 or float64, got int32/ }] }];
}

/** Runs `op` with constant tensors (weights, targets) like `like`, disposing them after. */
function withFixed(like: Tensor, values: unknown[], op: (fixed: Tensor[]) => Tensor): Tensor[] {
  const fixed = values.map((v) => Tensor.from(v as number[], undefined, { dtype: like.dtype, device: like.device }));
  try {
    return [op(fixed)];
  } finally {
    for (const t of fixed) t.dispose();
  }
}

const i32 = (values: number[], shape?: number[]): Tensor<'int32'> => Tensor.from(values, shape ?? [values.length], { dtype: 'int32' }) as Tensor<'int32'>;

const trainingRows: OpCase[] = [
  ...unaryRows('exp', exp), ...unaryRows('log', log, [0.5, 2]), ...unaryRows('sqrt', sqrt, [0.5, 2]),
  ...unaryRows('abs', abs, [0.2, 1]), ...unaryRows('relu', relu, [0.1, 1]), ...unaryRows('tanh', tanh), ...unaryRows('sigmoid', sigmoid),
  ...unaryRows('gelu', gelu), ...unaryRows('pow 3', (t) => pow(t, 3)), ...unaryRows('pow 0.5', (t) => pow(t, 0.5), [0.5, 2]),
  { name: 'clamp', inputs: [{ shape: [4, 5] }], run: ([a]) => [clamp(a, -0.5, 0.7)],
    bad: [{ what: 'min above max', call: ([a]) => clamp(a, 1, 0), error: ArgumentError, message: /clamp\(\): min \(1\) must not exceed max \(0\)/ }] },
  ...binaryRows('maximum', maximum, false), ...binaryRows('minimum', minimum, false),
  { name: 'pow (tensor exponent, broadcast)', inputs: [{ shape: [2, 3], range: [0.5, 1.5] }, { shape: [3], range: [0.5, 2] }], run: ([a, b]) => [pow(a, b)] },
  { name: 'where', inputs: [{ shape: [3, 4] }, { shape: [3, 4] }, { shape: [4] }], run: ([c, a, b]) => { const mask = noGrad(() => gt(c, 0)); const out = where(mask, a, b); mask.dispose(); return [out]; } },
  { name: 'sum dim 1 keepDim', inputs: [{ shape: [2, 3, 4] }], run: ([a]) => [sum(a, 1, { keepDim: true })],
    bad: [{ what: 'a repeated dim', call: ([a]) => sum(a, [1, -2]), error: ArgumentError, message: /sum\(\): dim \[1, -2\] names a dimension twice/ }] },
  { name: 'sum dims [0, 2]', inputs: [{ shape: [2, 3, 4] }], run: ([a]) => [sum(a, [0, 2])] },
  { name: 'mean dim -1', inputs: [{ shape: [3, 5] }], run: ([a]) => [mean(a, -1)] },
  { name: 'max dim 1 (values)', inputs: [{ shape: [3, 5] }], run: ([a]) => { const r = max(a, 1); r.indices.dispose(); return [r.values]; },
    bad: [{ what: 'an empty dim', make: () => [f32([2, 0])], call: (_, [t]) => max(t, 1), error: ShapeError, message: /max\(\): dimension 1 of \[2, 0\] is empty/ }] },
  { name: 'min dim 0 keepDim (values)', inputs: [{ shape: [4, 3] }], run: ([a]) => { const r = min(a, 0, true); r.indices.dispose(); return [r.values]; } },
  { name: 'max of all', inputs: [{ shape: [3, 4] }], run: ([a]) => [max(a)] },
  // float64 -> float32 -> float64 rounds to float32, so finite differences cannot check it here;
  // test/training-errors.test.ts checks its gradient.
  { name: 'cast to the other float dtype and back', inputs: [{ shape: [2, 3] }], grad: false,
    run: ([a]) => { const other = a.toDType(a.dtype === 'float32' ? 'float64' : 'float32'); const out = other.toDType(a.dtype); other.dispose(); return [out]; } },
  { name: 'cast to int32 and back (no grad)', inputs: [{ shape: [3, 4] }], grad: false,
    run: ([a]) => { const tripled = a.mul(3); const i = tripled.int(); const out = i.toDType(a.dtype); for (const t of [tripled, i]) t.dispose(); return [out]; } },
  { name: 'argmax (no grad)', inputs: [{ shape: [3, 4] }], grad: false, run: ([a]) => [argmax(a, 1)] },
  { name: 'softmax dim 1', inputs: [{ shape: [3, 5] }], run: ([a]) => [softmax(a, 1)],
    bad: [{ what: 'a dim out of range', call: ([a]) => softmax(a, 2), error: ArgumentError, message: /softmax\(\): dim must be an integer in \[-2, 1\]/ }] },
  { name: 'softmax dim 0 of 3-D', inputs: [{ shape: [4, 2, 3] }], run: ([a]) => [softmax(a, 0)] },
  { name: 'logSoftmax dim -1', inputs: [{ shape: [2, 3, 6] }], run: ([a]) => [logSoftmax(a, -1)] },
  { name: 'logSoftmax dim 1 of 3-D', inputs: [{ shape: [2, 4, 3] }], run: ([a]) => [logSoftmax(a, 1)] },
  { name: 'matmul batched', inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 5] }], run: ([a, b]) => [matmul(a, b)] },
  { name: 'matmul batched @ 2-D', inputs: [{ shape: [2, 3, 4] }, { shape: [4, 5] }], run: ([a, b]) => [matmul(a, b)] },
  { name: 'matmul broadcast batch', inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }], run: ([a, b]) => [matmul(a, b)] },
  { name: 'matmul vector @ matrix', inputs: [{ shape: [4] }, { shape: [4, 3] }], run: ([a, b]) => [matmul(a, b)] },
  { name: 'matmul matrix @ vector', inputs: [{ shape: [3, 4] }, { shape: [4] }], run: ([a, b]) => [matmul(a, b)] },
  { name: 'linear (3-D input, bias)', inputs: [{ shape: [2, 3, 4] }, { shape: [5, 4] }, { shape: [5] }], run: ([x, w, b]) => [linear(x, w, b)],
    bad: [{ what: 'an input of the wrong width', make: () => [f32([2, 3])], call: ([, w, b], [x]) => linear(x, w, b), error: ShapeError, message: /linear\(\): x must be \[\.\.\., 4\] for a weight of \[5, 4\], got \[2, 3\]/ }] },
  { name: 'linear (no bias)', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }], run: ([x, w]) => [linear(x, w)] },
  { name: 'transpose', inputs: [{ shape: [2, 3, 4] }], run: ([a]) => [transpose(a, 0, 2)] },
  { name: 'permute', inputs: [{ shape: [2, 3, 4] }], run: ([a]) => [permute(a, [1, 2, 0])],
    bad: [{ what: 'a repeated dim', call: ([a]) => permute(a, [0, 0, 1]), error: ArgumentError, message: /permute\(\): dims \[0, 0, 1\] repeat a dimension/ }] },
  { name: 'cat dim 1', inputs: [{ shape: [2, 3] }, { shape: [2, 2] }], run: ([a, b]) => [cat([a, b], 1)],
    bad: [{ what: 'shapes that differ elsewhere', make: () => [f32([3, 2])], call: ([a], [b]) => cat([a, b], 1), error: ShapeError, message: /cat\(\): tensors\[1\] has shape \[3, 2\]/ }] },
  { name: 'stack dim 1', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], run: ([a, b]) => [stack([a, b], 1)] },
  { name: 'slice with a step', inputs: [{ shape: [3, 7] }], run: ([a]) => [slice(a, 1, 1, -1, 2)] },
  { name: 'select dim 1', inputs: [{ shape: [3, 4, 2] }], run: ([a]) => [select(a, 1, -1)],
    bad: [{ what: 'an index out of range', call: ([a]) => select(a, 1, 4), error: ArgumentError, message: /select\(\): index must be an integer in \[-4, 3\]/ }] },
  { name: 'indexSelect dim 1 (repeated index)', inputs: [{ shape: [3, 4] }], run: ([a]) => { const i = i32([3, 0, 3]); const out = indexSelect(a, 1, i); i.dispose(); return [out]; },
    bad: [{ what: 'float indices', make: () => [f32([2])], call: ([a], [i]) => indexSelect(a, 0, i as never), error: DTypeError, message: /indexSelect\(\): index must be an int32 tensor of indices, got float32/ }] },
  { name: 'gather dim 1', inputs: [{ shape: [2, 4] }], run: ([a]) => { const i = i32([0, 3, 3, 1, 1, 2], [2, 3]); const out = gather(a, 1, i); i.dispose(); return [out]; } },
  { name: 'mse (sum)', inputs: [{ shape: [3, 2] }, { shape: [3, 2] }], run: ([p, t]) => [losses.mse(p, t, { reduction: 'sum' })] },
  { name: 'l1 (none)', inputs: [{ shape: [3, 2] }, { shape: [3, 2] }], run: ([p, t]) => [losses.l1(p, t, { reduction: 'none' })] },
  { name: 'smoothL1 (beta 0.5)', inputs: [{ shape: [4, 3] }, { shape: [4, 3] }], run: ([p, t]) => [losses.smoothL1(p, t, { beta: 0.5 })] },
  { name: 'binaryCrossEntropy (weight)', inputs: [{ shape: [3, 2], range: [0.1, 0.9] }],
    run: ([p]) => withFixed(p, [[[0.2, 0.9], [1, 0], [0.5, 0.3]], [1.5, 0.5]], ([t, w]) => losses.binaryCrossEntropy(p, t, { weight: w })) },
  { name: 'binaryCrossEntropyWithLogits (posWeight)', inputs: [{ shape: [3, 2] }],
    run: ([p]) => withFixed(p, [[[0.2, 0.9], [1, 0], [0.5, 0.3]], [0.7, 2]], ([t, w]) => losses.binaryCrossEntropyWithLogits(p, t, { posWeight: w })),
    bad: [{ what: 'a posWeight of the wrong size', make: () => [f32([3])], call: ([p], [w]) => losses.binaryCrossEntropyWithLogits(p, p, { posWeight: w }), error: ShapeError, message: /posWeight must have 2 elements/ }] },
  { name: 'crossEntropy (indices, weight, ignoreIndex, smoothing)', inputs: [{ shape: [4, 5] }],
    run: ([x]) => { const t = i32([1, 4, -1, 0]); const out = withFixed(x, [[0.5, 1, 2, 1.5, 0.7]], ([w]) => losses.crossEntropy(x, t, { weight: w, ignoreIndex: -1, labelSmoothing: 0.2 })); t.dispose(); return out; },
    bad: [
      { what: 'a target of the wrong shape', make: () => [i32([1, 2])], call: ([x], [t]) => losses.crossEntropy(x, t), error: ShapeError, message: /crossEntropy\(\): target must have shape \[4\]/ },
      { what: 'an unknown option', call: ([x]) => losses.crossEntropy(x, x, { smoothing: 0.1 } as never), error: ArgumentError, message: /crossEntropy\(\) options: unknown option "smoothing"/ },
    ] },
  { name: 'crossEntropy (probabilities, [N, C, d])', inputs: [{ shape: [2, 3, 4] }],
    run: ([x]) => {
      const scores = Tensor.rand([2, 3, 4], { dtype: x.dtype, generator: new Generator(3) });
      const target = noGrad(() => softmax(scores, 1));
      const moved = target.to(x.device);
      const out = losses.crossEntropy(x, moved, { labelSmoothing: 0.1 });
      for (const t of [scores, target, moved]) t.dispose();
      return [out];
    } },
  { name: 'crossEntropy ([N, C, d] indices, none)', inputs: [{ shape: [2, 3, 4] }],
    run: ([x]) => { const t = i32([0, 1, 2, 1, 2, 0, 0, 1], [2, 4]); const out = losses.crossEntropy(x, t, { reduction: 'none' }); t.dispose(); return [out]; } },
  { name: 'nllLoss (sum)', inputs: [{ shape: [3, 4] }], run: ([x]) => { const t = i32([3, 0, 2]); const out = losses.nllLoss(x, t, { reduction: 'sum' }); t.dispose(); return [out]; } },
];

const gruBase: GruLayerConfig = { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, resetAfter: true, batchFirst: false, dropout: 0, allowTF32: false, ...DEFAULT_ACTIVATIONS };

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
  { name: 'relu candidate, hardSigmoid gates, two layers', config: { ...gruBase, numLayers: 2, activation: activationCode('relu'), recurrentActivation: activationCode('hardSigmoid') },
    seqLen: 3, batch: 2, withH0: true },
  { name: 'reset-before, linear candidate, TF.js hardSigmoid gates, lengths', config: { ...gruBase, resetAfter: false, activation: activationCode('linear'), recurrentActivation: activationCode('hardSigmoidTfjs') },
    seqLen: 4, batch: 3, lengths: [4, 2, 3], withH0: true },
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
        cuda: kernel === 'fast' && config.dropout === 0 && config.resetAfter && config.activation === DEFAULT_ACTIVATIONS.activation
          && config.recurrentActivation === DEFAULT_ACTIVATIONS.recurrentActivation,
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
      { what: 'inner sizes that differ', make: () => [f32([3, 2])], call: ([a], [b]) => matmul(a, b), error: ShapeError, message: /needs a \[\.\.\., m, k\] and b \[\.\.\., k, n\] \(or vectors of k\), got a \[3, 4\] and b \[3, 2\]/ },
      { what: 'batch sizes that do not broadcast', make: () => [f32([2, 3, 4]), f32([3, 4, 2])], call: (_, [a, b]) => matmul(a, b), error: ShapeError, message: /matmul\(\): a's batch \[2\] and b's batch \[3\] cannot be broadcast together/ },
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
      { what: 'a target of another shape', make: () => [f32([2, 4])], call: ([p], [t]) => losses.mse(p, t), error: ShapeError, message: /mse\(\): target must have input's shape \[4, 2\], got \[2, 4\]/ },
      { what: 'a target of another dtype', make: () => [Tensor.zeros([4, 2], { dtype: 'float64' })], call: ([p], [t]) => losses.mse(p, t as never), error: DTypeError, message: /mse\(\): target must be float32 like input/ },
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
  ...trainingRows,
  ...gruRows(),
  ...gruGateRows(),
];

/** The fused step gates, per activation pair and pass; inputs away from relu's and the hard sigmoids' kinks. */
function gruGateRows(): OpCase[] {
  const pairs: [string, string][] = [['tanh', 'sigmoid'], ['relu', 'sigmoid'], ['linear', 'hardSigmoid'], ['sigmoid', 'hardSigmoidTfjs'], ['tanh', 'relu']];
  const rows: OpCase[] = pairs.flatMap(([activation, gate]): OpCase[] => [
    { name: `gruGates (${activation}, ${gate})`, inputs: [{ shape: [3, 6], range: [0.3, 1.1] }, { shape: [3, 6], range: [0.2, 0.9] }, { shape: [3, 2] }],
      run: ([gi, gh, h]) => [gruGates(gi, gh, h, activation, gate)] },
    { name: `gruResetPass then gruUpdatePass (${activation}, ${gate})`,
      inputs: [{ shape: [3, 6], range: [0.3, 1.1] }, { shape: [3, 4], range: [0.2, 0.9] }, { shape: [3, 2], range: [0.1, 0.8] }, { shape: [3, 2] }],
      run: ([gi, ghRZ, ghN, h]) => scope(() => {
        const gates = gruResetPass(gi, ghRZ, h, gate);
        // ghN stands for the GEMM of r h; adding r h keeps the gates' third block on the path.
        return [gruUpdatePass(gi, add(ghN, narrow(gates, 1, 4, 2)), gates, h, activation), gates];
      }) },
  ]);
  rows[0].bad = [
    { what: 'gh of the wrong width', make: () => [f32([3, 4])], call: ([gi, , h], [gh]) => gruGates(gi, gh, h), error: ShapeError, message: /gruGates\(\): gh must be \[3, 6\] \(3 gates of h's 2\), got \[3, 4\]/ },
    { what: 'h of another dtype', make: () => [Tensor.zeros([3, 2], { dtype: 'float64' })], call: ([gi, gh], [h]) => gruGates(gi, gh, h as never), error: DTypeError, message: /gruGates\(\): h must be float32 like gi, got float64/ },
    { what: 'an unknown activation', call: ([gi, gh, h]) => gruGates(gi, gh, h, 'swish'), error: ArgumentError, message: /gruGates\(\): activation must be one of 'tanh', 'sigmoid'.*got 'swish'/ },
    { what: 'an int32 h', make: () => [Tensor.zeros([3, 2], { dtype: 'int32' })], call: ([gi, gh], [h]) => gruGates(gi, gh, h as never), error: DTypeError, message: /gruGates\(\): h must be float32 or float64, got int32/ },
  ];
  rows[1].bad = [
    { what: 'ghRZ of three gates', make: () => [f32([3, 6])], call: ([gi, , , h], [gh]) => gruResetPass(gi, gh, h), error: ShapeError, message: /gruResetPass\(\): gh must be \[3, 4\] \(2 gates of h's 2\), got \[3, 6\]/ },
    { what: 'gates of the wrong width', make: () => [f32([3, 4])], call: ([gi, , ghN, h], [g]) => gruUpdatePass(gi, ghN, g, h), error: ShapeError, message: /gruUpdatePass\(\): gates must be \[3, 6\]/ },
  ];
  return rows;
}
