/**
 * GPU benchmark (`bench/gru.ts --device cuda`): gru-native's cuDNN GRU against torch.nn.GRU on
 * the same GPU in the same run, float32 with full (FMA) math and with TF32, forward and
 * forward+backward, for shapes S and L of the CPU benchmark plus XL. Our side and torch's each
 * run in a fresh child process; every rep waits for the device. Target: torch/ours >= 0.95.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

import type { Device } from '../lib/dtype';
import type { DeviceOp, DeviceWorkerConfig, DeviceWorkerReport, MathMode } from './gru-device-worker';
import type { Scenario } from './gru-worker';
import { gflops, gruForwardBackwardFlops, gruForwardFlops } from './lib/flops';
import { hostInfo, type HostInfo } from './lib/machine';
import { runJsonChild } from './lib/peer';
import { fmt, formatTable, writeJson, type Cell } from './lib/report';
import { checkAgainstTorch } from './lib/torch-check';
import { findTorchPython } from './lib/torch-python';
import type { Stats } from './lib/timing';

const TORCH_PEER = join(__dirname, 'peers', 'torch_gru_device.py');
const BENCH_ENTRY = join(__dirname, 'gru.ts');
const TARGET_RATIO = 0.95; // "within 5% of PyTorch's cuDNN GRU time, or faster"
const CHILD_TIMEOUT_MS = 30 * 60_000;
const MATHS: MathMode[] = ['fma', 'tf32'];

export interface DeviceBenchOptions {
  /** 'cuda' for the real run; 'cpu' only exercises the harness (tiny scenarios, see test/gpu). */
  device: Device;
  quick: boolean;
  torch: boolean;
  out?: string;
  scenarios?: Scenario[];
}

function scenarios(quick: boolean): Scenario[] {
  const r = (warmup: number, repeats: number) => (quick ? { warmup: 1, repeats: 2 } : { warmup, repeats });
  return [
    { name: 'S', seq: 100, batch: 64, input: 128, hidden: 256, layers: 1, forward: r(5, 30), forwardBackward: r(3, 20) },
    { name: 'L', seq: 200, batch: 32, input: 512, hidden: 512, layers: 2, forward: r(3, 20), forwardBackward: r(2, 15) },
    { name: 'XL', seq: 500, batch: 256, input: 1024, hidden: 1024, layers: 2, forward: r(2, 10), forwardBackward: r(1, 8) },
  ];
}

function spawnBench<T>(args: string[], threads: number, input?: string): T {
  return runJsonChild<T>(process.execPath, [...process.execArgv, BENCH_ENTRY, ...args], { threads, input, timeoutMs: CHILD_TIMEOUT_MS });
}

interface TorchDeviceReport {
  torch: string;
  cuda: string | null;
  cudnn: number | null;
  deviceName: string | null;
  results: (Stats & { scenario: string; math: MathMode; op: DeviceOp })[];
}

function combine(plan: Scenario[], ours: DeviceWorkerReport, torch: TorchDeviceReport | null) {
  return plan.flatMap((s) => MATHS.flatMap((math) => (['forward', 'forwardBackward'] as DeviceOp[]).map((op) => {
    const mine = ours.results.find((r) => r.scenario === s.name && r.math === math && r.op === op);
    const peer = torch?.results.find((r) => r.scenario === s.name && r.math === math && r.op === op);
    // cuDNN's backward-data always computes dx (into scratch when it is not needed).
    const flops = op === 'forwardBackward' ? gruForwardBackwardFlops(s, true) : gruForwardFlops(s);
    const ratio = peer && mine ? peer.medianMs / mine.medianMs : null;
    return {
      scenario: s.name, shape: `T=${s.seq} B=${s.batch} I=${s.input} H=${s.hidden} L=${s.layers}`, math, op,
      medianMs: mine?.medianMs ?? null, minMs: mine?.minMs ?? null, p90Ms: mine?.p90Ms ?? null, repeats: mine?.repeats ?? 0,
      leakedTensors: mine?.leakedTensors ?? 0,
      sequencesPerSecond: mine ? s.batch / (mine.medianMs / 1000) : null,
      tflops: mine ? gflops(flops, mine.medianMs) / 1000 : null,
      torchMedianMs: peer?.medianMs ?? null, torchMinMs: peer?.minMs ?? null, torchP90Ms: peer?.p90Ms ?? null,
      torchTflops: peer ? gflops(flops, peer.medianMs) / 1000 : null,
      ratioVsTorch: ratio,
      meetsTarget: ratio === null ? null : ratio >= TARGET_RATIO,
    };
  })));
}

type Row = ReturnType<typeof combine>[number];

function printReport(host: HostInfo, ours: DeviceWorkerReport, torch: TorchDeviceReport | null, rows: Row[], check: string, torchNote: string): void {
  const cuda = ours.backend;
  const device = cuda?.devices?.[0];
  console.log(`\nGRU ${ours.device} benchmark: ${device ? JSON.stringify(device) : ours.device}; host ${host.cpu}, Node ${host.node}`);
  console.log(`gru-native libraries: ${JSON.stringify(cuda?.version ?? {})}; cuDNN weight routes: ${JSON.stringify(ours.weightRoutes)}`);
  if (torch) console.log(`torch ${torch.torch}, CUDA ${torch.cuda}, cuDNN ${torch.cudnn}, ${torch.deviceName}`);
  console.log(`float32, seq-first; loss = sum(output) + sum(hN). check vs torch: ${check}`);
  const header = ['scenario', 'math', 'op', 'gru-native ms', 'p90 ms', 'torch ms', 'torch/ours', 'seq/s', 'TFLOP/s', 'torch TFLOP/s'];
  const cells: Cell[][] = rows.map((r) => [
    r.scenario, r.math, r.op, fmt(r.medianMs, 2), fmt(r.p90Ms, 2), fmt(r.torchMedianMs, 2), fmt(r.ratioVsTorch),
    fmt(r.sequencesPerSecond, 0), fmt(r.tflops, 2), fmt(r.torchTflops, 2),
  ]);
  console.log(`\n${formatTable(header, cells)}\n`);
  console.log(`ms are medians; torch/ours > 1 means gru-native is faster; target torch/ours >= ${TARGET_RATIO}. TFLOP/s counts the GEMMs only.`);
  if (torchNote) console.log(`torch: ${torchNote}`);
  const missed = rows.filter((r) => r.meetsTarget === false);
  if (missed.length) console.log(`below target: ${missed.map((r) => `${r.scenario}/${r.math}/${r.op} ${fmt(r.ratioVsTorch)}`).join(', ')}`);
  const leaks = rows.filter((r) => r.leakedTensors !== 0);
  if (leaks.length) console.log(`WARNING: tensors left alive by timed loops: ${leaks.map((r) => `${r.scenario}/${r.math}/${r.op}: ${r.leakedTensors}`).join(', ')}`);
}

export function runDeviceBench(options: DeviceBenchOptions, commit: string | null): void {
  const { device } = options;
  const host = hostInfo();
  const plan = options.scenarios ?? scenarios(options.quick);
  const threads = Math.min(4, host.availableCores);
  const python = options.torch ? findTorchPython(device) : null;
  const torchNote = !options.torch ? 'skipped (--no-torch)' : python ? '' : `no Python whose torch can use ${device} (set TORCH_PYTHON), peer skipped`;
  const check = python ? checkAgainstTorch(python, device) : `skipped (no torch for ${device})`;
  console.error(`check: ${check}`);

  console.error(`${device}: gru-native`);
  const config: DeviceWorkerConfig = { device, scenarios: plan, maths: MATHS };
  const ours = spawnBench<DeviceWorkerReport>(['--device-worker'], threads, JSON.stringify(config));
  let torch: TorchDeviceReport | null = null;
  if (python) {
    console.error(`${device}: torch`);
    torch = runJsonChild<TorchDeviceReport>(python, [TORCH_PEER, JSON.stringify(config)], { threads, timeoutMs: CHILD_TIMEOUT_MS });
  }
  const rows = combine(plan, ours, torch);
  printReport(host, ours, torch, rows, check, torchNote);

  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  const out = options.out ?? join(__dirname, 'results', device === 'cuda' ? 'gru-cuda.json' : 'gru-device-harness.json');
  writeJson(out, {
    machine: { ...host, gpu: ours.backend?.devices ?? null },
    versions: { node: process.version, gruNative: pkg.version, commit, libraries: ours.backend?.version ?? null,
                torch: torch?.torch ?? null, torchCuda: torch?.cuda ?? null, torchCudnn: torch?.cudnn ?? null },
    date: new Date().toISOString(),
    quick: options.quick,
    check,
    targetRatio: TARGET_RATIO,
    weightRoutes: ours.weightRoutes,
    torch: torch ? { python, deviceName: torch.deviceName } : { skipped: torchNote },
    results: rows,
  });
  console.log(`\nwrote ${out}`);
}
