/**
 * The CPU's float32 GEMM (native/cpu/sgemm.h, Note [Our sgemm]) through the gemm binding: every
 * transpose combination, alpha and beta, shapes that cross each blocking boundary (depth blocks
 * of 512, row blocks of 1008, column blocks of 256, B packed whole or by blocks) with ragged edges, and the column bias a
 * Linear layer adds, against OpenBLAS's float64 product of the same values; the same bits at one
 * and two threads; and the switch back to OpenBLAS.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';

import { backends, getNumThreads, setNumThreads } from '../lib/backends';
import { ArgumentError, DTypeError, ShapeError } from '../lib/errors';
import { checkSgemmChoice, native } from '../lib/native/binding';
import { Tensor } from '../lib/tensor';
import { mulberry32 } from '../lib/train/shuffle';
import { runChild } from './helpers/child';

function cpuHasAvx512(): boolean {
  try {
    return /^flags\s*:.*\bavx512f\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

const NATIVE_SGEMM = cpuHasAvx512() && process.env.GRU_NATIVE_SGEMM !== 'openblas';

function uniform(count: number, seed: number): Float64Array {
  const next = mulberry32(seed);
  return Float64Array.from({ length: count }, () => Math.fround(2 * next() - 1));
}

interface Product { transA: boolean; transB: boolean; m: number; n: number; k: number; alpha: number; beta: number }

/**
 * C after gemm on float32 tensors, and the float64 product of the same values as the reference;
 * with `bias`, a column bias is added through the gemm binding too.
 */
function runBoth(p: Product, seed: number, initialC?: number, bias = false): { float32: Float32Array; float64: Float64Array } {
  const a = uniform(p.m * p.k, seed), b = uniform(p.k * p.n, seed + 1);
  const c = initialC === undefined ? uniform(p.m * p.n, seed + 2) : new Float64Array(p.m * p.n).fill(initialC);
  const columnBias = uniform(p.n, seed + 3);
  const results = (['float32', 'float64'] as const).map((dtype) => {
    const [ta, tb, tc, tBias] = [a, b, c, columnBias].map((values) => Tensor.from(Array.from(values), undefined, { dtype }));
    native.gemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, ta.handle, tb.handle, p.beta, tc.handle, 1, 0, 0, 0, bias ? tBias.handle : null);
    const out = tc.dataSync();
    for (const t of [ta, tb, tc, tBias]) t.dispose();
    return out;
  });
  return { float32: results[0] as Float32Array, float64: results[1] as Float64Array };
}

/** The largest error relative to the sum of |terms| each element adds, which bounds float32 rounding. */
function worstError(p: Product, float32: Float32Array, float64: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < float64.length; i++) {
    const error = Math.abs(float32[i] - float64[i]) / (Math.abs(p.alpha) * p.k + Math.abs(p.beta) + 2);
    if (!(error <= worst)) worst = error; // NaN makes worst NaN
  }
  return worst;
}

// Each crosses a blocking boundary with a ragged edge: m % 14, n % 32 and k % 16 are not 0.
const SHAPES: Array<[number, number, number, string]> = [
  [70, 97, 530, 'two depth blocks'],
  [1020, 70, 45, 'two row blocks'],
  [400, 70, 90, 'a transposed A copied in a full pass of 24 panels and a ragged one'],
  [60, 300, 130, 'two column blocks'],
  [113, 129, 257, 'one block of each'],
  [60, 1100, 40, 'a B too wide to pack whole'],
];

describe('float32 GEMM on the CPU', () => {
  it('reports which kernel runs large float32 products', () => {
    const cpu = backends().find((b) => b.name === 'cpu')!;
    expect(cpu.kernels!.sgemm).toBe(NATIVE_SGEMM ? 'gru-native AVX-512' : 'OpenBLAS');
  });

  /** Runs the test at `threads` threads (products below 2^25 multiply-adds take our kernel only at one). */
  function atThreads(threads: number): void {
    const before = getNumThreads();
    onTestFinished(() => setNumThreads(before));
    setNumThreads(threads);
  }

  for (const [m, n, k, what] of SHAPES) {
    it(`matches the float64 product over ${what} (${m} x ${n} x ${k}), every transpose, alpha and beta`, () => {
      atThreads(1);
      let seed = 1;
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [alpha, beta] of [[1, 0], [1.5, 0.5], [-0.75, 1]]) {
            const p = { transA, transB, m, n, k, alpha, beta };
            const { float32, float64 } = runBoth(p, (seed += 3));
            expect(worstError(p, float32, float64), JSON.stringify(p)).toBeLessThan(2e-6);
          }
        }
      }
    });
  }

  it('matches the float64 product split over two threads, every transpose', () => {
    atThreads(2);
    let seed = 20;
    for (const [m, n, k] of [[330, 200, 520], [150, 470, 490]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const p = { transA, transB, m, n, k, alpha: 1.25, beta: -0.5 };
          const { float32, float64 } = runBoth(p, (seed += 3));
          expect(worstError(p, float32, float64), JSON.stringify(p)).toBeLessThan(2e-6);
        }
      }
    }
  });

  it('adds a column bias once, whatever the depth blocks, threads or kernel', () => {
    // 2 depth blocks at one thread (ours); split at two threads (ours); too small for ours (OpenBLAS).
    for (const [threads, m, n, k] of [[1, 70, 97, 530], [2, 330, 200, 520], [1, 20, 30, 40]]) {
      atThreads(threads);
      for (const beta of [0, 0.5]) {
        const p = { transA: false, transB: true, m, n, k, alpha: 1, beta };
        const { float32, float64 } = runBoth(p, 60, undefined, true);
        expect(worstError(p, float32, float64), JSON.stringify({ threads, ...p })).toBeLessThan(2e-6);
      }
    }
    const [a, b, c] = [Tensor.ones([6]), Tensor.ones([6]), Tensor.zeros([4])];
    const wrongLength = Tensor.ones([3]), wrongDType = Tensor.ones([2], { dtype: 'float64' });
    expect(() => native.gemm(false, false, 2, 2, 3, 1, a.handle, b.handle, 0, c.handle, 1, 0, 0, 0, wrongLength.handle)).toThrow(ShapeError);
    expect(() => native.gemm(false, false, 2, 2, 3, 1, a.handle, b.handle, 0, c.handle, 1, 0, 0, 0, wrongLength.handle)).toThrow(/bias must have n = 2 elements, got 3/);
    expect(() => native.gemm(false, false, 2, 2, 3, 1, a.handle, b.handle, 0, c.handle, 1, 0, 0, 0, wrongDType.handle)).toThrow(DTypeError);
    for (const t of [a, b, c, wrongLength, wrongDType]) t.dispose();
  });

  it('never reads C when beta is 0 (NaN in C does not reach the product)', () => {
    atThreads(1);
    const p = { transA: false, transB: true, m: 64, n: 96, k: 400, alpha: 1, beta: 0 };
    const { float32, float64 } = runBoth(p, 40, Number.NaN);
    expect(worstError(p, float32, float64)).toBeLessThan(2e-6);
  });

  it.skipIf(!NATIVE_SGEMM)('gives the same bits on one and two threads, split by rows or by columns', () => {
    atThreads(1);
    // Large enough to split at two threads: m > n splits rows, n >= m splits columns.
    for (const [m, n, k] of [[900, 300, 200], [200, 900, 200]]) {
      const p = { transA: false, transB: true, m, n, k, alpha: 1, beta: 0.5 };
      setNumThreads(1);
      const one = runBoth(p, 50).float32;
      setNumThreads(2);
      const two = runBoth(p, 50).float32;
      expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), `${m} x ${n} x ${k}`).toBe(true);
    }
  });

  it('goes back to OpenBLAS under GRU_NATIVE_SGEMM=openblas, and refuses other values', () => {
    const run = (value: string) => runChild('process.stdout.write(gn.backends()[0].kernels.sgemm)', { env: { ...process.env, GRU_NATIVE_SGEMM: value } });
    const openblas = run('openblas');
    expect(openblas.stderr).toBe('');
    expect(openblas.stdout).toBe('OpenBLAS');
    expect(run('native').stdout).toBe(cpuHasAvx512() ? 'gru-native AVX-512' : 'OpenBLAS');
    expect(() => checkSgemmChoice({ GRU_NATIVE_SGEMM: 'OpenBLAS' })).toThrow(ArgumentError);
    expect(() => checkSgemmChoice({ GRU_NATIVE_SGEMM: 'OpenBLAS' })).toThrow(/GRU_NATIVE_SGEMM must be 'openblas' or 'native' \(or unset\), got "OpenBLAS"/);
    expect(run('blis').stderr).toMatch(/ArgumentError: GRU_NATIVE_SGEMM must be 'openblas' or 'native'/);
  });
});
