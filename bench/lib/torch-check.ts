/** The numerical check both benchmarks run before timing: our GRU against torch's, in float64 there. */
import { join } from 'node:path';

import type { Device } from '../../lib/dtype';
import type { CheckCase } from '../gru-worker';
import { runJsonChild } from './peer';

const BENCH_ENTRY = join(__dirname, '..', 'gru.ts');
const TORCH_CHECK = join(__dirname, '..', 'peers', 'torch_gru.py');
const CHECK_TOLERANCE = 1e-4; // float32 against torch in float64, values O(1)

/** A tiny 2-layer float32 GRU of ours on `device` (in a child: `gru.ts --check-case`) against torch. */
export function checkAgainstTorch(python: string, device: Device): string {
  const kase = runJsonChild<CheckCase | { error: string }>(process.execPath,
    [...process.execArgv, BENCH_ENTRY, '--check-case', '--device', device, '--threads', '1'], { threads: 1 });
  if ('error' in kase) return `skipped (${kase.error})`;
  const { maxAbsDiff } = runJsonChild<{ maxAbsDiff: Record<string, number> }>(python, [TORCH_CHECK, '--check'], { threads: 1, input: JSON.stringify(kase) });
  const worst = Object.entries(maxAbsDiff).sort((a, b) => b[1] - a[1])[0];
  if (!(worst[1] <= CHECK_TOLERANCE)) throw new Error(`gru-native on ${device} differs from torch: max |diff| of ${worst[0]} is ${worst[1]} (tolerance ${CHECK_TOLERANCE})`);
  return `matches torch (max |diff| ${worst[1].toExponential(1)} in ${worst[0]}, tolerance ${CHECK_TOLERANCE})`;
}
