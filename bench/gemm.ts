/**
 * Float32 GEMM benchmark: our AVX-512 kernel (Note [Our sgemm] in native/cpu/sgemm.h) against
 * OpenBLAS (the same addon under GRU_NATIVE_SGEMM=openblas) and PyTorch's torch.mm (optional
 * peer, Debian's python3-torch), each in its own process at the same thread count, on the
 * products a training step is made of.
 *
 *   node --import tsx bench/gemm.ts                 # writes bench/results/gemm-cpu.json
 *   node --import tsx bench/gemm.ts --quick --threads 1 --no-torch --out /tmp/gemm.json
 *
 * The machines are shared and noisy: the variants run in alternating rounds and each keeps its
 * lowest median, and the ratios compare runs of one invocation only.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Tensor, backends, manualSeed, setNumThreads } from '../lib/index';
import { native } from '../lib/native/binding';
import { gitCommit, hostInfo, openblasKernels } from './lib/machine';
import { pinOpenblasCore } from './lib/openblas-core';
import { runJsonChild } from './lib/peer';
import { fmt, formatTable, writeJson, type Cell } from './lib/report';
import { measure, type TimingOptions } from './lib/timing';
import { findTorchPython } from './lib/torch-python';

const TORCH_PEER = join(__dirname, 'peers', 'torch_gemm.py');

interface Shape { name: string; m: number; n: number; k: number; transA: boolean; transB: boolean }

// W is the word language model of bench/train.ts: batch 20 x 35 steps = 700 rows.
const SHAPES: Shape[] = [
  { name: 'W Linear forward', m: 700, n: 10000, k: 512, transA: false, transB: true },
  { name: 'W Linear dX', m: 700, n: 512, k: 10000, transA: false, transB: false },
  { name: 'W Linear dW', m: 10000, n: 512, k: 700, transA: true, transB: false },
  { name: 'W GRU input projection', m: 700, n: 1536, k: 512, transA: false, transB: true },
  { name: 'W GRU dW_hh', m: 1536, n: 512, k: 700, transA: true, transB: false },
  { name: 'square', m: 1024, n: 1024, k: 1024, transA: false, transB: false },
];

interface WorkerReport { kernel: string; results: { medianMs: number; minMs: number }[] }

function runWorker(threads: number, timing: TimingOptions): WorkerReport {
  setNumThreads(threads);
  manualSeed(0);
  const kernel = backends().find((b) => b.name === 'cpu')!.kernels!.sgemm;
  const results = SHAPES.map((s) => {
    const a = Tensor.randn([s.m * s.k]), b = Tensor.randn([s.k * s.n]), c = Tensor.empty([s.m * s.n]);
    const stats = measure(() => {
      native.gemm(s.transA, s.transB, s.m, s.n, s.k, 1, a.handle, b.handle, 0, c.handle);
      native.synchronize(0);
    }, timing);
    for (const t of [a, b, c]) t.dispose();
    return { medianMs: stats.medianMs, minMs: stats.minMs };
  });
  return { kernel, results };
}

type Variant = 'ours' | 'openblas' | 'torch';

function main(): void {
  const { values } = parseArgs({
    options: {
      worker: { type: 'string' }, threads: { type: 'string' }, quick: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false }, out: { type: 'string' },
    },
  });
  const timing: TimingOptions = values.quick ? { warmup: 1, repeats: 3 } : { warmup: 2, repeats: 10 };
  if (values.worker) {
    process.stdout.write(JSON.stringify(runWorker(Number(values.threads), JSON.parse(values.worker) as TimingOptions)));
    return;
  }
  pinOpenblasCore();
  const threadCounts = values.threads ? [Number(values.threads)] : [1, 2];
  const python = values['no-torch'] ? null : findTorchPython('cpu');
  if (!values['no-torch'] && !python) console.log('torch: no Python with torch (apt-get install -y python3-torch); running gru-native alone');
  const variants: Variant[] = python ? ['ours', 'openblas', 'torch'] : ['ours', 'openblas'];
  // Three rounds: a few-ms product on 2 threads meets a busy spell of this shared machine in
  // one round of two now and then (W's dW_hh once took 4.1 ms against 2.7-2.9).
  const rounds = values.quick ? 1 : 3;
  const host = hostInfo();
  const rows: Cell[][] = [];
  const runs: Record<string, unknown>[] = [];
  let torchVersion: string | null = null;
  let kernel = '';
  for (const threads of threadCounts) {
    const best: Record<Variant, number[]> = { ours: SHAPES.map(() => Infinity), openblas: SHAPES.map(() => Infinity), torch: SHAPES.map(() => Infinity) };
    for (let round = 0; round < rounds; round++) {
      for (const variant of variants) {
        let results: { medianMs: number }[];
        if (variant === 'torch') {
          const report = runJsonChild<WorkerReport & { torch: string }>(python!, [TORCH_PEER, JSON.stringify({ threads, ...timing, shapes: SHAPES })], { threads });
          torchVersion = report.torch;
          results = report.results;
        } else {
          const env: Record<string, string> = variant === 'openblas' ? { GRU_NATIVE_SGEMM: 'openblas' } : {};
          const report = runJsonChild<WorkerReport>(process.execPath, [...process.execArgv, __filename, '--worker', JSON.stringify(timing), '--threads', String(threads)], { threads, env });
          if (variant === 'ours') kernel = report.kernel;
          results = report.results;
        }
        results.forEach((r, i) => { best[variant][i] = Math.min(best[variant][i], r.medianMs); });
      }
    }
    SHAPES.forEach((s, i) => {
      const gflops = (ms: number) => (2 * s.m * s.n * s.k) / ms / 1e6;
      const ours = best.ours[i], openblas = best.openblas[i], torch = python ? best.torch[i] : null;
      const shape = `${s.m} x ${s.n} x ${s.k} ${s.transA ? 'T' : 'N'}${s.transB ? 'T' : 'N'}`;
      rows.push([s.name, shape, threads, fmt(ours, 1), fmt(gflops(ours), 1), fmt(openblas, 1), `${fmt(openblas / ours)}x`, torch === null ? '-' : fmt(torch, 1), torch === null ? '-' : `${fmt(torch / ours)}x`]);
      runs.push({ shape: s, threads, oursMs: ours, oursGflops: gflops(ours), openblasMs: openblas, openblasRatio: openblas / ours, torchMs: torch, torchRatio: torch === null ? null : torch / ours });
    });
  }
  console.log(`\ncpu: ${host.cpu}, ${host.availableCores} cores, node ${host.node}, ${openblasKernels(host)}; our kernel here: ${kernel}`);
  console.log(formatTable(['product', 'm x n x k', 'threads', 'ours ms', 'GFLOP/s', 'OpenBLAS ms', 'OpenBLAS/ours', 'torch ms', 'torch/ours'], rows));
  console.log(`ms are the lower of ${rounds} medians of ${timing.repeats}; a ratio > 1 means ours is faster.`);
  const out = values.out ?? join(__dirname, 'results', 'gemm-cpu.json');
  const openblas = backends().find((b) => b.name === 'cpu')!.version?.openblas ?? null;
  writeJson(out, {
    benchmark: 'gemm-cpu', date: new Date().toISOString(), host, quick: values.quick, kernel,
    versions: { node: process.version, commit: gitCommit(), openblas, torch: torchVersion },
    timing: { ...timing, rounds }, runs,
  });
  console.log(`\nwrote ${out}`);
}

main();
