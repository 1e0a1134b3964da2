/**
 * The measuring side of the GPU benchmark (bench/gru-cuda.ts): runs in a child process and times
 * gru-native's GRU on one device for every scenario and math mode, with gru-worker.ts's
 * benchScenario (every rep waits for the device), and returns a report the parent prints as JSON.
 */
import { DEFAULT_ACTIVATIONS } from '../lib/nn/gru-options';
import { backends, type Device } from '../lib/index';
import { DTYPE_CODE } from '../lib/dtype';
import { native } from '../lib/native/binding';
import { packGruConfig } from '../lib/native/gru-config';
import { benchScenario, type Scenario, type WorkerResult } from './gru-worker';

/** 'fma': full float32 math (gru-native's default); 'tf32': TF32 tensor cores allowed. */
export type MathMode = 'fma' | 'tf32';
export type DeviceOp = 'forward' | 'forwardBackward';

export interface DeviceWorkerConfig {
  device: Device;
  scenarios: Scenario[];
  maths: MathMode[];
}

export interface DeviceResult extends WorkerResult {
  math: MathMode;
}

export interface DeviceWorkerReport {
  device: Device;
  backend: ReturnType<typeof backends>[number] | null;
  /** cuda: per scenario, whether cuDNN reads the flat weights directly or a packed copy. */
  weightRoutes: Record<string, string>;
  results: DeviceResult[];
}

function weightRoute(s: Scenario): string {
  return native.gruCudnnWeightRoute(packGruConfig({
    inputSize: s.input, hiddenSize: s.hidden, numLayers: s.layers, bidirectional: false, bias: true, resetAfter: true,
    seqLen: s.seq, batch: s.batch, batchFirst: false, dropout: 0, dropoutSeedLow: 0, dropoutSeedHigh: 0, dropoutOffset: 0, allowTF32: false, ...DEFAULT_ACTIVATIONS,
  }), DTYPE_CODE.float32);
}

export function runDeviceWorker(config: DeviceWorkerConfig): DeviceWorkerReport {
  const backend = backends().find((b) => b.name === config.device) ?? null;
  if (!backend?.available) throw new Error(`${config.device} is unavailable: ${backend?.reason ?? 'unknown backend'}`);
  const results: DeviceResult[] = [];
  const weightRoutes: Record<string, string> = {};
  for (const s of config.scenarios) {
    if (config.device === 'cuda') weightRoutes[s.name] = weightRoute(s);
    for (const math of config.maths) {
      console.error(`[${config.device}] gru-native ${s.name} ${math}`);
      const timed = benchScenario(s, { device: config.device, allowTF32: math === 'tf32' });
      results.push(...timed.map((r) => ({ ...r, math })));
    }
  }
  return { device: config.device, backend, weightRoutes, results };
}
