/**
 * The measuring side of the GPU benchmark (bench/gru-cuda.ts): runs in a child process, times
 * gru-native's GRU on one device for every scenario and math mode, and returns a report the
 * parent prints as JSON. Every rep waits for the device, so a time is the whole call.
 */
import { GRU, Tensor, add, backends, manualSeed, memory, noGrad, sum, type Device } from '../lib/index';
import { native } from '../lib/native/binding';
import { DEVICE_CODE, DTYPE_CODE } from '../lib/dtype';
import { packGruConfig } from '../lib/native/gru-config';
import { measure, type Stats, type TimingOptions } from './lib/timing';

/** 'fma': full float32 math (gru-native's default); 'tf32': TF32 tensor cores allowed. */
export type MathMode = 'fma' | 'tf32';
export type DeviceOp = 'forward' | 'forwardBackward';

export interface DeviceScenario {
  name: string;
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  layers: number;
  forward: TimingOptions;
  forwardBackward: TimingOptions;
}

export interface DeviceWorkerConfig {
  device: Device;
  scenarios: DeviceScenario[];
  maths: MathMode[];
}

export interface DeviceResult extends Stats {
  scenario: string;
  math: MathMode;
  op: DeviceOp;
  /** Live tensors after the timed loop minus before: 0 unless a rep leaks. */
  leakedTensors: number;
}

export interface DeviceWorkerReport {
  device: Device;
  backend: ReturnType<typeof backends>[number] | null;
  /** cuda: per scenario, whether cuDNN reads the flat weights directly or a packed copy. */
  weightRoutes: Record<string, string>;
  results: DeviceResult[];
}

function fail(message: string): never {
  throw new Error(`validation failed: ${message}`);
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function benchScenario(device: Device, s: DeviceScenario, math: MathMode): DeviceResult[] {
  const sync = (): void => native.synchronize(DEVICE_CODE[device]);
  manualSeed(0);
  const gru = new GRU({ inputSize: s.input, hiddenSize: s.hidden, numLayers: s.layers, allowTF32: math === 'tf32', device });
  const x = Tensor.randn([s.seq, s.batch, s.input], { device });
  const label = `${s.name}/${math}`;

  // Validate before timing: shapes and finite values of the output and the weight gradient.
  const first = noGrad(() => gru.forward(x));
  if (first.output.shape.join() !== [s.seq, s.batch, s.hidden].join()) fail(`${label} output has shape [${first.output.shape}]`);
  if (!allFinite(first.output.dataSync())) fail(`${label} output is not finite`);
  first.output.dispose();
  first.hN.dispose();

  const timed = <T>(op: DeviceOp, timing: TimingOptions, run: () => T, setup: (() => void) | undefined, teardown: (r: T) => void): DeviceResult => {
    const before = memory().tensors;
    const stats = measure(run, timing, setup, teardown);
    sync();
    return { scenario: s.name, math, op, ...stats, leakedTensors: memory().tensors - before };
  };

  const forward = timed('forward', s.forward, () => {
    const r = noGrad(() => gru.forward(x));
    sync();
    return r;
  }, undefined, (r) => { r.output.dispose(); r.hN.dispose(); });

  // loss = sum(output) + sum(hN), as in the torch peer; zeroGrad outside the timed region.
  const lossStep = (): Tensor[] => {
    const { output, hN } = gru.forward(x);
    const parts = [sum(output), sum(hN)];
    const loss = add(parts[0], parts[1]);
    loss.backward();
    sync();
    return [output, hN, ...parts, loss];
  };
  gru.zeroGrad();
  lossStep().forEach((t) => t.dispose());
  if (!allFinite(gru.flatWeights.grad!.dataSync())) fail(`${label} gradients are not finite`);
  const forwardBackward = timed('forwardBackward', s.forwardBackward, lossStep,
    () => { gru.zeroGrad(); sync(); }, (ts) => ts.forEach((t) => t.dispose()));

  x.dispose();
  gru.dispose();
  return [forward, forwardBackward];
}

export function runDeviceWorker(config: DeviceWorkerConfig): DeviceWorkerReport {
  const backend = backends().find((b) => b.name === config.device) ?? null;
  if (!backend?.available) throw new Error(`${config.device} is unavailable: ${backend?.reason ?? "unknown backend"}`);
  const results: DeviceResult[] = [];
  const weightRoutes: Record<string, string> = {};
  for (const s of config.scenarios) {
    if (config.device === 'cuda') {
      weightRoutes[s.name] = native.gruCudnnWeightRoute(packGruConfig({
        inputSize: s.input, hiddenSize: s.hidden, numLayers: s.layers, bidirectional: false, bias: true, resetAfter: true,
        seqLen: s.seq, batch: s.batch, batchFirst: false, dropout: 0, dropoutSeed: 0n, dropoutOffset: 0, allowTF32: false,
      }), DTYPE_CODE.float32);
    }
    for (const math of config.maths) {
      console.error(`[${config.device}] gru-native ${s.name} ${math}`);
      results.push(...benchScenario(config.device, s, math));
    }
  }
  return { device: config.device, backend, weightRoutes, results };
}
