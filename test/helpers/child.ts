/** Running a script in a fresh Node process against the built package (dist/), for exit and memory-limit tests. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');
export const distEntry = join(root, 'dist', 'cjs', 'index.js');

/**
 * Runs `source` (CommonJS; `gn` is the package) with `node -e`, optionally under `ulimit -v`
 * (KiB) and with its own environment (default: this process's).
 */
export function runChild(
  source: string,
  options: { timeoutMs?: number; virtualMemoryKiB?: number; env?: NodeJS.ProcessEnv } = {},
): SpawnSyncReturns<string> {
  const script = `const gn = require(${JSON.stringify(distEntry)});\n${source}`;
  const spawnOptions = { cwd: root, encoding: 'utf8' as const, timeout: options.timeoutMs ?? 30_000, env: options.env };
  if (options.virtualMemoryKiB === undefined) return spawnSync(process.execPath, ['-e', script], spawnOptions);
  return spawnSync('bash', ['-c', `ulimit -v ${options.virtualMemoryKiB} && exec "$0" -e "$1"`, process.execPath, script], spawnOptions);
}
