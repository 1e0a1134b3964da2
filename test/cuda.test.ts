/**
 * The CUDA backend, held to the CPU backend. Where backends() reports cuda as unavailable, every
 * GPU case is skipped and the probe's reason is in the suite's name (and printed); the cases
 * under "any machine" check what needs no GPU. test/gpu/run.sh runs this file on a GPU machine.
 */
import { DEFAULT_ACTIVATIONS } from '../lib/nn/gru-options';
import { describe, expect, it } from 'vitest';

import {
  BackendUnavailableError,
  DeviceError,
  GRU,
  GRUCell,
  Generator,
  Tensor,
  add,
  backends,
  div,
  losses,
  matmul,
  mul,
  noGrad,
  sub,
  sum,
  type DType,
} from '../lib/index';
import { emptyCache, memory } from '../lib/memory';
import { native } from '../lib/native/binding';
import { toDevice } from '../lib/ops/transfer';
import { packGruConfig } from '../lib/native/gru-config';
import { DTYPE_CODE } from '../lib/dtype';
import { compareArrays, listGruFixtures, loadGruFixture, parameterNames, type GruFixture } from './helpers/fixtures';

const cuda = backends().find((b) => b.name === 'cuda')!;
const available = cuda.available;
const reason = cuda.reason ?? '';
const compiled = native.probeCuda().compiled;
if (!available) console.log(`cuda.test.ts: CUDA cases skipped: ${reason}`);

const DTYPES: DType[] = ['float32', 'float64', 'int32'];
const FLOAT_DTYPES = ['float32', 'float64'] as const;

/** Runs collectable finalizers, so memory counters only move because of the code under test. */
async function settle(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function sample(dtype: DType, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (dtype === 'int32' ? ((i * 7919) % 2001) - 1000 : Math.sin(i * 0.37) * 10 + i / n));
}

describe('cuda: what any machine can check', () => {
  it.skipIf(!compiled)('names cuDNN 8 and 9, cuBLAS and CUDA runtime statuses', () => {
    const cudnn = (code: number) => native.cudaStatusName(0, code);
    expect(cudnn(0)).toBe('CUDNN_STATUS_SUCCESS');
    expect(cudnn(3)).toBe('CUDNN_STATUS_BAD_PARAM'); // 8.x
    expect(cudnn(9)).toBe('CUDNN_STATUS_NOT_SUPPORTED');
    expect(cudnn(14)).toBe('CUDNN_STATUS_VERSION_MISMATCH');
    expect(cudnn(2000)).toBe('CUDNN_STATUS_BAD_PARAM'); // 9.x
    expect(cudnn(2002)).toBe('CUDNN_STATUS_BAD_PARAM_NULL_POINTER');
    expect(cudnn(3000)).toBe('CUDNN_STATUS_NOT_SUPPORTED');
    expect(cudnn(4000)).toBe('CUDNN_STATUS_INTERNAL_ERROR');
    expect(cudnn(5000)).toBe('CUDNN_STATUS_EXECUTION_FAILED');
    expect(cudnn(1008)).toBe('CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED');
    expect(cudnn(15)).toBe('UNKNOWN_CUDNN_STATUS_15');
    expect(cudnn(2999)).toBe('UNKNOWN_CUDNN_STATUS_2999');
    const cublas = (code: number) => native.cudaStatusName(1, code);
    expect(cublas(0)).toBe('CUBLAS_STATUS_SUCCESS');
    expect(cublas(3)).toBe('CUBLAS_STATUS_ALLOC_FAILED');
    expect(cublas(13)).toBe('CUBLAS_STATUS_EXECUTION_FAILED');
    expect(cublas(2)).toBe('UNKNOWN_CUBLAS_STATUS_2');
    const runtime = (code: number) => native.cudaStatusName(2, code);
    expect(runtime(0)).toBe('cudaSuccess');
    expect(runtime(2)).toBe('cudaErrorMemoryAllocation');
    expect(runtime(700)).toBe('cudaErrorIllegalAddress');
    expect(runtime(123456)).toBe('UNKNOWN_CUDA_ERROR_123456');
    expect(() => native.cudaStatusName(3, 0)).toThrow(/kind/);
  });

  it.skipIf(!compiled)('says which sonames it tried when cuDNN or cuBLAS cannot be opened', () => {
    const { cudnn, cublas } = native.cudaLibraries();
    if (cudnn.loaded) {
      expect(cudnn.soname).toMatch(/^libcudnn\.so\.[89]$/);
      expect(cudnn.version).toMatch(/^\d+\.\d+\.\d+$/);
    } else if (cudnn.soname === '') {
      // Not found at all: the reason lists every soname with its dlerror().
      expect(cudnn.error).toContain('libcudnn.so.9');
      expect(cudnn.error).toContain('libcudnn.so.8');
      expect(cudnn.error).toMatch(/cannot open shared object file|not found/);
    }
    if (cublas.loaded) {
      expect(cublas.soname).toMatch(/^libcublas\.so\.1[123]$/);
    } else if (cublas.soname === '') {
      for (const soname of ['libcublas.so.13', 'libcublas.so.12', 'libcublas.so.11']) expect(cublas.error).toContain(soname);
    }
    if (available) expect(cudnn.loaded && cublas.loaded).toBe(true);
  });

  it('reports why cuda is unavailable, and refuses cuda tensors with that reason', () => {
    if (available) {
      expect(cuda.reason).toBeUndefined();
      expect(cuda.version?.cudnn).toMatch(/^\d+\.\d+\.\d+$/);
      expect(cuda.version?.cublas).toMatch(/^\d+\.\d+\.\d+$/);
      return;
    }
    expect(reason.length).toBeGreaterThan(10);
    expect(() => Tensor.zeros([2], { device: 'cuda' })).toThrow(BackendUnavailableError);
    expect(() => Tensor.zeros([2], { device: 'cuda' })).toThrow(reason);
    const t = Tensor.ones([2]);
    expect(() => toDevice(t, 'cuda')).toThrow(BackendUnavailableError);
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, device: 'cuda' })).toThrow(BackendUnavailableError);
    const config = packGruConfig({ inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: false, bias: true, resetAfter: true,
                                   seqLen: 1, batch: 1, batchFirst: false, dropout: 0, dropoutSeedLow: 0, dropoutSeedHigh: 0, dropoutOffset: 0, allowTF32: false, ...DEFAULT_ACTIVATIONS });
    expect(() => native.gruCudnnWeightRoute(config, DTYPE_CODE.float32)).toThrow(BackendUnavailableError);
    t.dispose();
    emptyCache(); // never used: nothing to free, no error
    expect(memory().deviceCachedBytes).toBe(0);
  });

  it('toDevice to the same device is a detached view of the same memory', () => {
    const t = Tensor.from([1, 2, 3]).requiresGrad_();
    const same = toDevice(t, 'cpu');
    expect(same).not.toBe(t);
    expect(same.device).toBe('cpu');
    expect(same.requiresGrad).toBe(false);
    expect(Array.from(same.dataSync())).toEqual([1, 2, 3]);
    noGrad(() => t.fill_(7));
    expect(Array.from(same.dataSync())).toEqual([7, 7, 7]);
    expect(() => toDevice(t, 'tpu' as never)).toThrow(DeviceError);
    expect(() => toDevice({} as never, 'cpu')).toThrow(/tensor must be a Tensor/);
    same.dispose();
    t.dispose();
  });
});

describe.skipIf(!available)(`cuda backend against the cpu backend${available ? '' : ` (skipped: ${reason})`}`, () => {
  describe('tensors', () => {
    for (const dtype of DTYPES) {
      it(`round-trips ${dtype} through to('cuda') and to('cpu')`, async () => {
        const values = sample(dtype, 1027);
        const host = Tensor.from(values, [13, 79], { dtype });
        const device = toDevice(host, 'cuda');
        expect(device.device).toBe('cuda');
        expect(device.shape).toEqual([13, 79]);
        expect(device.dtype).toBe(dtype);
        const back = toDevice(device, 'cpu');
        expect(back.dataSync()).toEqual(host.dataSync());
        expect(device.dataSync()).toEqual(host.dataSync());
        expect(await device.data()).toEqual(host.dataSync());
        const direct = Tensor.from(values, [1027], { dtype, device: 'cuda' });
        expect(direct.dataSync()).toEqual(host.dataSync());
        for (const t of [host, device, back, direct]) t.dispose();
      });
    }

    it('round-trips an empty tensor and a large one', async () => {
      const empty = Tensor.zeros([0], { device: 'cuda' });
      expect(empty.dataSync().length).toBe(0);
      expect((await empty.data()).length).toBe(0);
      const big = Tensor.rand([3_000_001], { dtype: 'float32', generator: new Generator(5) });
      const onDevice = toDevice(big, 'cuda');
      expect(await onDevice.data()).toEqual(big.dataSync());
      const back = toDevice(onDevice, 'cpu');
      expect(back.dataSync()).toEqual(big.dataSync());
      for (const t of [empty, big, onDevice, back]) t.dispose();
    });

    it('orders copies after work queued on both devices', async () => {
      const host = Tensor.zeros([4096]);
      noGrad(() => host.fill_(3)); // queued on the CPU stream
      const device = toDevice(host, 'cuda');
      noGrad(() => device.fill_(5)); // queued on the CUDA stream
      const back = toDevice(device, 'cpu'); // waits for the fill on the CPU stream's worker
      const plusOne = add(back, 1); // a CPU op queued after the copy
      expect(Array.from(new Set(plusOne.dataSync()))).toEqual([6]);
      const reads = await Promise.all(Array.from({ length: 32 }, () => device.data()));
      for (const read of reads) expect(Array.from(new Set(read))).toEqual([5]);
      for (const t of [host, device, back, plusOne]) t.dispose();
    });

    for (const dtype of DTYPES) {
      it(`fills ${dtype}`, () => {
        const value = dtype === 'int32' ? -7 : 3.25;
        const t = Tensor.full([1000], value, { dtype, device: 'cuda' });
        expect(Array.from(new Set(t.dataSync()))).toEqual([value]);
        const z = Tensor.zeros([5], { dtype, device: 'cuda' });
        expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0, 0]);
        t.dispose();
        z.dispose();
      });
    }

    it('copies on the device, also between overlapping views', () => {
      const base = Tensor.from(Float64Array.from({ length: 10 }, (_, i) => i), [10], { device: 'cuda' });
      const head = base.narrow(0, 0, 8);
      const tail = base.narrow(0, 2, 8);
      native.copy(tail.handle, 0, 8, head.handle, 0, 8, 1, 8); // overlapping: like memmove
      expect(Array.from(base.dataSync())).toEqual([0, 1, 0, 1, 2, 3, 4, 5, 6, 7]);
      for (const t of [base, head, tail]) t.dispose();
    });
  });

  describe('random streams equal the cpu backend for the same seed', () => {
    for (const dtype of FLOAT_DTYPES) {
      it(`uniform ${dtype} is bit-equal`, () => {
        const draw = (device: 'cpu' | 'cuda') => {
          const generator = new Generator(20240611n);
          const first = Tensor.rand([1001], { dtype, device, generator, low: -2, high: 3 });
          const second = Tensor.rand([17], { dtype, device, generator });
          const drawn = { first: first.dataSync(), second: second.dataSync(), offset: generator.offset };
          first.dispose();
          second.dispose();
          return drawn;
        };
        const onCpu = draw('cpu');
        const onCuda = draw('cuda');
        expect(onCuda.offset).toBe(onCpu.offset);
        expect(onCuda.first).toEqual(onCpu.first);
        expect(onCuda.second).toEqual(onCpu.second);
      });

      it(`normal ${dtype} matches (log/sin/cos may differ in the last ulp)`, () => {
        const draw = (device: 'cpu' | 'cuda') => {
          const generator = new Generator(7);
          const values = Tensor.randn([999], { dtype, device, generator, mean: 1.5, std: 2 });
          const drawn = { values: values.dataSync(), offset: generator.offset };
          values.dispose();
          return drawn;
        };
        const onCpu = draw('cpu');
        const onCuda = draw('cuda');
        expect(onCuda.offset).toBe(onCpu.offset);
        const tolerance = dtype === 'float64' ? { rtol: 1e-13, atol: 1e-13 } : { rtol: 2.5e-7, atol: 1e-6 };
        compareArrays(`normal ${dtype}`, onCuda.values, onCpu.values, tolerance);
      });
    }
  });

  describe('arithmetic equals the cpu backend', () => {
    for (const dtype of FLOAT_DTYPES) {
      it(`elementwise ${dtype} (exactly rounded on both devices)`, () => {
        const generator = new Generator(3);
        const a = Tensor.rand([4099], { dtype, generator, low: -3, high: 3 });
        const b = Tensor.rand([4099], { dtype, generator, low: 0.5, high: 2 });
        const scalar = Tensor.from([1.75], [1], { dtype });
        const [ca, cb, cs] = [a, b, scalar].map((t) => toDevice(t, 'cuda'));
        for (const op of [add, sub, mul, div]) {
          for (const [x, y, dx, dy] of [[a, b, ca, cb], [a, scalar, ca, cs]] as const) {
            const expected = op(x, y);
            const actual = op(dx, dy);
            expect(actual.device).toBe('cuda');
            expect(actual.dataSync()).toEqual(expected.dataSync());
            expected.dispose();
            actual.dispose();
          }
        }
        for (const t of [a, b, scalar, ca, cb, cs]) t.dispose();
      });

      it(`axpby and sum ${dtype}`, () => {
        const generator = new Generator(4);
        const x = Tensor.rand([100_003], { dtype, generator, low: -1, high: 1 });
        const y = Tensor.rand([100_003], { dtype, generator, low: -1, high: 1 });
        const [cx, cy] = [x, y].map((t) => toDevice(t, 'cuda'));
        noGrad(() => {
          x.add_(y, -0.625);
          cx.add_(cy, -0.625);
        });
        const tol = dtype === 'float64' ? { rtol: 1e-15, atol: 1e-15 } : { rtol: 1e-6, atol: 1e-7 };
        compareArrays('axpby', cx.dataSync(), x.dataSync(), tol);
        const total = sum(x);
        const deviceTotal = sum(cx);
        // Both accumulate in double, in different orders.
        compareArrays('sum', deviceTotal.dataSync(), total.dataSync(), dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-6, atol: 1e-6 });
        for (const t of [x, y, cx, cy, total, deviceTotal]) t.dispose();
      });

      it(`gemm ${dtype} with every transpose combination, beta and k = 0`, () => {
        const [m, n, k] = [37, 19, 23];
        const generator = new Generator(9);
        const tol = dtype === 'float64' ? { rtol: 1e-12, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-5 };
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const a = Tensor.rand([m * k], { dtype, generator, low: -1, high: 1 });
            const b = Tensor.rand([k * n], { dtype, generator, low: -1, high: 1 });
            const c = Tensor.rand([m * n], { dtype, generator, low: -1, high: 1 });
            const [ca, cb, cc] = [a, b, c].map((t) => toDevice(t, 'cuda'));
            native.gemm(transA, transB, m, n, k, 1.5, a.handle, b.handle, 0.5, c.handle);
            native.gemm(transA, transB, m, n, k, 1.5, ca.handle, cb.handle, 0.5, cc.handle);
            compareArrays(`gemm transA=${transA} transB=${transB}`, cc.dataSync(), c.dataSync(), tol);
            for (const t of [a, b, c, ca, cb, cc]) t.dispose();
          }
        }
        // beta = 0 never reads C (NaN stays out); k = 0 leaves beta * C.
        const a = Tensor.ones([6], { dtype, device: 'cuda' });
        const b = Tensor.ones([6], { dtype, device: 'cuda' });
        const c = Tensor.full([4], Number.NaN, { dtype, device: 'cuda' });
        native.gemm(false, false, 2, 2, 3, 1, a.handle, b.handle, 0, c.handle);
        expect(Array.from(c.dataSync())).toEqual([3, 3, 3, 3]);
        const empty = Tensor.zeros([0], { dtype, device: 'cuda' });
        native.gemm(false, false, 2, 2, 0, 1, empty.handle, empty.handle, 0.5, c.handle);
        expect(Array.from(c.dataSync())).toEqual([1.5, 1.5, 1.5, 1.5]);
        // A column bias is the CPU GEMM's (linear() spreads it into c on cuda).
        const bias = Tensor.ones([2], { dtype, device: 'cuda' });
        expect(() => native.gemm(false, false, 2, 2, 3, 1, a.handle, b.handle, 0, c.handle, 1, 0, 0, 0, bias.handle)).toThrow(/bias runs on the CPU only/);
        for (const t of [a, b, c, empty, bias]) t.dispose();
      });
    }

    it('int32 elementwise', () => {
      const a = Tensor.from([5, -9, 100, 7], [4], { dtype: 'int32', device: 'cuda' });
      const b = Tensor.from([2, 3, -4, 7], [4], { dtype: 'int32', device: 'cuda' });
      const out = Tensor.empty([4], { dtype: 'int32', device: 'cuda' });
      const expected = [[7, -6, 96, 14], [3, -12, 104, 0], [10, -27, -400, 49], [2, -3, -25, 1]];
      for (let op = 0; op < 4; op++) {
        native.binary(op, out.handle, a.handle, b.handle);
        expect(Array.from(out.dataSync())).toEqual(expected[op]);
      }
      for (const t of [a, b, out]) t.dispose();
    });
  });

  describe('memory', () => {
    it('reuses a freed block of the same size class instead of allocating', async () => {
      await settle();
      emptyCache();
      const before = memory();
      expect(before.deviceCachedBytes).toBe(0);
      const first = Tensor.empty([1000], { device: 'cuda' }); // 4000 bytes -> the 4096-byte class
      expect(memory().deviceBytes).toBe(before.deviceBytes + 4000);
      first.dispose();
      const cached = memory().deviceCachedBytes;
      expect(cached).toBe(4096);
      for (let i = 0; i < 1000; i++) {
        const again = Tensor.empty([1000], { device: 'cuda' });
        expect(memory().deviceCachedBytes).toBe(cached - 4096);
        again.dispose();
      }
      expect(memory().deviceCachedBytes).toBe(cached);
      expect(memory().deviceBytes).toBe(before.deviceBytes);
      emptyCache();
      expect(memory().deviceCachedBytes).toBe(0);
    });

    it('does not leak device memory over many ops', async () => {
      await settle();
      const run = () => {
        const generator = new Generator(11);
        const a = Tensor.rand([128, 64], { device: 'cuda', generator });
        const b = mul(a, a);
        const c = add(b, 1);
        const s = sum(c);
        const host = toDevice(s, 'cpu');
        host.dataSync();
        for (const t of [a, b, c, s, host]) t.dispose();
      };
      run();
      await settle();
      const base = memory();
      for (let i = 0; i < 300; i++) run();
      await settle();
      const after = memory();
      expect(after.tensors).toBe(base.tensors);
      expect(after.deviceBytes).toBe(base.deviceBytes);
      expect(after.deviceCachedBytes).toBe(base.deviceCachedBytes); // every size class was reused
    });
  });

  describe('GRU: cuDNN against the CPU kernels on identical weights', () => {
    const TOLERANCE = {
      float64: { rtol: 1e-9, atol: 1e-11 },
      float32: { rtol: 1e-4, atol: 1e-5 }, // FMA math, no TF32
    };

    function tensorOf(fixture: GruFixture, name: string, device: 'cpu' | 'cuda', requiresGrad = false): Tensor {
      const raw = fixture.tensors[name];
      const t = Tensor.from(raw.data, raw.shape, { dtype: raw.dtype, device });
      return requiresGrad ? t.requiresGrad_() : t;
    }

    interface RunResult {
      values: Record<string, ArrayLike<number>>;
      shapes: Record<string, readonly number[]>;
    }

    function run(fixture: GruFixture, device: 'cpu' | 'cuda', passes = 1): RunResult {
      const { config } = fixture;
      const common = { inputSize: config.inputSize, hiddenSize: config.hiddenSize, bias: config.bias, dtype: config.dtype, device };
      const cell = config.kind === 'gru_cell';
      const layer = cell
        ? new GRUCell(common)
        : new GRU({ ...common, numLayers: config.numLayers, bidirectional: config.bidirectional, batchFirst: config.batchFirst,
          resetAfter: config.kind !== 'gru_reset_before' });
      const state: Record<string, Tensor> = {};
      for (const name of parameterNames(config)) state[name] = tensorOf(fixture, name, 'cpu');
      layer.loadStateDict(state);
      const x = tensorOf(fixture, 'x', device, true);
      const h0 = config.hasH0 ? tensorOf(fixture, 'h0', device, true) : undefined;
      const dy = tensorOf(fixture, 'dy', device);
      const values: RunResult['values'] = {};
      const shapes: RunResult['shapes'] = {};
      const keep = (name: string, t: Tensor) => {
        values[name] = t.dataSync();
        shapes[name] = t.shape;
      };
      // Several passes check that weight gradients accumulate (cuDNN's WGRAD_MODE_ADD).
      for (let pass = 0; pass < passes; pass++) {
        let loss: Tensor;
        if (layer instanceof GRUCell) {
          const h = layer.forward(x, h0);
          keep('output', h);
          loss = sum(mul(h, dy));
        } else {
          const { output, hN } = layer.forward(x, { h0, lengths: config.lengths ?? undefined });
          keep('output', output);
          keep('h_n', hN);
          loss = add(sum(mul(output, dy)), sum(mul(hN, tensorOf(fixture, 'dh_n', device))));
        }
        loss.backward();
      }
      keep('grad.x', x.grad!);
      if (h0) keep('grad.h0', h0.grad!);
      const params = new Map(layer.namedParameters());
      for (const name of parameterNames(config)) keep(`grad.${name}`, params.get(name)!.grad!);
      layer.dispose();
      return { values, shapes };
    }

    function compareRuns(fixture: GruFixture, onCuda: RunResult, onCpu: RunResult): void {
      const tol = TOLERANCE[fixture.config.dtype];
      expect(Object.keys(onCuda.values).sort()).toEqual(Object.keys(onCpu.values).sort());
      for (const name of Object.keys(onCpu.values)) {
        compareArrays(`${fixture.name} ${name}`, onCuda.values[name], onCpu.values[name], { ...tol, shape: onCpu.shapes[name] });
      }
    }

    for (const name of listGruFixtures()) {
      const fixture = loadGruFixture(name);
      // Reset-before fixtures run composed of ops on cuda (no cuDNN form).
      it(`${name}: forward, final states and every gradient`, () => {
        compareRuns(fixture, run(fixture, 'cuda'), run(fixture, 'cpu'));
      });
    }

    it('says whether cuDNN reads the flat PyTorch-order weights directly, per network shape', () => {
      const base = { inputSize: 5, hiddenSize: 7, numLayers: 1, bidirectional: false, bias: true, resetAfter: true, seqLen: 3,
                     batch: 2, batchFirst: false, dropout: 0, dropoutSeedLow: 0, dropoutSeedHigh: 0, dropoutOffset: 0, allowTF32: false, ...DEFAULT_ACTIVATIONS };
      const shapes = {
        'one layer': base,
        'two layers': { ...base, numLayers: 2 },
        'bidirectional': { ...base, bidirectional: true },
        'two layers, bidirectional': { ...base, numLayers: 2, bidirectional: true },
        'two layers, no bias': { ...base, numLayers: 2, bias: false },
      };
      const routes: Record<string, string> = {};
      for (const dtype of FLOAT_DTYPES) {
        for (const [name, config] of Object.entries(shapes)) {
          routes[`${name} ${dtype}`] = native.gruCudnnWeightRoute(packGruConfig(config), DTYPE_CODE[dtype]);
        }
      }
      console.log(`cuDNN weight routes: ${JSON.stringify(routes, null, 2)}`);
      for (const route of Object.values(routes)) expect(['direct', 'packed', 'packed (forced)']).toContain(route);
    });

    it('accumulates weight gradients over backward passes like the cpu', () => {
      const fixture = loadGruFixture('bidir2-float64');
      compareRuns(fixture, run(fixture, 'cuda', 2), run(fixture, 'cpu', 2));
    });

    it('inference (noGrad) gives the training forward\'s output', () => {
      const generator = new Generator(21);
      const gru = new GRU({ inputSize: 5, hiddenSize: 7, numLayers: 2, bidirectional: true, dtype: 'float64', device: 'cuda', generator });
      const x = Tensor.rand([6, 3, 5], { dtype: 'float64', device: 'cuda', generator }).requiresGrad_();
      const training = gru.forward(x);
      const inference = noGrad(() => gru.forward(x));
      compareArrays('output', inference.output.dataSync(), training.output.dataSync(), { rtol: 1e-12, atol: 1e-14 });
      compareArrays('hN', inference.hN.dataSync(), training.hN.dataSync(), { rtol: 1e-12, atol: 1e-14 });
      for (const t of [x, training.output, training.hN, inference.output, inference.hN]) t.dispose();
      gru.dispose();
    });

    it('runs dropout between layers with cuDNN\'s generator (its masks differ from the cpu\'s)', () => {
      const generator = new Generator(22);
      const gru = new GRU({ inputSize: 4, hiddenSize: 8, numLayers: 3, dropout: 0.5, dtype: 'float32', device: 'cuda', generator });
      const x = Tensor.rand([5, 2, 4], { device: 'cuda', generator }).requiresGrad_();
      const { output, hN } = gru.forward(x);
      const evaluated = noGrad(() => gru.forward(x));
      sum(output).backward();
      expect(x.grad!.dataSync().every(Number.isFinite)).toBe(true);
      expect(output.dataSync()).not.toEqual(evaluated.output.dataSync());
      for (const t of [x, output, hN, evaluated.output, evaluated.hN]) t.dispose();
      gru.dispose();
    });

    it('allowTF32 runs float32 on TF32 tensor cores, close to the strict result', () => {
      const make = (allowTF32: boolean): GRU =>
        new GRU({ inputSize: 64, hiddenSize: 64, numLayers: 2, allowTF32, device: 'cuda', generator: new Generator(24) });
      const [strict, tf32] = [make(false), make(true)];
      expect(tf32.allowTF32).toBe(true);
      const x = Tensor.rand([9, 4, 64], { device: 'cuda', generator: new Generator(25) });
      const a = noGrad(() => strict.forward(x));
      const b = noGrad(() => tf32.forward(x));
      // TF32 keeps 10 mantissa bits: about 1e-3 relative on values of order 1.
      compareArrays('tf32 output', b.output.dataSync(), a.output.dataSync(), { rtol: 2e-2, atol: 2e-2 });
      for (const t of [x, a.output, a.hN, b.output, b.hN]) t.dispose();
      [strict, tf32].forEach((m) => m.dispose());
    });

    it('streams step() on cuda with the numbers of forward() on cuda', () => {
      const gru = new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, dtype: 'float64', device: 'cuda', generator: new Generator(26) });
      const x = Tensor.rand([6, 2, 3], { dtype: 'float64', device: 'cuda', generator: new Generator(27) });
      const { output, hN } = noGrad(() => gru.forward(x));
      const full = output.dataSync();
      let state: Tensor | undefined;
      for (let t = 0; t < 6; t++) {
        const xt = x.narrow(0, t, 1).reshape([2, 3]);
        const step = noGrad(() => gru.step(xt, state));
        expect(step.output.device).toBe('cuda');
        compareArrays(`step ${t}`, step.output.dataSync(), full.slice(t * 10, t * 10 + 10), { rtol: 1e-12, atol: 1e-14 });
        state?.dispose();
        state = step.state;
        step.output.dispose();
        xt.dispose();
      }
      compareArrays('final state', state!.dataSync(), hN.dataSync(), { rtol: 1e-12, atol: 1e-14 });
      for (const t of [x, output, hN, state!]) t.dispose();
      gru.dispose();
    });

    it('takes lengths as host values, refuses a cuda tensor of lengths with a clear message, and rejects a zero length as PyTorch does', () => {
      const gru = new GRU({ inputSize: 2, hiddenSize: 3, device: 'cuda', generator: new Generator(28) });
      const x = Tensor.rand([4, 2, 2], { device: 'cuda', generator: new Generator(29) });
      expect(() => gru.forward(x, { lengths: [4, 0] })).toThrow(/lengths\[1\] must be an integer in \[1, 4\]/);
      const lengths = Tensor.from(Int32Array.from([4, 2])).to('cuda');
      expect(() => gru.forward(x, { lengths: lengths as never })).toThrow(/must be host values .* await lengths.data\(\)/);
      const fromArray = noGrad(() => gru.forward(x, { lengths: [4, 2] }));
      const fromTyped = noGrad(() => gru.forward(x, { lengths: Int32Array.from([4, 2]) }));
      expect(fromTyped.output.dataSync()).toEqual(fromArray.output.dataSync());
      // Padded steps of the short sequence are zeros (t = 2, 3 of batch row 1).
      const y = fromArray.output.dataSync();
      expect([...y.slice(2 * 6 + 3, 2 * 6 + 6), ...y.slice(3 * 6 + 3, 3 * 6 + 6)].every((v) => v === 0)).toBe(true);
      for (const t of [x, lengths, fromArray.output, fromArray.hN, fromTyped.output, fromTyped.hN]) t.dispose();
      gru.dispose();
    });

    it('trains like the cpu: GRU, matmul head, mse and SGD steps in float64', () => {
      const generator = new Generator(30);
      const init = new GRU({ inputSize: 3, hiddenSize: 6, numLayers: 2, dtype: 'float64', generator });
      const start = init.stateDict();
      const draw = (shape: number[]) => Tensor.randn(shape, { dtype: 'float64', generator });
      const [head0, x0, target0] = [draw([6, 2]), draw([5, 4, 3]), draw([4, 2])];
      const train = (device: 'cpu' | 'cuda') => {
        const gru = new GRU({ inputSize: 3, hiddenSize: 6, numLayers: 2, dtype: 'float64', device });
        gru.loadStateDict(start);
        // Copies: to() onto the same device would share memory, and SGD updates the head in place.
        const copy = (t: Tensor) => Tensor.from(t.dataSync(), t.shape, { dtype: 'float64', device });
        const head = copy(head0).requiresGrad_();
        const [x, target] = [copy(x0), copy(target0)];
        const lossValues: number[] = [];
        for (let step = 0; step < 3; step++) {
          const { output, hN } = gru.forward(x, { lengths: [5, 3, 4, 2] });
          const top = hN.narrow(0, 1, 1); // the last layer's final states
          const last = top.reshape([4, 6]);
          const prediction = matmul(last, head);
          const loss = losses.mse(prediction, target);
          loss.backward();
          lossValues.push(loss.itemSync());
          noGrad(() => {
            for (const p of [...gru.parameters(), head]) p.add_(p.grad!, -0.1);
          });
          gru.zeroGrad();
          head.grad!.zero_();
          for (const t of [output, hN, top, last, prediction, loss]) t.dispose();
        }
        const result = { losses: lossValues, weights: gru.flatWeights.dataSync(), head: head.dataSync() };
        for (const t of [head.grad!, head, x, target]) t.dispose();
        gru.dispose();
        return result;
      };
      const [onCuda, onCpu] = [train('cuda'), train('cpu')];
      const tol = { rtol: 1e-9, atol: 1e-11 };
      compareArrays('losses', onCuda.losses, onCpu.losses, tol);
      compareArrays('weights after 3 steps', onCuda.weights, onCpu.weights, tol);
      compareArrays('head after 3 steps', onCuda.head, onCpu.head, tol);
      expect(onCpu.losses[2]).toBeLessThan(onCpu.losses[0]);
      for (const t of [head0, x0, target0, ...Object.values(start)]) t.dispose();
      init.dispose();
    });

    it('does not leak device memory over training steps', async () => {
      const generator = new Generator(23);
      const gru = new GRU({ inputSize: 6, hiddenSize: 10, numLayers: 2, dtype: 'float32', device: 'cuda', generator });
      const step = () => {
        const x = Tensor.rand([7, 4, 6], { device: 'cuda', generator }).requiresGrad_();
        const { output, hN } = gru.forward(x, { lengths: [7, 3, 5, 1] });
        const loss = add(sum(output), sum(hN));
        loss.backward();
        gru.zeroGrad();
        for (const t of [x, x.grad!, output, hN, loss]) t.dispose();
      };
      step();
      await settle();
      const base = memory();
      for (let i = 0; i < 50; i++) step();
      await settle();
      const after = memory();
      expect(after.tensors).toBe(base.tensors);
      expect(after.deviceBytes).toBe(base.deviceBytes);
      gru.dispose();
    });
  });
});
