/** What the numbers were measured on: CPU, cores, OS, Node and (from a worker) the BLAS. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

import type { BackendInfo } from '../../lib/index';
import { cpuinfoField } from '../../lib/native/openblas-core';

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
  /** The OPENBLAS_CORETYPE every process ran with (bench/lib/openblas-core.ts); null: OpenBLAS's own choice. */
  openblasCoreType: string | null;
}

/**
 * The first "model name" of /proc/cpuinfo (os.cpus() is empty or generic in some sandboxes), with
 * its family and model numbers: virtual machines often name every generation "AMD EPYC", and
 * Zen 4 (family 25) and Zen 5 (family 26) differ twofold in AVX-512 throughput.
 */
function cpuModel(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const name = cpuinfoField(info, 'model name');
    if (name) {
      const family = cpuinfoField(info, 'cpu family'), model = cpuinfoField(info, 'model');
      return family && model ? `${name} (family ${family}, model ${model})` : name;
    }
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
    openblasCoreType: process.env.OPENBLAS_CORETYPE ?? null,
  };
}

/** How a table's header names the OpenBLAS kernels of the run. */
export const openblasKernels = (host: HostInfo): string => `OpenBLAS kernels ${host.openblasCoreType ?? "of OpenBLAS's choice"}`;

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
