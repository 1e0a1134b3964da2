/** Running a script in a fresh Node process against the built package (dist/), for exit and memory-limit tests. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');
export const distEntry = join(root, 'dist', 'cjs', 'index.js');

/** Runs `source` (CommonJS; `gn` is the package) with `node -e`, optionally under `ulimit -v` (KiB). */
export function runChild(source: string, options: { timeoutMs?: number; virtualMemoryKiB?: number } = {}): SpawnSyncReturns<string> {
  const script = `const gn = require(${JSON.stringify(distEntry)});\n${source}`;
  if (options.virtualMemoryKiB === undefined) {
    return spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8', timeout: options.timeoutMs ?? 30_000 });
  }
  return spawnSync('bash', ['-c', `ulimit -v ${options.virtualMemoryKiB} && exec "$0" -e "$1"`, process.execPath, script],
    { cwd: root, encoding: 'utf8', timeout: options.timeoutMs ?? 30_000 });
}
