/**
 * The oneDNN peer (bench/peers/onednn_gru.cc): built with g++ against Debian's libdnnl-dev when
 * its header is installed (skipped with a note otherwise, like torch), into a build folder of
 * the bench, then run per thread count like the other peers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { Scenario, StepScenario } from '../gru-worker';
import type { Stats } from './timing';
import { runJsonChild } from './peer';

const SOURCE = join(__dirname, '..', 'peers', 'onednn_gru.cc');
const HEADER = '/usr/include/oneapi/dnnl/dnnl.hpp';
const BINARY = join(__dirname, '..', '..', 'build', 'bench', 'onednn_gru');

export interface OnednnReport {
  onednn: string;
  threads: number | null;
  results: (Stats & { scenario: string; op: string })[];
}

/** The peer's path, built when missing or older than its source; or why there is none. */
export function buildOnednnPeer(): { path: string } | { note: string } {
  if (!existsSync(HEADER)) return { note: `not found (${HEADER} is missing: apt-get install libdnnl-dev), peer skipped` };
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs > statSync(SOURCE).mtimeMs) return { path: BINARY };
  mkdirSync(join(BINARY, '..'), { recursive: true });
  const built = spawnSync('g++', ['-O2', '-std=c++17', SOURCE, '-ldnnl', '-o', BINARY], { encoding: 'utf8' });
  if (built.status !== 0) return { note: `build failed (g++ ${SOURCE} -ldnnl): ${(built.stderr || built.error?.message || '').slice(0, 300)}` };
  return { path: BINARY };
}

export function runOnednn(path: string, threads: number, scenarios: Scenario[], step: StepScenario): OnednnReport {
  // The step first, as in the other peers (bench/gru-worker.ts).
  const args = ['--step', [step.name, step.input, step.hidden, step.warmup, step.repeats].join(':')];
  args.push(...scenarios.map((s) => [s.name, s.seq, s.batch, s.input, s.hidden, s.layers, s.forward.warmup, s.forward.repeats, s.forwardBackward.warmup, s.forwardBackward.repeats].join(':')));
  return runJsonChild<OnednnReport>(path, args, { threads });
}
