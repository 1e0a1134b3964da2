/** What the numbers were measured on: CPU, cores, OS, Node and (from a worker) the BLAS. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

import type { BackendInfo } from '../../lib/index';

export interface HostInfo {
  cpu: string;
  logicalCores: number;
  /** Cores as the kernel's scheduler sees them (cgroup limits included). */
  availableCores: number;
  os: string;
  arch: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the run started: other busy processes skew every number. */
  loadAtStart: number;
}

/** The first "model name" of /proc/cpuinfo (os.cpus() is empty or generic in some sandboxes). */
function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1].trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function hostInfo(): HostInfo {
  return {
    cpu: cpuModel(),
    logicalCores: os.cpus().length,
    availableCores: os.availableParallelism(),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

export interface BlasInfo {
  /** OpenBLAS's build string (version, DYNAMIC_ARCH, target core, MAX_THREADS). */
  openblas: string;
  threads: number;
}

/** From backends() in a worker, so the parent never starts an OpenBLAS pool of its own. */
export function blasInfo(list: readonly BackendInfo[]): BlasInfo {
  const cpu = list.find((b) => b.name === 'cpu');
  return { openblas: cpu?.version?.openblas ?? 'unknown', threads: cpu?.threads ?? 0 };
}

/** The checkout's commit (with "+dirty" for local changes), or null outside a git checkout. */
export function gitCommit(): string | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : '');
  } catch {
    return null;
  }
}
