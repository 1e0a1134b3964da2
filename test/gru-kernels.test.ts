/**
 * The native GRU kernels through their bindings (native/bindings/gru_bindings.cc), below the
 * autograd layer: the fast OpenBLAS path against the plain-loop reference on every option
 * combination, finite-difference gradients of the reference, the packed-sequence and dropout
 * semantics rebuilt from smaller runs, accumulation into dweights, inference mode, and typed
 * errors for bad input.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, onTestFinished } from 'vitest';

import { DEFAULT_ACTIVATIONS, activationCode, activationName, type GRUActivation } from '../lib/nn/gru-options';

import { getNumThreads, setNumThreads } from '../lib/backends';
import { emptyCache, memory } from '../lib/memory';
import { ArgumentError, DisposedError, DTypeError, ShapeError } from '../lib/errors';
import { native, nativeConstants } from '../lib/native/binding';
import { GRU_CONFIG_KINDS, packGruConfig, type NativeGruConfig } from '../lib/native/gru-config';
import type { TensorHandle } from '../lib/native/types';
import { Tensor } from '../lib/tensor';
import { mulberry32 } from '../lib/train/shuffle';

type FloatDType = 'float32' | 'float64';
const FAST = nativeConstants.kernels.fast;
const REFERENCE = nativeConstants.kernels.reference;
const CONFIG_FIELDS = Object.keys(GRU_CONFIG_KINDS).length;

// ---- problem construction ----------------------------------------------------------------

/** Small deterministic generator, so every case is reproducible. */
const rng = mulberry32;

function uniform(n: number, next: () => number, scale = 1): number[] {
  return Array.from({ length: n }, () => (2 * next() - 1) * scale);
}

function config(overrides: Partial<NativeGruConfig>): NativeGruConfig {
  return {
    inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, resetAfter: true,
    seqLen: 4, batch: 3, batchFirst: false, dropout: 0, dropoutSeedLow: 0, dropoutSeedHigh: 0, dropoutOffset: 0, allowTF32: false, ...DEFAULT_ACTIVATIONS, ...overrides,
  };
}

const directions = (c: NativeGruConfig): number => (c.bidirectional ? 2 : 1);

function weightCount(c: NativeGruConfig): number {
  let total = 0;
  for (let l = 0; l < c.numLayers; l++) {
    const inSize = l === 0 ? c.inputSize : directions(c) * c.hiddenSize;
    const h3 = 3 * c.hiddenSize;
    total += directions(c) * (h3 * inSize + h3 * c.hiddenSize + (c.bias ? 2 * h3 : 0));
  }
  return total;
}

const xShape = (c: NativeGruConfig): number[] =>
  c.batchFirst ? [c.batch, c.seqLen, c.inputSize] : [c.seqLen, c.batch, c.inputSize];
const yShape = (c: NativeGruConfig): number[] =>
  c.batchFirst ? [c.batch, c.seqLen, directions(c) * c.hiddenSize] : [c.seqLen, c.batch, directions(c) * c.hiddenSize];
const stateShape = (c: NativeGruConfig): number[] => [c.numLayers * directions(c), c.batch, c.hiddenSize];
const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Plain data of one problem; tensors are made from it per call so runs never share buffers. */
interface Problem {
  c: NativeGruConfig;
  dtype: FloatDType;
  x: number[];
  h0: number[] | null;
  w: number[];
  lengths: number[] | null;
  dy: number[] | null;
  dhN: number[] | null;
}

function makeProblem(c: NativeGruConfig, dtype: FloatDType, seed: number,
                     opts: { h0?: boolean; lengths?: number[] | null; dy?: boolean; dhN?: boolean } = {}): Problem {
  const next = rng(seed);
  return {
    c, dtype,
    x: uniform(numel(xShape(c)), next),
    h0: opts.h0 === false ? null : uniform(numel(stateShape(c)), next, 0.8),
    w: uniform(weightCount(c), next, 0.7),
    lengths: opts.lengths ?? null,
    dy: opts.dy === false ? null : uniform(numel(yShape(c)), next),
    dhN: opts.dhN === false ? null : uniform(numel(stateShape(c)), next),
  };
}

const tensor = (data: number[], shape: number[], dtype: FloatDType): Tensor => Tensor.from(data, shape, { dtype });
const handleOrNull = (t: Tensor | null): TensorHandle | null => t?.handle ?? null;

interface ForwardResult { y: number[]; hN: number[]; reserve: Tensor | null }

const lengthsOf = (p: Problem): Int32Array | null => p.lengths && Int32Array.from(p.lengths);
/** Reads a result handle's values and releases it. */
function take(handle: TensorHandle, shape: number[], dtype: FloatDType): number[] {
  const t = new Tensor(handle, shape, dtype, 'cpu');
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
}

function forward(p: Problem, kernel: number, training = true): ForwardResult {
  const { c, dtype } = p;
  const x = tensor(p.x, xShape(c), dtype);
  const h0 = p.h0 && tensor(p.h0, stateShape(c), dtype);
  const w = tensor(p.w, [p.w.length], dtype);
  const [y, hN, reserveElements, reserve] = native.gruForward(packGruConfig(c), x.handle, handleOrNull(h0), w.handle, lengthsOf(p), training, kernel);
  const result = {
    y: take(y, yShape(c), dtype),
    hN: take(hN, stateShape(c), dtype),
    reserve: reserve && new Tensor(reserve, [reserveElements], dtype, 'cpu'),
  };
  for (const t of [x, h0, w]) t?.dispose();
  return result;
}

interface BackwardResult { dx: number[]; dh0: number[]; dw: number[] }

function backward(p: Problem, kernel: number, reserve: Tensor, dwStart?: number[], calls = 1): BackwardResult {
  const { c, dtype } = p;
  const x = tensor(p.x, xShape(c), dtype);
  const h0 = p.h0 && tensor(p.h0, stateShape(c), dtype);
  const w = tensor(p.w, [p.w.length], dtype);
  const dy = p.dy && tensor(p.dy, yShape(c), dtype);
  const dhN = p.dhN && tensor(p.dhN, stateShape(c), dtype);
  const dw = dwStart ? tensor(dwStart, [p.w.length], dtype) : Tensor.zeros([p.w.length], { dtype });
  let dx: number[] = [];
  let dh0: number[] = [];
  for (let i = 0; i < calls; i++) {
    const r = native.gruBackward(packGruConfig(c), x.handle, handleOrNull(h0), w.handle, lengthsOf(p), reserve.handle, null,
      handleOrNull(dy), handleOrNull(dhN), true, true, dw.handle, kernel);
    dx = take(r.dx!, xShape(c), dtype);
    dh0 = take(r.dh0!, stateShape(c), dtype);
  }
  const result = { dx, dh0, dw: Array.from(dw.dataSync()) };
  for (const t of [x, h0, w, dy, dhN, dw]) t?.dispose();
  return result;
}

/** max |a - b| <= tol * max(1, max |b|), with the worst index in the message. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= worst)) {
      worst = diff;
      at = i;
    }
  }
  if (!(worst <= tol * scale)) {
    throw new Error(`${what}: |difference| ${worst} at ${at} (${actual[at]} vs ${expected[at]}) exceeds ${tol} * ${scale}`);
  }
}

function describeCase(c: NativeGruConfig, lengths: number[] | null): string {
  const flags = [
    `I${c.inputSize} H${c.hiddenSize} L${c.numLayers} T${c.seqLen} B${c.batch}`,
    c.bidirectional ? 'bi' : '', c.bias ? '' : 'no-bias', c.resetAfter ? '' : 'reset-before',
    c.batchFirst ? 'batch-first' : '', c.dropout > 0 ? `dropout ${c.dropout}` : '', lengths ? `lengths [${lengths}]` : '',
    c.activation === DEFAULT_ACTIVATIONS.activation && c.recurrentActivation === DEFAULT_ACTIVATIONS.recurrentActivation ? ''
      : `${activationName(c.activation)}/${activationName(c.recurrentActivation)}`,
  ];
  return flags.filter(Boolean).join(', ');
}

// ---- (a) fast against reference -------------------------------------------------------------

interface KernelCase { c: NativeGruConfig; lengths?: number[]; h0?: boolean; dy?: boolean; dhN?: boolean }

const seeded = { dropoutSeedLow: 1234, dropoutOffset: 8 };
/** Config codes of an (activation, recurrentActivation) pair. */
const acts = (activation: GRUActivation, recurrentActivation: GRUActivation) => ({ activation: activationCode(activation), recurrentActivation: activationCode(recurrentActivation) });
const ACTIVATION_NAMES: GRUActivation[] = ['tanh', 'sigmoid', 'relu', 'linear', 'hardSigmoid', 'hardSigmoidTfjs'];
const BOUNDED_GATES: GRUActivation[] = ['sigmoid', 'hardSigmoid', 'hardSigmoidTfjs'];
const kernelCases: KernelCase[] = [
  { c: config({}) },
  { c: config({ resetAfter: false }) },
  { c: config({ bidirectional: true }), h0: false },
  { c: config({ bidirectional: true, resetAfter: false }), lengths: [4, 1, 3] },
  { c: config({ bidirectional: true, batchFirst: true, numLayers: 2 }), lengths: [2, 4, 1] },
  { c: config({ bias: false, resetAfter: false, numLayers: 2 }), lengths: [3, 1, 4], dy: false },
  { c: config({ bias: false, batchFirst: true }), dhN: false },
  { c: config({ inputSize: 1, hiddenSize: 1, numLayers: 3, bidirectional: true }) },
  { c: config({ seqLen: 1, bidirectional: true, resetAfter: false }), lengths: [1, 1, 1] },
  { c: config({ batch: 1, seqLen: 5, bidirectional: true }), lengths: [3] },
  { c: config({ batch: 1, resetAfter: false, batchFirst: true, numLayers: 2 }) },
  { c: config({ numLayers: 3, bidirectional: true, batchFirst: true, dropout: 0.3, ...seeded }), lengths: [4, 2, 1] },
  { c: config({ numLayers: 3, resetAfter: false, dropout: 0.5, ...seeded }), lengths: [1, 4, 3], h0: false },
  { c: config({ inputSize: 7, hiddenSize: 9, seqLen: 6, batch: 5, numLayers: 2, bidirectional: true, resetAfter: false }), lengths: [6, 2, 5, 1, 3] },
  { c: config({ inputSize: 5, hiddenSize: 17, seqLen: 5, batch: 4, numLayers: 2, batchFirst: true, dropout: 0.2, ...seeded }), lengths: [5, 3, 5, 1] },
  // Activations other than tanh/sigmoid run the general (multi-pass) loops.
  { c: config({ ...acts('relu', 'sigmoid') }) },
  { c: config({ resetAfter: false, ...acts('tanh', 'hardSigmoidTfjs') }), lengths: [4, 2, 3] },
  { c: config({ hiddenSize: 19, bidirectional: true, numLayers: 2, ...acts('relu', 'hardSigmoid') }), lengths: [3, 4, 1] },
  { c: config({ hiddenSize: 33, resetAfter: false, batchFirst: true, ...acts('linear', 'hardSigmoid') }) },
  { c: config({ numLayers: 2, dropout: 0.3, ...seeded, ...acts('sigmoid', 'relu') }), lengths: [2, 4, 4] },
];

/** Random combinations on top of the hand-picked ones. */
function randomCases(count: number, seed: number): KernelCase[] {
  const next = rng(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  const cases: KernelCase[] = [];
  for (let i = 0; i < count; i++) {
    const seqLen = 1 + pick(5);
    const batch = 1 + pick(4);
    const numLayers = 1 + pick(3);
    const c = config({
      inputSize: 1 + pick(6), hiddenSize: 1 + pick(10), numLayers, seqLen, batch,
      bidirectional: next() < 0.5, bias: next() < 0.7, resetAfter: next() < 0.5, batchFirst: next() < 0.5,
      dropout: numLayers > 1 && next() < 0.5 ? 0.25 : 0, dropoutSeedLow: pick(1000), dropoutSeedHigh: pick(3), dropoutOffset: 4 * pick(10),
      // Bounded gates only: linear or relu gates let the state grow without limit over steps and layers.
      ...(next() < 0.5 ? {} : acts(ACTIVATION_NAMES[pick(6)], BOUNDED_GATES[pick(3)])),
    });
    const lengths = next() < 0.6 ? Array.from({ length: batch }, () => 1 + pick(seqLen)) : undefined;
    cases.push({ c, lengths, h0: next() < 0.7, dy: next() < 0.9, dhN: next() < 0.8 });
  }
  return cases;
}

/** Wider cases for the packed recurrent kernel (one BLAS thread, float32): rows past its 8-row blocks, widths past its 32-column panels. */
const packedCases: KernelCase[] = [
  { c: config({ inputSize: 7, hiddenSize: 40, seqLen: 4, batch: 13 }) },
  { c: config({ inputSize: 5, hiddenSize: 37, seqLen: 3, batch: 11, resetAfter: false, bidirectional: true }), lengths: [3, 1, 2, 3, 3, 2, 1, 3, 3, 2, 1] },
  { c: config({ inputSize: 6, hiddenSize: 64, seqLen: 5, batch: 9, numLayers: 2, ...acts('relu', 'hardSigmoid') }) },
  { c: config({ inputSize: 3, hiddenSize: 33, seqLen: 2, batch: 2, bias: false }) },
];

/**
 * Cases large enough for the GRU's own thread split (Note [GRU thread split], native/cpu/gru_split.h:
 * at least 4 batch rows per part and 2^22 multiply-adds per layer), at 2 threads. Then bidirectional
 * ones with fewer than 8 batch rows: too few to split, so their directions run side by side; and
 * one-direction stacks of 2-7 rows, whose forward runs as a layer wavefront (their backward runs
 * the steps on one thread while the GEMMs around them split). Inference calls run too.
 */
const splitCases: KernelCase[] = [
  { c: config({ inputSize: 32, hiddenSize: 64, seqLen: 16, batch: 16 }), lengths: [16, 3, 9, 16, 1, 12, 16, 5, 8, 16, 2, 16, 7, 16, 11, 4] },
  { c: config({ inputSize: 32, hiddenSize: 80, seqLen: 16, batch: 13, resetAfter: false, bidirectional: true, batchFirst: true, numLayers: 2, dropout: 0.3, ...seeded }), lengths: [16, 1, 7, 16, 3, 16, 9, 2, 16, 11, 16, 5, 14] },
  { c: config({ inputSize: 40, hiddenSize: 48, seqLen: 20, batch: 21, bias: false, numLayers: 2, ...acts('tanh', 'hardSigmoid') }), h0: false },
  { c: config({ inputSize: 16, hiddenSize: 96, seqLen: 14, batch: 12, resetAfter: false, bidirectional: true, ...acts('sigmoid', 'hardSigmoidTfjs') }), dhN: false },
  { c: config({ inputSize: 256, hiddenSize: 96, seqLen: 14, batch: 3, bidirectional: true, numLayers: 2, dropout: 0.25, ...seeded }), lengths: [14, 5, 11] },
  { c: config({ inputSize: 560, hiddenSize: 128, seqLen: 16, batch: 1, bidirectional: true, resetAfter: false, batchFirst: true }) },
  { c: config({ inputSize: 64, hiddenSize: 80, seqLen: 20, batch: 7, bidirectional: true, bias: false, ...acts('tanh', 'hardSigmoid') }), lengths: [20, 1, 9, 20, 13, 2, 20], dy: false },
  { c: config({ inputSize: 128, hiddenSize: 96, seqLen: 14, batch: 5, numLayers: 2, resetAfter: false }), lengths: [14, 3, 14, 11, 1] },
  { c: config({ inputSize: 200, hiddenSize: 70, seqLen: 40, batch: 2, batchFirst: true, dropout: 0.4, numLayers: 2, ...seeded }) },
  { c: config({ inputSize: 48, hiddenSize: 64, seqLen: 37, batch: 6, numLayers: 3, dropout: 0.3, ...seeded }), lengths: [37, 2, 30, 37, 16, 1] },
  { c: config({ inputSize: 100, hiddenSize: 64, seqLen: 20, batch: 7, numLayers: 3, bias: false, batchFirst: true, resetAfter: false }), h0: false },
  // One direction and layer of 2-7 rows: a team runs the steps (step_team.h); hidden 112 and 80 end in part panels.
  { c: config({ inputSize: 64, hiddenSize: 112, seqLen: 20, batch: 4 }), lengths: [20, 7, 13, 20] },
  { c: config({ inputSize: 100, hiddenSize: 80, seqLen: 24, batch: 7, resetAfter: false, batchFirst: true, ...acts('tanh', 'hardSigmoid') }), dhN: false },
  { c: config({ inputSize: 64, hiddenSize: 96, seqLen: 20, batch: 5, bias: false }), lengths: [20, 1, 12, 20, 19] },
];

describe('fast GRU kernel, split across threads, against the reference', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    // Wider sums over more steps than the cases above: float32 needs a looser bound (the same at 1
    // thread). Both float32 kernels stay within 5e-5 of the float64 result (split case 4's dx:
    // reference 4.8e-5, fast 2.2-3.7e-5 by OpenBLAS's kernels), so they may differ by twice that.
    const tol = dtype === 'float64' ? 1e-12 : 1e-4;
    it(`${dtype}, 2 threads: y, hN, dx, dh0 and dweights agree on ${splitCases.length} configurations, and each call ran side by side`, () => {
      const before = getNumThreads();
      setNumThreads(2);
      onTestFinished(() => setNumThreads(before));
      splitCases.forEach((k, index) => {
        const p = makeProblem(k.c, dtype, 3000 + index, { h0: k.h0, lengths: k.lengths, dy: k.dy, dhN: k.dhN });
        const label = `split case ${index} (${describeCase(k.c, p.lengths)})`;
        const ref = forward(p, REFERENCE);
        const runs = native.cpuInfo().sideBySideRuns;
        const fast = forward(p, FAST);
        expect(native.cpuInfo().sideBySideRuns, `${label} forward split`).toBeGreaterThan(runs);
        expectClose(fast.y, ref.y, tol, `${label} y`);
        expectClose(fast.hN, ref.hN, tol, `${label} hN`);
        const refInference = forward(p, REFERENCE, false);
        const fastInference = forward(p, FAST, false);
        expectClose(fastInference.y, refInference.y, tol, `${label} inference y`);
        expectClose(fastInference.hN, refInference.hN, tol, `${label} inference hN`);
        const dwStart = uniform(p.w.length, rng(index));
        const refGrads = backward(p, REFERENCE, ref.reserve!, dwStart);
        const backwardRuns = native.cpuInfo().sideBySideRuns;
        const fastGrads = backward(p, FAST, fast.reserve!, dwStart);
        expect(native.cpuInfo().sideBySideRuns, `${label} backward split`).toBeGreaterThan(backwardRuns);
        expectClose(fastGrads.dx, refGrads.dx, tol, `${label} dx`);
        expectClose(fastGrads.dh0, refGrads.dh0, tol, `${label} dh0`);
        expectClose(fastGrads.dw, refGrads.dw, tol, `${label} dweights`);
        ref.reserve!.dispose();
        fast.reserve!.dispose();
      });
    });
  }

  // A training forward and backward (weight gradients from zero) at `threads`.
  const trainedAt = (p: Problem, threads: number) => {
    setNumThreads(threads);
    const f = forward(p, FAST);
    const g = backward(p, FAST, f.reserve!, new Array<number>(p.w.length).fill(0));
    f.reserve!.dispose();
    return { ...f, ...g };
  };

  // Up to last bits: a part's products cover its own rows, and OpenBLAS's Haswell kernels (the
  // ones OPENBLAS_CORETYPE=Haswell forces) round some rows differently for another row count;
  // 16 steps carry that to 1.6e-6 in y.
  it('gives the same float32 results at 1 and 2 threads up to the GEMMs\' last bits', () => {
    const before = getNumThreads();
    onTestFinished(() => setNumThreads(before));
    const p = makeProblem(splitCases[0].c, 'float32', 77, { lengths: splitCases[0].lengths });
    const one = trainedAt(p, 1);
    const two = trainedAt(p, 2);
    expectClose(two.y, one.y, 1e-5, 'y');
    expectClose(two.dw, one.dw, 1e-5, 'dweights');
  });

  // Bytes the host cache gains over one call: its workspace and the inputs it frees, which are
  // the same at any thread count. The least of three: tensors of earlier tests that the GC frees
  // meanwhile only add.
  const cachedByCall = (p: Problem, threads: number, pass: 'forward' | 'backward') => Math.min(...[0, 1, 2].map(() => {
    setNumThreads(threads);
    const training = pass === 'backward' ? forward(p, FAST) : null;
    emptyCache();
    if (training) backward(p, FAST, training.reserve!);
    else forward(p, FAST, false);
    const bytes = memory().hostCachedBytes;
    training?.reserve!.dispose();
    emptyCache();
    return bytes;
  }));

  it('gives the wavefront and side-by-side directions their per-thread slots only at 2+ threads', () => {
    const before = getNumThreads();
    onTestFinished(() => setNumThreads(before));
    // Every workspace here is over 1 MiB, the cache's large classes (blocks of 512 KiB to 1 MiB are not kept).
    const H = 192;
    const stack = makeProblem(config({ inputSize: 64, hiddenSize: H, seqLen: 30, batch: 4, numLayers: 4 }), 'float32', 5);
    const bidirectional = makeProblem(config({ inputSize: 64, hiddenSize: H, seqLen: 100, batch: 4, bidirectional: true }), 'float32', 6);
    for (const [label, p, extraSlots] of [['4-layer stack', stack, 3], ['bidirectional', bidirectional, 1]] as const) {
      for (const pass of ['forward', 'backward'] as const) {
        const one = cachedByCall(p, 1, pass), two = cachedByCall(p, 2, pass);
        // At least the extra slots' packed W_hh (4H^2 floats forward, 3H^2 backward), less what the
        // cache's size classes (eighths of a power of two) may round away.
        expect(two - one, `${label} ${pass}`).toBeGreaterThanOrEqual(0.75 * extraSlots * (pass === 'forward' ? 4 : 3) * H * H * 4);
      }
    }
  });

  it('gives the 1-thread results when a team dissolves on a busy machine (every core kept busy meanwhile)', async () => {
    const before = getNumThreads();
    onTestFinished(() => setNumThreads(before));
    const made = makeProblem(config({ inputSize: 32, hiddenSize: 128, seqLen: 600, batch: 4, resetAfter: false }), 'float32', 9);
    const p = { ...made, w: made.w.map((v) => v * 0.2) };  // contracting: threads part only by rounding
    const one = trainedAt(p, 1);
    // Busy loops on every core leave the team's members waiting for time slices at its barriers.
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const hogs = Array.from({ length: availableParallelism() }, () => new Worker(
      'const { workerData } = require("node:worker_threads"); const stop = new Int32Array(workerData); while (Atomics.load(stop, 0) === 0) {}',
      { eval: true, workerData: stop.buffer }));
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const dissolvedBefore = native.cpuInfo().dissolvedTeams;
      for (let attempt = 0; attempt < 20 && native.cpuInfo().dissolvedTeams === dissolvedBefore; attempt++) {
        const two = trainedAt(p, 2);
        expectClose(two.y, one.y, 1e-6, `attempt ${attempt} y`);
        expectClose(two.dx, one.dx, 1e-5, `attempt ${attempt} dx`);
        expectClose(two.dh0, one.dh0, 1e-5, `attempt ${attempt} dh0`);
        expectClose(two.dw, one.dw, 1e-5, `attempt ${attempt} dweights`);
      }
      expect(native.cpuInfo().dissolvedTeams).toBeGreaterThan(dissolvedBefore);
    } finally {
      Atomics.store(stop, 0, 1);
      await Promise.all(hogs.map((w) => w.terminate()));
    }
  });

  it('runs a stack past the wavefront\'s memory bound layer after layer on a team, with no more scratch than at 1 thread', () => {
    const before = getNumThreads();
    onTestFinished(() => setNumThreads(before));
    // 4 more layers of 7000 x 192 gate gradients, twice (reset-after), would be 43 MB (gru_plan.h).
    const made = makeProblem(config({ inputSize: 32, hiddenSize: 64, seqLen: 1000, batch: 7, numLayers: 5, dropout: 0.2, ...seeded }), 'float32', 8);
    // Small weights keep the dynamics contracting, so 1 and 2 threads part only by rounding.
    const p = { ...made, w: made.w.map((v) => v * 0.1) };
    const one = trainedAt(p, 1);
    const runs = native.cpuInfo().sideBySideRuns;
    const two = trainedAt(p, 2);
    expect(native.cpuInfo().sideBySideRuns).toBeGreaterThan(runs);
    expectClose(two.y, one.y, 1e-6, 'y');
    expectClose(two.dx, one.dx, 1e-5, 'dx');
    expectClose(two.dw, one.dw, 1e-5, 'dweights');
    expect(cachedByCall(p, 2, 'backward') - cachedByCall(p, 1, 'backward')).toBeLessThan(512 * 1024);
  });
});

describe('fast GRU kernel against the reference', () => {
  const all = [...kernelCases, ...packedCases, ...randomCases(40, 99)];
  // Note [Packed recurrent weights]: one BLAS thread runs the packed kernel for float32, more run OpenBLAS's.
  for (const [dtype, threads] of [['float64', 2], ['float32', 2], ['float32', 1]] as const) {
    const tol = dtype === 'float64' ? 1e-12 : 1e-5;
    it(`${dtype}, ${threads} BLAS thread(s): y, hN, dx, dh0 and dweights agree on ${all.length} configurations`, () => {
      const before = getNumThreads();
      setNumThreads(threads);
      onTestFinished(() => setNumThreads(before));
      all.forEach((k, index) => {
        const p = makeProblem(k.c, dtype, 1000 + index, { h0: k.h0, lengths: k.lengths, dy: k.dy, dhN: k.dhN });
        const label = `case ${index} (${describeCase(k.c, p.lengths)})`;
        const ref = forward(p, REFERENCE);
        const fast = forward(p, FAST);
        expectClose(fast.y, ref.y, tol, `${label} y`);
        expectClose(fast.hN, ref.hN, tol, `${label} hN`);
        const dwStart = uniform(p.w.length, rng(index));
        const refGrads = backward(p, REFERENCE, ref.reserve!, dwStart);
        const fastGrads = backward(p, FAST, fast.reserve!, dwStart);
        expectClose(fastGrads.dx, refGrads.dx, tol, `${label} dx`);
        expectClose(fastGrads.dh0, refGrads.dh0, tol, `${label} dh0`);
        expectClose(fastGrads.dw, refGrads.dw, tol, `${label} dweights`);
        ref.reserve!.dispose();
        fast.reserve!.dispose();
      });
    });
  }
});

// ---- (b) finite differences of the reference -----------------------------------------------

function loss(p: Problem, result: { y: number[]; hN: number[] }): number {
  let total = 0;
  result.y.forEach((v, i) => { total += v * p.dy![i]; });
  result.hN.forEach((v, i) => { total += v * p.dhN![i]; });
  return total;
}

/** Central differences of the linear functional loss(y, hN) in every element of one input. */
function numericGradient(p: Problem, key: 'x' | 'h0' | 'w', eps: number): number[] {
  const values = p[key]!;
  return values.map((v, i) => {
    const at = (delta: number): number => {
      const shifted = values.slice();
      shifted[i] = v + delta;
      return loss(p, forward({ ...p, [key]: shifted }, REFERENCE, false));
    };
    return (at(eps) - at(-eps)) / (2 * eps);
  });
}

describe('reference GRU gradients match finite differences (float64)', () => {
  const fdCases: KernelCase[] = [
    { c: config({ inputSize: 2, hiddenSize: 3, seqLen: 3, batch: 2 }) },
    { c: config({ inputSize: 2, hiddenSize: 3, seqLen: 3, batch: 2, resetAfter: false }) },
    { c: config({ inputSize: 2, hiddenSize: 3, seqLen: 4, batch: 3, bidirectional: true, resetAfter: false }), lengths: [4, 1, 2] },
    { c: config({ inputSize: 2, hiddenSize: 2, seqLen: 3, batch: 2, numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.4, ...seeded }), lengths: [3, 2] },
    { c: config({ inputSize: 2, hiddenSize: 3, seqLen: 3, batch: 3, numLayers: 2, bias: false }), lengths: [2, 3, 1] },
    { c: config({ inputSize: 1, hiddenSize: 1, seqLen: 2, batch: 2, numLayers: 3, resetAfter: false, dropout: 0.5, ...seeded }) },
    { c: config({ inputSize: 2, hiddenSize: 3, seqLen: 3, batch: 2, ...acts('relu', 'hardSigmoid') }), lengths: [3, 2] },
    { c: config({ inputSize: 2, hiddenSize: 3, seqLen: 3, batch: 2, resetAfter: false, ...acts('linear', 'hardSigmoidTfjs') }) },
    { c: config({ inputSize: 2, hiddenSize: 2, seqLen: 3, batch: 2, numLayers: 2, bidirectional: true, ...acts('sigmoid', 'tanh') }) },
  ];
  fdCases.forEach((k, index) => {
    it(describeCase(k.c, k.lengths ?? null), () => {
      const p = makeProblem(k.c, 'float64', 500 + index, { lengths: k.lengths });
      const { reserve } = forward(p, REFERENCE);
      const analytic = backward(p, REFERENCE, reserve!);
      reserve!.dispose();
      const eps = 1e-6;
      expectClose(analytic.dx, numericGradient(p, 'x', eps), 1e-7, 'dx');
      expectClose(analytic.dh0, numericGradient(p, 'h0', eps), 1e-7, 'dh0');
      expectClose(analytic.dw, numericGradient(p, 'w', eps), 1e-7, 'dweights');
    });
  });
});

// ---- semantics rebuilt from smaller runs ----------------------------------------------------

/** Rows of a [T, B, F] / [B, T, F] buffer for one batch entry, its first `steps` steps. */
function sequenceOf(data: number[], c: NativeGruConfig, features: number, b: number, steps: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < steps; t++) {
    const row = c.batchFirst ? b * c.seqLen + t : t * c.batch + b;
    out.push(...data.slice(row * features, (row + 1) * features));
  }
  return out;
}

function stateOf(data: number[], c: NativeGruConfig, b: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < c.numLayers * directions(c); s++) {
    const start = (s * c.batch + b) * c.hiddenSize;
    out.push(...data.slice(start, start + c.hiddenSize));
  }
  return out;
}

describe('GRU kernel semantics', () => {
  for (const kernel of [FAST, REFERENCE]) {
    const name = kernel === FAST ? 'fast' : 'reference';

    it.each([true, false])(`${name}: a padded batch entry equals its own unpadded run; padded outputs are zero (resetAfter %s)`, (resetAfter) => {
      const c = config({ inputSize: 2, hiddenSize: 3, seqLen: 5, batch: 3, numLayers: 2, bidirectional: true, resetAfter });
      const lengths = [2, 5, 1];
      const p = makeProblem(c, 'float64', 7, { lengths });
      const full = forward(p, kernel, false);
      const F = directions(c) * c.hiddenSize;
      lengths.forEach((len, b) => {
        const single = config({ ...c, seqLen: len, batch: 1 });
        const alone = forward({ ...p, c: single, lengths: null, x: sequenceOf(p.x, c, c.inputSize, b, len), h0: stateOf(p.h0!, c, b) }, kernel, false);
        expectClose(sequenceOf(full.y, c, F, b, len), alone.y, 1e-13, `y of entry ${b}`);
        expectClose(stateOf(full.hN, c, b), alone.hN, 1e-13, `hN of entry ${b}`);
        const padded = sequenceOf(full.y, c, F, b, c.seqLen).slice(len * F);
        expect(padded.every((v) => v === 0), `padded y of entry ${b}`).toBe(true);
      });
    });

    it(`${name}: padded input is never read, not even NaN by the batched gradient GEMMs`, () => {
      const c = config({ numLayers: 2, bidirectional: true, batchFirst: true });
      const lengths = [4, 1, 2];
      const clean = makeProblem(c, 'float64', 9, { lengths });
      const poisoned = { ...clean, x: clean.x.slice() };
      lengths.forEach((len, b) => {
        for (let t = len; t < c.seqLen; t++) {
          for (let i = 0; i < c.inputSize; i++) poisoned.x[(b * c.seqLen + t) * c.inputSize + i] = NaN;
        }
      });
      const a = forward(clean, kernel);
      const p = forward(poisoned, kernel);
      expect(p.y).toEqual(a.y);
      expect(p.hN).toEqual(a.hN);
      const ga = backward(clean, kernel, a.reserve!);
      const gp = backward(poisoned, kernel, p.reserve!);
      a.reserve!.dispose();
      p.reserve!.dispose();
      expect(gp).toEqual(ga);
    });

    it(`${name}: inter-layer dropout uses the Philox mask of Note [GRU config fields]`, () => {
      // A 3-layer GRU with dropout equals three 1-layer runs with the mask applied in between,
      // the mask of layer l's input drawn as float32 uniforms at offset + (l-1)*T*B*D*H.
      const p0 = 0.35;
      const c = config({ inputSize: 2, hiddenSize: 3, seqLen: 4, batch: 2, numLayers: 3, bidirectional: true, batchFirst: true, dropout: p0, dropoutSeedLow: 77, dropoutOffset: 12 });
      const p = makeProblem(c, 'float64', 8);
      const full = forward(p, kernel, false);
      const D = directions(c);
      const n = c.seqLen * c.batch * D * c.hiddenSize;
      let input = p.x;
      let weightStart = 0;
      const hN: number[] = [];
      for (let l = 0; l < c.numLayers; l++) {
        const layer = config({ ...c, numLayers: 1, inputSize: l === 0 ? c.inputSize : D * c.hiddenSize, dropout: 0 });
        const count = weightCount(layer);
        const stateSize = D * c.batch * c.hiddenSize;
        const run = forward({ ...p, c: layer, x: input, w: p.w.slice(weightStart, weightStart + count), h0: p.h0!.slice(l * stateSize, (l + 1) * stateSize) }, kernel, false);
        weightStart += count;
        hN.push(...run.hN);
        if (l === c.numLayers - 1) {
          expectClose(full.y, run.y, 1e-13, 'y');
          break;
        }
        const u = Tensor.empty([n]);
        native.random(u.handle, nativeConstants.distributions.uniform, BigInt(c.dropoutSeedLow), c.dropoutOffset + l * n, 0, 1);
        const draws = u.dataSync();
        u.dispose();
        input = run.y.map((v, i) => (draws[i] >= p0 ? v / (1 - p0) : 0));
      }
      expectClose(full.hN, hN, 1e-13, 'hN');
    });
  }
});

// ---- (c) accumulation, (d) inference mode ---------------------------------------------------

describe('GRU kernel modes', () => {
  for (const kernel of [FAST, REFERENCE]) {
    const name = kernel === FAST ? 'fast' : 'reference';

    it.each([true, false])(`${name}: dweights accumulate across backward calls (resetAfter %s)`, (resetAfter) => {
      const c = config({ numLayers: 2, bidirectional: true, resetAfter });
      const p = makeProblem(c, 'float64', 3, { lengths: [4, 2, 3] });
      const { reserve } = forward(p, kernel);
      const start = uniform(p.w.length, rng(4));
      const once = backward(p, kernel, reserve!, start);
      const twice = backward(p, kernel, reserve!, start, 2);
      reserve!.dispose();
      expectClose(twice.dw, once.dw.map((v, i) => 2 * v - start[i]), 1e-13, 'dweights after two calls');
      expect(twice.dx).toEqual(once.dx);  // dx and dh0 are overwritten, not accumulated
      expect(twice.dh0).toEqual(once.dh0);
    });

    it(`${name}: inference forward (no reserve) equals training forward`, () => {
      for (const [index, k] of kernelCases.entries()) {
        for (const dtype of ['float64', 'float32'] as const) {
          const p = makeProblem(k.c, dtype, 50 + index, { h0: k.h0, lengths: k.lengths });
          const training = forward(p, kernel, true);
          const inference = forward(p, kernel, false);
          training.reserve!.dispose();
          expect(inference.y, `case ${index} ${dtype} y`).toEqual(training.y);
          expect(inference.hN, `case ${index} ${dtype} hN`).toEqual(training.hN);
        }
      }
    });
  }

  it('a training forward returns the reserve its kernel sized; backward refuses another one', () => {
    const c = config({ numLayers: 2, bidirectional: true });
    const p = makeProblem(c, 'float64', 11);
    const fast = forward(p, FAST);
    const reference = forward(p, REFERENCE);
    expect(fast.reserve!.numel).toBeGreaterThan(0);
    expect(reference.reserve!.numel).toBeGreaterThan(0);
    expect(forward(p, FAST, false).reserve).toBeNull();
    const wrong = Tensor.zeros([fast.reserve!.numel + 1], { dtype: 'float64' });
    expect(() => backward(p, FAST, wrong)).toThrow(/reserve has \d+ elements but this call needs \d+/);
    for (const t of [fast.reserve, reference.reserve, wrong]) t!.dispose();
  });
});

// ---- (e) bad input ---------------------------------------------------------------------------

describe('GRU bindings reject bad input with typed errors', () => {
  const c = config({ numLayers: 2 });
  const make = (dtype: FloatDType = 'float32') => ({
    x: Tensor.zeros(xShape(c), { dtype }),
    w: Tensor.zeros([weightCount(c)], { dtype }),
  });
  const t = make();
  type Args = 'config' | 'x' | 'h0' | 'w' | 'lengths' | 'training' | 'kernel';
  const run = (overrides: Partial<Record<Args, unknown>>) => () => {
    const a = { config: packGruConfig(c) as unknown, x: t.x.handle, h0: null, w: t.w.handle, lengths: null, training: true, kernel: FAST, ...overrides };
    const [y, hN, , reserve] = (native.gruForward as (...args: unknown[]) => ReturnType<typeof native.gruForward>)(a.config, a.x, a.h0, a.w, a.lengths, a.training, a.kernel);
    for (const h of [y, hN, reserve]) h?.release();
  };

  it('wrong element counts are ShapeErrors naming the argument', () => {
    expect(run({ x: Tensor.zeros([c.seqLen, c.batch, c.inputSize + 1]).handle })).toThrow(ShapeError);
    expect(run({ x: Tensor.zeros([c.seqLen, c.batch, c.inputSize + 1]).handle })).toThrow(/x/);
    expect(run({ h0: Tensor.zeros([1, c.batch, c.hiddenSize]).handle })).toThrow(ShapeError);
    expect(run({ w: Tensor.zeros([weightCount(c) - 1]).handle })).toThrow(/weights/);
  });

  it('mixed or non-float dtypes are DTypeErrors', () => {
    const wide = make('float64');
    expect(run({ w: wide.w.handle })).toThrow(DTypeError);
    expect(run({ x: Tensor.zeros(xShape(c), { dtype: 'int32' }).handle })).toThrow(DTypeError);
  });

  it('bad config, kernel, lengths or arguments are ArgumentErrors', () => {
    expect(run({ kernel: 2 })).toThrow(ArgumentError);
    expect(run({ config: packGruConfig({ ...c, hiddenSize: 0 }) })).toThrow(/config\)\.hiddenSize must be an integer in \[1/);
    expect(run({ config: packGruConfig({ ...c, dropout: 1.5 }) })).toThrow(ArgumentError);
    expect(run({ config: packGruConfig({ ...c, inputSize: 2.5 }) })).toThrow(ArgumentError);
    const notBoolean = packGruConfig(c);
    notBoolean[8] = 2;
    expect(run({ config: notBoolean })).toThrow(/batchFirst/);
    expect(run({ config: packGruConfig(c).subarray(1) })).toThrow(new RegExp(`Float64Array of ${CONFIG_FIELDS} fields`));
    const fieldIndex = (name: string) => nativeConstants.gruConfigFields.findIndex((f) => f.name === name);
    const notBooleanTF32 = packGruConfig(c);
    notBooleanTF32[fieldIndex('allowTF32')] = 0.5;
    expect(run({ config: notBooleanTF32 })).toThrow(/allowTF32/);
    const unknownActivation = packGruConfig(c);
    unknownActivation[fieldIndex('activation')] = 6;
    expect(run({ config: unknownActivation })).toThrow(/activation must be an integer in \[0, 5\], got 6/);
    expect(run({ config: c })).toThrow(ArgumentError);
    expect(run({ config: null })).toThrow(ArgumentError);
    expect(run({ x: {} })).toThrow(ArgumentError);
    expect(run({ training: 1 })).toThrow(ArgumentError);
    expect(run({ lengths: Int32Array.from([1, 2]) })).toThrow(/batch = 3 entries/);
    expect(run({ lengths: Float32Array.from([1, 2, 3]) })).toThrow(/Int32Array/);
    expect(run({ lengths: Int32Array.from([0, 1, 2]) })).toThrow(/lengths\)\[0\] = 0 is outside \[1, seqLen = 4\]/);
    expect(run({ lengths: Int32Array.from([1, c.seqLen + 1, 2]) })).toThrow(ArgumentError);
    expect(() => (native.gruBackward as (...args: unknown[]) => unknown)(packGruConfig(c), t.x.handle, null, t.w.handle, null, null,
      null, null, null, true, true, t.w.handle, FAST)).toThrow(ArgumentError);
  });

  it('a call too large for 32-bit BLAS is refused before anything is allocated, naming the limit', () => {
    const huge = packGruConfig({ ...c, seqLen: 2 ** 20, batch: 2 ** 12 });
    expect(run({ config: huge })).toThrow(/seqLen \* batch = 4294967296 rows exceed 32-bit BLAS dimensions/);
    const strided = packGruConfig({ ...c, seqLen: 2 ** 20, batch: 1, hiddenSize: 2 ** 10, batchFirst: true });
    expect(run({ config: strided })).toThrow(/batch-first steps are strided/);
  });

  it('a disposed tensor is a DisposedError', () => {
    const gone = Tensor.zeros(xShape(c));
    const handle = gone.handle;
    gone.dispose();
    expect(run({ x: handle })).toThrow(DisposedError);
  });

  it('gruWeightCount is the flat layout\'s count, in O(1) for a million layers', () => {
    expect(native.gruWeightCount(packGruConfig(c))).toBe(weightCount(c));
    const tall = config({ numLayers: 1e6, inputSize: 2, hiddenSize: 1 });
    expect(native.gruWeightCount(packGruConfig(tall))).toBe(weightCount(tall));
  });
});
