/**
 * The measuring side of bench/gru.ts: runs in a child process with one thread count, validates,
 * times gru-native and sgemm, and returns a report the parent prints as JSON.
 */
import { GRU, Tensor, add, backends, getNumThreads, manualSeed, memory, noGrad, setNumThreads, sum, type Device } from '../lib/index';
import { DEVICE_CODE } from '../lib/dtype';
import { native } from '../lib/native/binding';
import { gflops } from './lib/flops';
import { blasInfo, type BlasInfo } from './lib/machine';
import { measure, type Stats, type TimingOptions } from './lib/timing';

export interface Scenario {
  name: string;
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  layers: number;
  forward: TimingOptions;
  forwardBackward: TimingOptions;
}

export interface StepScenario extends TimingOptions {
  name: string;
  input: number;
  hidden: number;
}

export interface WorkerConfig {
  threads: number;
  scenarios: Scenario[];
  step: StepScenario;
  sgemm: TimingOptions;
}

/** forwardBackwardDx: forward+backward that also computes the input gradient, as oneDNN's does. */
export type Op = 'forward' | 'forwardBackward' | 'forwardBackwardDx' | 'step' | StepCopyOp;
/** Streaming steps from an inference copy (GRU.inferenceCopy) of the same weights. */
export type StepCopyOp = 'stepFloat32Copy' | 'stepBfloat16Copy';
export const STEP_COPY_OPS: readonly StepCopyOp[] = ['stepFloat32Copy', 'stepBfloat16Copy'];
const COPY_WEIGHTS = { stepFloat32Copy: 'float32', stepBfloat16Copy: 'bfloat16' } as const;

export interface WorkerResult extends Stats {
  scenario: string;
  op: Op;
  /** Steps: the bytes of weights and biases each step reads. */
  weightBytes?: number;
  /** Live tensors after the timed loop minus before: 0 unless a rep leaks. */
  leakedTensors: number;
}

export interface SgemmResult {
  shape: string;
  medianMs: number;
  minMs: number;
  medianGflops: number;
  /** From the fastest rep: a peak is the best the BLAS reaches, and the run-to-run noise on a
   * shared VM (10-20%) would otherwise put GRU medians above "peak". */
  gflops: number;
}

export interface WorkerReport {
  threads: number;
  blas: BlasInfo;
  /** False while the CPU GRU kernels are missing from the addon (sgemm still runs). */
  kernels: boolean;
  sgemm: SgemmResult[];
  sgemmPeakGflops: number;
  results: WorkerResult[];
  /** A step of a hidden-8 GRU from an inference copy: the cost of the call itself, with next to no weights to read. */
  stepCallFloorMs: number | null;
}

/** The tiny case the parent hands to the torch peer's --check mode. */
export interface CheckCase {
  config: { seq: number; batch: number; input: number; hidden: number; layers: number };
  x: number[];
  params: Record<string, number[]>;
  output: number[];
  hN: number[];
  grads: Record<string, number[]>;
}

function sync(device: Device = 'cpu'): void {
  native.synchronize(DEVICE_CODE[device]);
}

function fail(message: string): never {
  throw new Error(`validation failed: ${message}`);
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function sameShape(t: Tensor, expected: number[], what: string): void {
  if (t.shape.join() !== expected.join()) fail(`${what} has shape [${t.shape}], expected [${expected}]`);
}

/** C = A * op(B) at one shape; the result is checked on a few entries against a JS dot product. */
function sgemm(m: number, n: number, k: number, transB: boolean, timing: TimingOptions): SgemmResult {
  manualSeed(3);
  const a = Tensor.randn([m, k]);
  const b = Tensor.randn(transB ? [n, k] : [k, n]);
  const c = Tensor.empty([m, n]);
  native.gemm(false, transB, m, n, k, 1, a.handle, b.handle, 0, c.handle);
  const [av, bv, cv] = [a.dataSync(), b.dataSync(), c.dataSync()];
  for (const [i, j] of [[0, 0], [m - 1, n - 1], [m >> 1, n >> 2]]) {
    let dot = 0;
    for (let p = 0; p < k; p++) dot += av[i * k + p] * (transB ? bv[j * k + p] : bv[p * n + j]);
    if (Math.abs(dot - cv[i * n + j]) > 1e-3 * Math.sqrt(k)) fail(`sgemm ${m}x${n}x${k} C[${i}][${j}] = ${cv[i * n + j]}, expected ${dot}`);
  }
  const stats = measure(() => {
    native.gemm(false, transB, m, n, k, 1, a.handle, b.handle, 0, c.handle);
    sync();
  }, timing);
  for (const t of [a, b, c]) t.dispose();
  const flops = 2 * m * n * k;
  return { shape: `M=${m} N=${n} K=${k}${transB ? ' B^T' : ''}`, medianMs: stats.medianMs, minMs: stats.minMs,
           medianGflops: gflops(flops, stats.medianMs), gflops: gflops(flops, stats.minMs) };
}

/** Times `run` and reports how many tensors the reps left alive. */
function timed<T>(device: Device, scenario: string, op: Op, timing: TimingOptions, run: () => T, setup?: () => void,
                  teardown?: (r: T) => void): WorkerResult {
  const before = memory().tensors;
  const stats = measure(run, timing, setup, teardown);
  sync(device);
  return { scenario, op, ...stats, leakedTensors: memory().tensors - before };
}

export interface ScenarioOptions {
  device?: Device;
  allowTF32?: boolean;
  /** Also time forward+backward with x requiring grad (forwardBackwardDx). */
  inputGradients?: boolean;
}

/** Forward (noGrad) and forward+backward of one shape; every rep waits for the device. */
export function benchScenario(s: Scenario, { device = 'cpu', allowTF32 = false, inputGradients = false }: ScenarioOptions = {}): WorkerResult[] {
  manualSeed(0);
  const gru = new GRU({ inputSize: s.input, hiddenSize: s.hidden, numLayers: s.layers, batchFirst: false, dtype: 'float32', device, allowTF32 });
  const x = Tensor.randn([s.seq, s.batch, s.input], { device });

  // Validate before timing: shapes, finite values, and (CPU) two runs giving the same bits.
  const runs = [0, 1].map(() => noGrad(() => gru.forward(x)));
  sameShape(runs[0].output, [s.seq, s.batch, s.hidden], `${s.name} output`);
  sameShape(runs[0].hN, [s.layers, s.batch, s.hidden], `${s.name} hN`);
  const [y0, y1] = runs.map((r) => r.output.dataSync());
  if (!allFinite(y0)) fail(`${s.name} output is not finite`);
  if (device === 'cpu' && y0.some((v, i) => v !== y1[i])) fail(`${s.name} forward is not deterministic`);
  for (const r of runs) { r.output.dispose(); r.hN.dispose(); }

  const forward = timed(device, s.name, 'forward', s.forward, () => {
    const r = noGrad(() => gru.forward(x));
    sync(device);
    return r;
  }, undefined, (r: { output: Tensor; hN: Tensor }) => { r.output.dispose(); r.hN.dispose(); });

  // loss = sum(output) + sum(hN), as in the torch peer; zeroGrad outside the timed region.
  const lossStep = (input = x): Tensor[] => {
    const { output, hN } = gru.forward(input);
    const parts = [sum(output), sum(hN)];
    const loss = add(parts[0], parts[1]);
    loss.backward();
    sync(device);
    return [output, hN, ...parts, loss];
  };
  gru.zeroGrad();
  lossStep().forEach((t) => t.dispose());
  if (!allFinite(gru.flatWeights.grad!.dataSync())) fail(`${s.name} gradients are not finite`);
  const forwardBackward = timed(device, s.name, 'forwardBackward', s.forwardBackward, () => lossStep(),
    () => { gru.zeroGrad(); sync(device); }, (ts: Tensor[]) => ts.forEach((t) => t.dispose()));
  const results = [forward, forwardBackward];

  if (inputGradients) {
    const xg = Tensor.randn([s.seq, s.batch, s.input], { device }).requiresGrad_();
    const dropInputGrad = () => { xg.grad?.dispose(); xg.grad = null; };
    gru.zeroGrad();
    lossStep(xg).forEach((t) => t.dispose());
    if (!allFinite(xg.grad!.dataSync())) fail(`${s.name} input gradients are not finite`);
    dropInputGrad();
    results.push(timed(device, s.name, 'forwardBackwardDx', s.forwardBackward, () => lossStep(xg),
      () => { gru.zeroGrad(); sync(device); }, (ts: Tensor[]) => { ts.forEach((t) => t.dispose()); dropInputGrad(); }));
    xg.dispose();
  }
  x.dispose();
  gru.dispose();
  return results;
}

/** Streaming latency: one step per call, reading the output back as a real caller would. */
function benchStep(s: StepScenario, op: 'step' | StepCopyOp): WorkerResult {
  manualSeed(0);
  const gru = new GRU({ inputSize: s.input, hiddenSize: s.hidden, numLayers: 1, dtype: 'float32' });
  const model = op === 'step' ? gru : gru.inferenceCopy({ weights: COPY_WEIGHTS[op] });
  const weightBytes = model instanceof GRU ? gru.flatWeights.numel * 4 : model.bytes;
  const x = Tensor.randn([1, s.input]);
  let state: Tensor | undefined;
  const first = noGrad(() => model.step(x));
  sameShape(first.output, [1, s.hidden], `${op} output`);
  sameShape(first.state, [1, 1, s.hidden], `${op} state`);
  if (!allFinite(first.output.dataSync())) fail(`${op} output is not finite`);
  first.output.dispose();
  state = first.state;
  const result = timed('cpu', s.name, op, s, () => {
    const r = noGrad(() => model.step(x, state));
    r.output.dataSync();
    return r;
  }, undefined, (r: { output: Tensor; state: Tensor }) => {
    r.output.dispose();
    state?.dispose();
    state = r.state;
  });
  state.dispose();
  x.dispose();
  if (model !== gru) model.dispose();
  gru.dispose();
  return { ...result, weightBytes };
}

export function runWorker(config: WorkerConfig): WorkerReport {
  setNumThreads(config.threads);
  if (getNumThreads() !== config.threads) fail(`asked OpenBLAS for ${config.threads} threads, got ${getNumThreads()}`);
  const blas = blasInfo(backends());
  console.error(`[${config.threads} thread(s)] sgemm peak`);
  const sgemmResults = [sgemm(1024, 1024, 1024, false, config.sgemm), sgemm(6400, 768, 256, true, config.sgemm)];
  const kernels = typeof native.gruForward === 'function';
  const results: WorkerResult[] = [];
  let stepCallFloorMs: number | null = null;
  if (kernels) {
    // Steps first, in a process that has done nothing else yet: after the large scenarios the
    // same steps measured up to 2x slower in some runs (after L, a hidden-8 step took 10.5 us
    // instead of 5.3), for no reason found.
    for (const op of ['step', ...STEP_COPY_OPS] as const) {
      console.error(`[${config.threads} thread(s)] gru-native ${op}`);
      results.push(benchStep(config.step, op));
    }
    stepCallFloorMs = benchStep({ ...config.step, name: 'floor', input: 8, hidden: 8 }, 'stepBfloat16Copy').medianMs;
    for (const s of config.scenarios) {
      console.error(`[${config.threads} thread(s)] gru-native ${s.name}`);
      results.push(...benchScenario(s, { inputGradients: true }));
    }
  }
  return { threads: config.threads, blas, kernels, sgemm: sgemmResults,
           sgemmPeakGflops: Math.max(...sgemmResults.map((r) => r.gflops)), results, stepCallFloorMs };
}

/** A tiny 2-layer GRU with its input, outputs and gradients, for the numerical check. */
export function makeCheckCase(device: Device = 'cpu'): CheckCase {
  const config = { seq: 3, batch: 2, input: 5, hidden: 4, layers: 2 };
  manualSeed(1);
  const gru = new GRU({ inputSize: config.input, hiddenSize: config.hidden, numLayers: config.layers, dtype: 'float32', device });
  const x = Tensor.randn([config.seq, config.batch, config.input], { device });
  const { output, hN } = gru.forward(x);
  const parts = [sum(output), sum(hN)];
  const loss = add(parts[0], parts[1]);
  loss.backward();
  const arr = (t: Tensor): number[] => Array.from(t.dataSync());
  const params: Record<string, number[]> = {};
  const grads: Record<string, number[]> = {};
  for (const [name, p] of gru.namedParameters()) {
    params[name] = arr(p);
    grads[name] = arr(p.grad!);
  }
  const result = { config, x: arr(x), params, output: arr(output), hN: arr(hN), grads };
  for (const t of [x, output, hN, loss, ...parts]) t.dispose();
  gru.dispose();
  return result;
}

export function checkCaseOrError(device: Device = 'cpu'): CheckCase | { error: string } {
  const backend = backends().find((b) => b.name === device);
  if (!backend?.available) return { error: `${device} is unavailable: ${backend?.reason ?? 'unknown'}` };
  return typeof native.gruForward === 'function' ? makeCheckCase(device) : { error: 'GRU kernels not built yet' };
}
