/**
 * `gru-native bench`: runs the repository's benchmarks (bench/), which measure gru-native against
 * its peers (PyTorch, TensorFlow.js) in the same run and write their JSON under bench/results/.
 * They need the repository's dev tools (tsx, the peers), so the command runs them from a clone
 * and says so elsewhere.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { UsageError } from '../args';
import { packageRoot } from '../package-version';

const SUITES: Record<string, string> = {
  gru: 'the GRU layer forward and forward+backward against torch, 1 and 2 threads (bench/results/gru-cpu.json); --device cuda for the GPU',
  train: 'training steps of the word language model and a classifier against torch (bench/results/train-cpu.json)',
  keras: 'tutorial 1 (Keras face) fit against torch and TF.js, with event-loop delay (bench/results/keras-cpu.json)',
};

const HELP = [
  'usage: gru-native bench [SUITE] [-- options of the suite]',
  '',
  'Runs a benchmark of the repository (bench/SUITE.ts); run from a clone, after the Quick start.',
  '',
  'suites:',
  ...Object.entries(SUITES).map(([name, what]) => `  ${name.padEnd(7)}${what}`),
  '',
  'examples:',
  '  gru-native bench gru -- --quick',
  '  gru-native bench train -- --threads 1',
].join('\n');

export function bench(argv: string[]): number {
  const split = argv.indexOf('--');
  const own = split < 0 ? argv : argv.slice(0, split), passed = split < 0 ? [] : argv.slice(split + 1);
  if (own.includes('--help') || own.includes('-h')) {
    console.log(HELP);
    return 0;
  }
  if (own.length > 1 || own.some((a) => a.startsWith('-'))) throw new UsageError(`expected one suite name (then -- and its options), got ${own.join(' ')}`);
  const suite = own[0] ?? 'gru';
  if (!(suite in SUITES)) throw new UsageError(`unknown suite '${suite}' (suites: ${Object.keys(SUITES).join(', ')})`);
  const root = packageRoot();
  const script = root ? join(root, 'bench', `${suite}.ts`) : '';
  const tsx = root ? join(root, 'node_modules', 'tsx') : '';
  if (!root || !existsSync(script) || !existsSync(tsx)) {
    console.error(`gru-native bench: the benchmarks live in the repository (bench/${suite}.ts) and run with its dev tools; clone it, run the Quick start, then gru-native bench ${suite}`);
    return 1;
  }
  const child = spawnSync(process.execPath, ['--import', 'tsx', script, ...passed], { cwd: root, stdio: 'inherit' });
  return child.status ?? 1;
}
