/**
 * Runs a benchmark process (a worker of ours or a peer such as PyTorch) in its own child with
 * its thread count pinned, and parses the one JSON object it prints on stdout.
 */
import { spawnSync } from 'node:child_process';

/** Every BLAS/OpenMP pool a peer might start sees the same count ("to be fair"). */
export function pinnedEnv(threads: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n, ...extra };
}

export interface ChildOptions {
  threads: number;
  /** Piped to the child's stdin (e.g. check data). */
  input?: string;
  timeoutMs?: number;
  /** Extra environment on top of the pinned thread counts. */
  env?: Record<string, string>;
}

export class ChildError extends Error {}

/** Runs `command args` and returns its stdout parsed as JSON; stderr is passed through. */
export function runJsonChild<T>(command: string, args: readonly string[], options: ChildOptions): T {
  const result = spawnSync(command, args, {
    env: pinnedEnv(options.threads, options.env),
    input: options.input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'inherit'],
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 64 * 2 ** 20,
  });
  const what = `${command} ${args.join(' ').slice(0, 120)}`;
  if (result.error) throw new ChildError(`${what}: ${result.error.message}`);
  if (result.status !== 0) throw new ChildError(`${what}: exited with ${result.status ?? result.signal}`);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new ChildError(`${what}: stdout is not one JSON object: ${result.stdout.slice(0, 300)}`);
  }
}

/** Whether `command args` runs and exits 0 (peer detection; peers are optional). */
export function probe(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore', timeout: 60_000 });
  return !result.error && result.status === 0;
}
