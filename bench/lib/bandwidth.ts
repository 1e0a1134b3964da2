/**
 * The read-bandwidth probe (bench/peers/read_bandwidth.cc), built with g++ for this machine into
 * the bench's build folder: the streaming step's limit is its weight bytes over the bandwidth of
 * a buffer that size, measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { runJsonChild } from './peer';

const SOURCE = join(__dirname, '..', 'peers', 'read_bandwidth.cc');
const BINARY = join(__dirname, '..', '..', 'build', 'bench', 'read_bandwidth');

export interface BandwidthResult {
  bytes: number;
  gbPerS: number;
}

/** Bandwidth of one core for each size, or why it could not be measured. */
export function measureReadBandwidth(sizes: number[]): { results: BandwidthResult[] } | { note: string } {
  if (!(existsSync(BINARY) && statSync(BINARY).mtimeMs > statSync(SOURCE).mtimeMs)) {
    mkdirSync(join(BINARY, '..'), { recursive: true });
    const built = spawnSync('g++', ['-O2', '-march=native', '-std=c++17', SOURCE, '-o', BINARY], { encoding: 'utf8' });
    if (built.status !== 0) return { note: `build failed (g++ ${SOURCE}): ${(built.stderr || built.error?.message || '').slice(0, 300)}` };
  }
  return runJsonChild<{ results: BandwidthResult[] }>(BINARY, sizes.map((s) => String(Math.round(s))), { threads: 1 });
}
