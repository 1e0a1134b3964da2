/**
 * Training-step benchmark: gru-native against PyTorch (optional peer, Debian's python3-torch) on
 * the word language model (W: Embedding 10000x300, GRU 300->512 x2, Linear 512->10000, batch
 * 20, 35 steps of truncated BPTT) and a sequence classifier (C: GRU 128->64 -> GRU 64->32 ->
 * Linear 32->1 with binaryCrossEntropyWithLogits, batch 32, 100 steps), at 1 and 2 threads.
 *
 *   node --import tsx bench/train.ts                 # writes bench/results/train-cpu.json
 *   node --import tsx bench/train.ts --quick --threads 1 --no-torch --out /tmp/train.json
 *   node --import tsx bench/train.ts --device cuda   # on a GPU machine: train-cuda.json, torch on the same GPU
 *
 * Every (threads, scenario, framework) runs in a fresh child process, so thread pools never mix
 * and peak RSS is the scenario's own.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { backends, type Device } from '../lib/index';
import { hostInfo, openblasKernels } from './lib/machine';
import { pinOpenblasCore } from './lib/openblas-core';
import { runJsonChild } from './lib/peer';
import { fmt, formatTable, writeJson, type Cell } from './lib/report';
import { findTorchPython } from './lib/torch-python';
import { runTrainWorker, type TrainScenario, type TrainWorkerReport } from './train-worker';

const TORCH_PEER = join(__dirname, 'peers', 'torch_train.py');
const TORCH_ENV = { OMP_WAIT_POLICY: 'PASSIVE' };  // see bench/gru.ts

type Result = TrainWorkerReport['results'][number];

function plan(quick: boolean): TrainScenario[] {
  return [
    { name: 'W', warmup: 1, repeats: quick ? 2 : 8 },
    { name: 'C', warmup: quick ? 1 : 2, repeats: quick ? 3 : 15 },
  ];
}

function main(): void {
  const { values } = parseArgs({
    options: {
      worker: { type: 'string' }, threads: { type: 'string' }, quick: { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false }, out: { type: 'string' }, device: { type: 'string', default: 'cpu' },
    },
  });
  const device = values.device as Device;
  if (device !== 'cpu' && device !== 'cuda') throw new Error(`--device must be cpu or cuda, got ${device}`);
  if (values.worker) {
    process.stdout.write(JSON.stringify(runTrainWorker(Number(values.threads), JSON.parse(values.worker), device)));
    return;
  }
  const backend = backends().find((b) => b.name === device)!;
  if (!backend.available) {
    console.error(`bench/train.ts: the ${device} backend is not available here: ${backend.reason}`);
    process.exit(1);
  }
  pinOpenblasCore();
  // On a GPU the host threads matter little: one count.
  const threadCounts = values.threads ? [Number(values.threads)] : device === 'cuda' ? [2] : [1, 2];
  const scenarios = plan(values.quick!);
  const rounds = values.quick || device === 'cuda' ? 1 : 2; // the GPU machine's time is scarce
  const python = values['no-torch'] ? null : findTorchPython(device);
  const withTorch = python !== null;
  if (!values['no-torch'] && !withTorch) console.log(`torch: no Python with torch for ${device} (apt-get install -y python3-torch); running gru-native alone`);
  const host = hostInfo();
  const rows: Cell[][] = [];
  const runs: { threads: number; scenario: string; ours: Result; torch: (Result & { version: string }) | null; ratio: number | null }[] = [];
  for (const threads of threadCounts) {
    for (const s of scenarios) {
      // Rounds alternate the two sides, each keeping its run with the lower median: a busy spell
      // on this shared machine then skews neither side alone.
      let ours: Result | null = null;
      let torch: (Result & { version: string }) | null = null;
      for (let round = 0; round < rounds; round++) {
        const run = runJsonChild<TrainWorkerReport>(process.execPath, [...process.execArgv, __filename, '--worker', JSON.stringify([s]), '--threads', String(threads), '--device', device], { threads }).results[0];
        if (!ours || run.medianMs < ours.medianMs) ours = run;
        if (withTorch) {
          const report = runJsonChild<TrainWorkerReport & { torch: string }>(python!, [TORCH_PEER, JSON.stringify({ threads, device, scenarios: [s] })], { threads, env: TORCH_ENV });
          if (!torch || report.results[0].medianMs < torch.medianMs) torch = { ...report.results[0], version: report.torch };
        }
      }
      if (!ours) throw new Error('no rounds ran');
      const ratio = torch ? torch.medianMs / ours.medianMs : null;
      runs.push({ threads, scenario: s.name, ours, torch, ratio });
      rows.push([s.name, threads, fmt(ours.medianMs, 1), fmt(torch?.medianMs, 1), ratio === null ? '-' : `${fmt(ratio)}x`, ours.peakRssMiB, torch?.peakRssMiB]);
    }
  }
  console.log(`\n${device}: ${host.cpu}, ${host.availableCores} cores, node ${host.node}, ${openblasKernels(host)}`);
  console.log(formatTable(['step', 'threads', 'gru-native ms', 'torch ms', 'speed vs torch', 'RSS MiB', 'torch RSS MiB'], rows));
  console.log(`ms are medians of each side's better of ${rounds} runs (alternating); speed vs torch > 1 means gru-native is faster.`);
  for (const r of runs) {
    const phases = Object.entries(r.ours.phases).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ');
    const torchPhases = r.torch ? Object.entries(r.torch.phases).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ') : '-';
    console.log(`\n${r.scenario} at ${r.threads} thread(s), ms per phase:\n  gru-native: ${phases}\n  torch:      ${torchPhases}`);
  }
  const out = values.out ?? join(__dirname, 'results', `train-${device}.json`);
  writeJson(out, {
    benchmark: `train-${device}`, device, date: new Date().toISOString(), host, quick: values.quick, rounds,
    scenarios: { W: 'WordLM: Embedding(10000, 300), GRU(300, 512, 2 layers), Linear(512, 10000); batch 20, seq 35, Adam, clipGradNorm 0.25',
      C: 'GRU(128, 64) -> GRU(64, 32) -> Linear(32, 1), binaryCrossEntropyWithLogits; batch 32, seq 100, Adam, clipGradNorm 1' },
    runs,
  });
  console.log(`\nwrote ${out}`);
}

main();
