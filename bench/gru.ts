/**
 * CPU benchmark: gru-native's GRU against PyTorch and oneDNN's lbr_gru (optional peers, the latter
 * built from bench/peers/onednn_gru.cc when libdnnl-dev is installed), at 1 and 2 threads.
 *
 *   npm run bench                      # full run, writes bench/results/gru-cpu.json
 *   npm run bench -- --quick           # fewer repeats, for trying the harness
 *   npm run bench -- --threads 1 --no-torch --no-onednn --out /tmp/gru.json
 *   npm run bench -- --device cuda     # the GPU benchmark (bench/gru-cuda.ts), gru-cuda.json
 *
 * Each thread count runs in a fresh child process of this file (--worker), and so does each
 * torch run, so thread pools never mix. The parent validates numerics against torch on a tiny
 * case first, then collects the children's JSON into one table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { runDeviceBench } from './gru-cuda';
import type { DeviceWorkerConfig } from './gru-device-worker';
import { STEP_COPY_OPS, type Op, type Scenario, type StepScenario, type WorkerConfig, type WorkerReport } from './gru-worker';
import { gflops, gruForwardBackwardFlops, gruForwardFlops, type GruShape } from './lib/flops';
import { gitCommit, hostInfo, type HostInfo } from './lib/machine';
import { pinOpenblasCore } from './lib/openblas-core';
import { measureReadBandwidth, type BandwidthResult } from './lib/bandwidth';
import { buildOnednnPeer, runOnednn, type OnednnReport } from './lib/onednn';
import { probe, runJsonChild } from './lib/peer';
import { fmt, formatTable, writeJson, type Cell } from './lib/report';
import { checkAgainstTorch } from './lib/torch-check';
import type { Stats, TimingOptions } from './lib/timing';

const PYTHON = '/usr/bin/python3'; // Debian's python3-torch, not whatever python3 PATH finds first
const TORCH_PEER = join(__dirname, 'peers', 'torch_gru.py');
// Debian's torch runs OpenMP (libgomp) over a pthreads OpenBLAS: with the default spinning wait
// policy the idle OpenMP threads and OpenBLAS's workers fight over 2 cores and torch gets 3-7x
// slower at 2 threads. PASSIVE is torch's best setup here (no effect at 1 thread).
const TORCH_ENV = { OMP_WAIT_POLICY: 'PASSIVE' };

// Repeats sized so a full run takes a few minutes on 2 cores (L forward+backward is ~seconds).
interface Plan {
  gru: Scenario[];
  step: StepScenario;
  sgemm: TimingOptions;
}

function scenarios(quick: boolean): Plan {
  const r = (warmup: number, repeats: number) => (quick ? { warmup: Math.min(warmup, 1), repeats: 2 } : { warmup, repeats });
  return {
    gru: [
      { name: 'S', seq: 100, batch: 64, input: 128, hidden: 256, layers: 1, forward: r(2, 15), forwardBackward: r(1, 10) },
      { name: 'L', seq: 200, batch: 32, input: 512, hidden: 512, layers: 2, forward: r(1, 7), forwardBackward: r(1, 5) },
      // A batch too small to split over threads: at 2 threads its layers run as a wavefront.
      { name: 'M', seq: 100, batch: 4, input: 256, hidden: 256, layers: 4, forward: r(3, 20), forwardBackward: r(2, 15) },
    ],
    // Steps are cheap and noisy: many repeats (about a second each at 40 us).
    step: { name: '1', input: 256, hidden: 256, ...(quick ? { warmup: 20, repeats: 500 } : { warmup: 2000, repeats: 20000 }) },
    sgemm: r(2, 20),
  };
}

interface TorchReport {
  torch: string;
  threads: number;
  results: (Stats & { scenario: string; op: Op })[];
}

function shapeOf(s: Scenario | StepScenario): GruShape {
  return 'seq' in s ? s : { seq: 1, batch: 1, input: s.input, hidden: s.hidden, layers: 1 };
}

function describeShape(s: GruShape): string {
  return `T=${s.seq} B=${s.batch} I=${s.input} H=${s.hidden} L=${s.layers}`;
}

/** Runs this file again as a worker; process.execArgv carries the tsx loader. */
function spawnSelf<T>(threads: number, mode: string[], config?: WorkerConfig): T {
  return runJsonChild<T>(process.execPath, [...process.execArgv, __filename, ...mode, '--threads', String(threads)],
    { threads, input: config && JSON.stringify(config) });
}

interface Collected {
  workers: WorkerReport[];
  torchRuns: Map<number, TorchReport>;
  onednnRuns: Map<number, OnednnReport>;
}

/** Fresh children per thread count: gru-native, then torch, then oneDNN (alternating keeps drift fair). */
function collect(threadCounts: number[], plan: Plan, torch: boolean, onednn: string | null): Collected {
  const workers: WorkerReport[] = [];
  const torchRuns = new Map<number, TorchReport>();
  const onednnRuns = new Map<number, OnednnReport>();
  for (const threads of threadCounts) {
    console.error(`threads ${threads}: gru-native`);
    workers.push(spawnSelf<WorkerReport>(threads, ['--worker'], { threads, scenarios: plan.gru, step: plan.step, sgemm: plan.sgemm }));
    if (torch) {
      console.error(`threads ${threads}: torch`);
      torchRuns.set(threads, runJsonChild<TorchReport>(PYTHON, [TORCH_PEER, JSON.stringify({ threads, scenarios: plan.gru, step: plan.step })], { threads, env: TORCH_ENV }));
    }
    if (onednn) {
      console.error(`threads ${threads}: oneDNN`);
      onednnRuns.set(threads, runOnednn(onednn, threads, plan.gru, plan.step));
    }
  }
  return { workers, torchRuns, onednnRuns };
}

/** One row per planned (threads, scenario, op); either side may be missing (no kernels, no torch). */
const isStep = (op: Op): boolean => op === 'step' || (STEP_COPY_OPS as readonly Op[]).includes(op);

/** Each step's bound: its weight bytes over the read bandwidth of a buffer that size (one core). */
function stepLimit(bytes: number | undefined, bandwidth: BandwidthResult[]) {
  const measured = bytes === undefined ? undefined : bandwidth.find((b) => Math.abs(b.bytes - bytes) <= 1024);
  if (bytes === undefined || !measured) return { weightBytes: bytes ?? null, readGbPerS: null, limitMs: null };
  return { weightBytes: bytes, readGbPerS: measured.gbPerS, limitMs: bytes / (measured.gbPerS * 1e9) * 1e3 };
}

/** One row per planned (threads, scenario, op); either side may be missing (no kernels, no torch). */
function combine(threadCounts: number[], plan: Plan, { workers, torchRuns, onednnRuns }: Collected, bandwidth: BandwidthResult[]) {
  const steps: [StepScenario, Op][] = (['step', ...STEP_COPY_OPS] as const).map((op) => [plan.step, op]);
  const planned: [Scenario | StepScenario, Op][] = [
    ...plan.gru.flatMap((s) => [[s, 'forward'], [s, 'forwardBackward'], [s, 'forwardBackwardDx']] as [Scenario, Op][]), ...steps];
  return threadCounts.flatMap((threads) => planned.map(([s, op]) => {
    const shape = shapeOf(s);
    const worker = workers.find((w) => w.threads === threads);
    const ours = worker?.results.find((r) => r.scenario === s.name && r.op === op);
    // The peers' step is the same work as a step from an inference copy; oneDNN's backward always
    // computes the input gradient, so it is compared with forwardBackwardDx only.
    const peerOp = isStep(op) ? 'step' : op;
    const dnnlOp = isStep(op) ? 'step' : op === 'forwardBackwardDx' ? 'forwardBackward' : op === 'forward' ? 'forward' : null;
    const peer = torchRuns.get(threads)?.results.find((t) => t.scenario === s.name && t.op === peerOp);
    const dnnl = onednnRuns.get(threads)?.results.find((t) => t.scenario === s.name && t.op === dnnlOp);
    const limit = isStep(op) ? stepLimit(ours?.weightBytes, bandwidth) : null;
    const flops = op === 'forwardBackward' ? gruForwardBackwardFlops(shape, false) : op === 'forwardBackwardDx' ? gruForwardBackwardFlops(shape, true) : gruForwardFlops(shape);
    const achieved = ours ? gflops(flops, ours.medianMs) : null;
    return {
      scenario: s.name, shape: describeShape(shape), threads, op,
      medianMs: ours?.medianMs ?? null, minMs: ours?.minMs ?? null, p90Ms: ours?.p90Ms ?? null, repeats: ours?.repeats ?? 0,
      leakedTensors: ours?.leakedTensors ?? 0,
      torchMedianMs: peer?.medianMs ?? null, torchMinMs: peer?.minMs ?? null, torchP90Ms: peer?.p90Ms ?? null,
      ratioVsTorch: peer && ours ? peer.medianMs / ours.medianMs : null,
      onednnMedianMs: dnnl?.medianMs ?? null, onednnP90Ms: dnnl?.p90Ms ?? null,
      ratioVsOnednn: dnnl && ours ? dnnl.medianMs / ours.medianMs : null,
      gflops: achieved, fractionOfPeak: achieved !== null && worker ? achieved / worker.sgemmPeakGflops : null,
      torchGflops: peer ? gflops(flops, peer.medianMs) : null,
      // Steps only (null otherwise): the bytes read, the bandwidth at that size, the bound, and ours over it.
      weightBytes: limit?.weightBytes ?? null, readGbPerS: limit?.readGbPerS ?? null, limitMs: limit?.limitMs ?? null,
      ratioToLimit: limit?.limitMs != null && ours ? ours.medianMs / limit.limitMs : null,
    };
  }));
}

type Row = ReturnType<typeof combine>[number];

function printReport(host: HostInfo, plan: Plan, { workers, torchRuns, onednnRuns }: Collected, results: Row[], check: string, torchNote: string,
                     onednnNote: string, bandwidth: BandwidthResult[] | string): void {
  const ms = (v: number | null, op: Op) => fmt(v, isStep(op) ? 4 : 1);
  const header = ['scenario', 'threads', 'op', 'gru-native ms', 'p90 ms', 'torch ms', 'torch/ours', 'oneDNN ms', 'oneDNN/ours', 'GFLOP/s', '% sgemm peak', 'torch GFLOP/s'];
  const rows: Cell[][] = results.map((r) => [
    r.scenario, r.threads, r.op, ms(r.medianMs, r.op), ms(r.p90Ms, r.op), torchNote ? 'n/a' : ms(r.torchMedianMs, r.op),
    fmt(r.ratioVsTorch), onednnNote ? 'n/a' : ms(r.onednnMedianMs, r.op), fmt(r.ratioVsOnednn),
    fmt(r.gflops, 1), fmt(r.fractionOfPeak === null ? null : 100 * r.fractionOfPeak, 1), fmt(r.torchGflops, 1),
  ]);
  const torchVersion = [...torchRuns.values()][0]?.torch;
  const onednnVersion = [...onednnRuns.values()][0]?.onednn;
  console.log(`\nGRU CPU benchmark: ${host.cpu}, ${host.availableCores} cores, ${host.os}, Node ${host.node}, load ${host.loadAtStart} at start`);
  console.log(`${workers[0]?.blas.openblas}${torchVersion ? `; torch ${torchVersion}` : ''}${onednnVersion ? `; oneDNN ${onednnVersion} (lbr_gru)` : ''}`);
  console.log(`float32, seq-first. ${[...plan.gru, plan.step].map((s) => `${s.name}: ${describeShape(shapeOf(s))}`).join('; ')}`);
  for (const w of workers) {
    console.log(`sgemm peak, ${w.threads} thread(s): ${fmt(w.sgemmPeakGflops, 1)} GFLOP/s, best rep (${w.sgemm.map((g) => `${g.shape}: ${fmt(g.gflops, 1)}, median ${fmt(g.medianGflops, 1)}`).join('; ')})`);
  }
  console.log(`check vs torch: ${check}`);
  if (workers.some((w) => !w.kernels)) console.log('GRU kernels are not in build/Release/gru_native.node yet: only sgemm was measured');
  console.log(`\n${formatTable(header, rows)}\n`);
  console.log('ms are medians; torch/ours > 1 means gru-native is faster. GFLOP/s counts the GEMMs only (forward+backward = 3x forward);\n% sgemm peak = median GRU GFLOP/s over the best sgemm rep at the same thread count.');
  console.log(torchNote ? `torch: ${torchNote}` : `torch runs with ${Object.entries(TORCH_ENV).map(([k, v]) => `${k}=${v}`).join(' ')} (see TORCH_ENV).`);
  console.log(onednnNote ? `oneDNN: ${onednnNote}` : 'oneDNN: lbr_gru with weights reordered once into the layout it picks; its forward+backward always computes the input gradients, so it is compared with forwardBackwardDx (about 11% more GEMM work than forwardBackward on S).');
  console.log(typeof bandwidth === 'string' ? `streaming limit: not measured (${bandwidth})`
    : `read bandwidth of one core: ${bandwidth.map((b) => `${fmt(b.bytes / 2 ** 20, 2)} MiB ${fmt(b.gbPerS, 1)} GB/s`).join(', ')}`);
  for (const r of results.filter((row) => row.limitMs !== null && row.medianMs !== null)) {
    const floor = workers.find((w) => w.threads === r.threads)?.stepCallFloorMs ?? null;
    console.log(`  ${r.op}, ${r.threads} thread(s): reads ${fmt(r.weightBytes! / 2 ** 20, 2)} MiB; limit ${fmt(r.limitMs! * 1e3, 1)} us at ${fmt(r.readGbPerS!, 1)} GB/s; ` +
      `measured ${fmt(r.medianMs! * 1e3, 1)} us = ${fmt(r.ratioToLimit!, 2)}x the limit` +
      (floor === null ? '' : `; ${fmt((r.medianMs! - floor) * 1e3, 1)} us above the ${fmt(floor * 1e3, 1)} us of a hidden-8 step's call`));
  }
  const leaks = results.filter((r) => r.leakedTensors !== 0);
  if (leaks.length) console.log(`WARNING: tensors left alive by timed loops: ${leaks.map((r) => `${r.scenario}/${r.op}/${r.threads}t: ${r.leakedTensors}`).join(', ')}`);
}


function main(): void {
  const { values } = parseArgs({
    options: {
      worker: { type: 'boolean' }, 'check-case': { type: 'boolean' }, threads: { type: 'string', default: '1,2' },
      quick: { type: 'boolean' }, 'no-torch': { type: 'boolean' }, 'no-onednn': { type: 'boolean' }, out: { type: 'string' },
      device: { type: 'string', default: 'cpu' }, 'device-worker': { type: 'boolean' },
    },
  });
  const device = values.device!;
  if (device !== 'cpu' && device !== 'cuda') throw new Error(`--device must be cpu or cuda, got ${device}`);
  if (values.worker || values['check-case'] || values['device-worker']) {
    // Only children load gru-native (and so start an OpenBLAS pool or a CUDA context).
    let report: unknown;
    if (values['device-worker']) {
      const deviceWorker = require('./gru-device-worker') as typeof import('./gru-device-worker');
      report = deviceWorker.runDeviceWorker(JSON.parse(readFileSync(0, 'utf8')) as DeviceWorkerConfig);
    } else {
      const worker = require('./gru-worker') as typeof import('./gru-worker');
      report = values.worker ? worker.runWorker(JSON.parse(readFileSync(0, 'utf8')) as WorkerConfig) : worker.checkCaseOrError(device);
    }
    process.stdout.write(JSON.stringify(report));
    return;
  }
  if (device === 'cuda') {
    runDeviceBench({ device: 'cuda', quick: values.quick ?? false, torch: !values['no-torch'], out: values.out }, gitCommit());
    return;
  }

  // Our workers would set it when loading the addon; setting it here gives torch's OpenBLAS
  // (a child too) the same kernels: Note [OpenBLAS kernel choice].
  pinOpenblasCore();
  const host = hostInfo();
  if (host.loadAtStart > 0.5) console.error(`warning: load average is ${host.loadAtStart}; other processes will skew the timings`);
  const quick = values.quick ?? false;
  const threadCounts = values.threads!.split(',').map(Number);
  if (threadCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--threads must be positive integers, got ${values.threads}`);
  const plan = scenarios(quick);
  const torch = !values['no-torch'] && probe(PYTHON, ['-c', 'import torch']);
  const torchNote = values['no-torch'] ? 'skipped (--no-torch)' : torch ? '' : `not found (${PYTHON} -c 'import torch' failed), peer skipped`;
  const check = torch ? checkAgainstTorch(PYTHON, 'cpu') : 'skipped (no torch)';
  console.error(`check: ${check}`);

  const onednnPeer = values['no-onednn'] ? { note: 'skipped (--no-onednn)' } : buildOnednnPeer();
  const onednnNote = 'note' in onednnPeer ? onednnPeer.note : '';
  const collected = collect(threadCounts, plan, torch, 'path' in onednnPeer ? onednnPeer.path : null);
  const stepBytes = [...new Set(collected.workers.flatMap((w) => w.results.flatMap((r) => (r.weightBytes === undefined ? [] : [r.weightBytes]))))];
  console.error('read bandwidth');
  const probed = stepBytes.length ? measureReadBandwidth([...stepBytes, 256 * 2 ** 20]) : { note: 'no steps were timed' };
  const bandwidth = 'results' in probed ? probed.results : [];
  const results = combine(threadCounts, plan, collected, bandwidth);
  printReport(host, plan, collected, results, check, torchNote, onednnNote, 'results' in probed ? bandwidth : probed.note);

  const { workers, torchRuns, onednnRuns } = collected;
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  const openblas = workers[0]?.blas.openblas ?? null;
  const out = values.out ?? join(__dirname, 'results', 'gru-cpu.json');
  writeJson(out, {
    machine: { ...host, openblas },
    versions: { node: process.version, gruNative: pkg.version, commit: gitCommit(), openblas, torch: [...torchRuns.values()][0]?.torch ?? null,
      onednn: [...onednnRuns.values()][0]?.onednn ?? null },
    date: new Date().toISOString(),
    quick,
    check,
    sgemmPeak: Object.fromEntries(workers.map((w) => [w.threads, w.sgemmPeakGflops])),
    sgemm: Object.fromEntries(workers.map((w) => [w.threads, w.sgemm])),
    readBandwidth: 'results' in probed ? bandwidth : { skipped: probed.note },
    stepCallFloorMs: Object.fromEntries(workers.map((w) => [w.threads, w.stepCallFloorMs])),
    openblasCoretype: process.env.OPENBLAS_CORETYPE ?? null,
    torch: torch ? { env: TORCH_ENV, threads: Object.fromEntries([...torchRuns].map(([t, r]) => [t, r.threads])) } : { skipped: torchNote },
    onednn: onednnNote ? { skipped: onednnNote } : { primitive: 'lbr_gru', forwardBackwardComputesInputGradients: true },
    results,
  });
  console.log(`\nwrote ${out}`);
}

main();
