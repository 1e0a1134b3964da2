import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { BackendUnavailableError, Tensor, backends, getNumThreads, setNumThreads } from '../lib/index';
import { DEVICE_CODE, DTYPE_CODE } from '../lib/dtype';
import * as errors from '../lib/errors';

import { native } from '../lib/native/binding';
import { GRU_CONFIG_KINDS } from '../lib/native/gru-config';
import { BINARY_OP_CODE } from '../lib/ops/arithmetic';
import { KERNELS } from '../lib/ops/gru';
import { openblasCoreFor } from '../lib/native/openblas-core';
import { addonCandidates, localBuildPaths, prebuiltPath } from '../lib/native/addon-location';

const hasNvidiaDevice = existsSync('/dev/nvidiactl');

describe('backends()', () => {
  it('lists cpu as available with its BLAS', () => {
    const cpu = backends().find((b) => b.name === 'cpu')!;
    expect(cpu.available).toBe(true);
    expect(cpu.version?.openblas).toMatch(/OpenBLAS/);
    expect(cpu.threads).toBeGreaterThan(0);
  });

  it('reports cuda with a reason when it cannot be used, and caches the probe', () => {
    const first = backends();
    const cuda = first.find((b) => b.name === 'cuda')!;
    expect(typeof cuda.available).toBe('boolean');
    if (!cuda.available) expect(cuda.reason).toMatch(/\w+/);
    if (!hasNvidiaDevice) {
      expect(cuda.available).toBe(false);
      expect(cuda.reason).toMatch(/NVIDIA driver|CUDA toolkit/);
    }
    expect(backends()).toEqual(first);
    // Callers get copies: mutating one does not change the cache.
    first[0].available = false;
    expect(backends()[0].available).toBe(true);
  });

  it.skipIf(hasNvidiaDevice)('refuses cuda tensors with the probe reason', () => {
    const reason = backends().find((b) => b.name === 'cuda')!.reason!;
    expect(() => Tensor.zeros([2], { device: 'cuda' })).toThrow(BackendUnavailableError);
    expect(() => Tensor.zeros([2], { device: 'cuda' })).toThrow(reason);
  });

  it('sets the CPU thread count', () => {
    const before = getNumThreads();
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    expect(backends()[0].threads).toBe(1);
    setNumThreads(before);
    expect(getNumThreads()).toBe(before);
    expect(() => setNumThreads(0)).toThrow(/threads must be an integer >= 1, got 0/);
  });
});

describe('native constants', () => {
  it('agree with the TypeScript tables', () => {
    const constants = native.constants();
    expect(constants.dtypes).toEqual(DTYPE_CODE);
    expect(constants.devices).toEqual(DEVICE_CODE);
    // Each native error kind names a class lib/errors.ts defines, so it becomes that class.
    for (const name of Object.keys(constants.errorKinds)) expect(typeof (errors as Record<string, unknown>)[name]).toBe('function');
    // Every name lib/ uses for a code is one the addon exports (Note [op codes]), and no more.
    expect(Object.keys(constants.binaryOps).sort()).toEqual(Object.keys(BINARY_OP_CODE).sort());
    expect(Object.keys(constants.kernels).sort()).toEqual([...KERNELS].sort());
    expect(Object.keys(constants.distributions).sort()).toEqual(['normal', 'uniform']);
    expect(constants.gruConfigFields.map((f) => [f.name, f.kind])).toEqual(Object.entries(GRU_CONFIG_KINDS));
  });

  it('every native failure becomes a typed JS error, including exceptions that are not std::exception', async () => {
    const { GruError, NativeError, OutOfMemoryError, ShapeError } = await import('../lib/errors');
    const error = (what: number): unknown => {
      try {
        native.throwForTest(what);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    expect(error(0)).toBeInstanceOf(NativeError);
    expect((error(0) as Error).message).toMatch(/internal error in gru-native: unknown exception/);
    expect((error(0) as InstanceType<typeof GruError>).code).toBe('INTERNAL');
    expect(error(1)).toBeInstanceOf(NativeError);
    expect((error(1) as Error).message).toMatch(/a std::runtime_error/);
    expect(error(2)).toBeInstanceOf(OutOfMemoryError);
    expect(error(3)).toBeInstanceOf(ShapeError);
  });

  it('native re-checks raise typed errors, not crashes', async () => {
    const { ArgumentError, DisposedError, ShapeError } = await import('../lib/errors');
    const t = Tensor.zeros([4]);
    expect(() => native.view(t.handle, 2, 3)).toThrow(ShapeError);
    expect(() => native.view({} as never, 0, 1)).toThrow(ArgumentError);
    expect(() => native.empty(0, 0, -1)).toThrow(/argument 2 \(numel\) must be an integer in \[0, 9007199254740991\]/);
    expect(() => native.empty(9, 0, 1)).toThrow(/dtype/);
    const h = t.handle;
    t.dispose();
    expect(() => native.readSync(h, new Float32Array(4))).toThrow(DisposedError);
  });
});

describe('which binary and which kernels', () => {
  it('names the addon file it loaded and the kernel variants this CPU runs', () => {
    const cpu = backends().find((b) => b.name === 'cpu')!;
    expect(existsSync(cpu.binary!.path)).toBe(true);
    expect(cpu.binary!.prebuilt).toBe(cpu.binary!.path === prebuiltPath(join(__dirname, '..')));
    expect(['x86-64-v4', 'x86-64-v3', 'x86-64', 'build flags']).toContain(cpu.kernels!.gru);
    if (process.arch === 'x64' && cpu.binary!.prebuilt) expect(cpu.kernels!.gru).not.toBe('build flags');
    if (process.env.OPENBLAS_CORETYPE) expect(cpu.kernels!.openblas.toLowerCase()).toBe(process.env.OPENBLAS_CORETYPE.toLowerCase());
    else expect(cpu.kernels!.openblas).toMatch(/^\w+$/);
  });

  it('tries GRU_NATIVE_ADDON alone, else the prebuilt before a local build unless building from source', () => {
    const root = mkdtempSync(join(tmpdir(), 'gru-native-root-'));
    const local = localBuildPaths(root);
    expect(addonCandidates(root, {}).map((c) => c.path)).toEqual(local); // no prebuilt here
    mkdirSync(dirname(prebuiltPath(root)), { recursive: true });
    writeFileSync(prebuiltPath(root), '');
    const withPrebuilt = addonCandidates(root, {});
    if (process.platform === 'linux' && process.arch === 'x64') {
      expect(withPrebuilt).toEqual([{ path: prebuiltPath(root), prebuilt: true }, ...local.map((path) => ({ path, prebuilt: false }))]);
      expect(addonCandidates(root, { GRU_NATIVE_BUILD_FROM_SOURCE: '1' }).map((c) => c.path)).toEqual([...local, prebuiltPath(root)]);
    } else {
      expect(withPrebuilt.map((c) => c.path)).toEqual(local);
    }
    expect(addonCandidates(root, { GRU_NATIVE_ADDON: '/x/y.node' })).toEqual([{ path: '/x/y.node', prebuilt: false }]);
    expect(addonCandidates(root, { GRU_NATIVE_ADDON: prebuiltPath(root) })).toEqual([{ path: prebuiltPath(root), prebuilt: true }]);
  });
});

describe('OpenBLAS kernel choice (Note [OpenBLAS kernel choice])', () => {
  const cpu = (vendor: string, flags: string, family = 6) =>
    `processor\t: 0\nvendor_id\t: ${vendor}\ncpu family\t: ${family}\nflags\t\t: ${flags}\n\nprocessor\t: 1\n`;
  const avx2 = 'fpu sse sse2 ssse3 sse4_1 sse4_2 avx fma avx2';
  const avx512 = `${avx2} avx512f avx512dq avx512cd avx512bw avx512vl`;

  it('names the kernels the CPU features support', () => {
    expect(openblasCoreFor(cpu('GenuineIntel', `${avx512} avx512_bf16 amx_tile`))).toBe('Cooperlake'); // Sapphire/Emerald Rapids
    expect(openblasCoreFor(cpu('GenuineIntel', avx512))).toBe('SkylakeX'); // Skylake-SP, Ice Lake-SP
    expect(openblasCoreFor(cpu('GenuineIntel', avx2))).toBe('Haswell');
    expect(openblasCoreFor(cpu('AuthenticAMD', `${avx512} avx512_bf16`, 26))).toBe('Cooperlake'); // Zen 5
    expect(openblasCoreFor(cpu('AuthenticAMD', avx512, 26))).toBe('SkylakeX');
    expect(openblasCoreFor(cpu('AuthenticAMD', avx2, 26))).toBe('Zen'); // a family-1Ah part without AVX-512
    expect(openblasCoreFor(cpu('AuthenticAMD', `${avx512} avx512_bf16`, 25))).toBeNull(); // Zen 4: OpenBLAS knows it
    expect(openblasCoreFor(cpu('HygonGenuine', avx2, 24))).toBeNull();
    expect(openblasCoreFor(cpu('GenuineIntel', 'fpu sse sse2 avx'))).toBeNull(); // no AVX2: OpenBLAS decides
    expect(openblasCoreFor(cpu('CentaurHauls', avx2))).toBeNull();
    expect(openblasCoreFor('')).toBeNull();
  });

  it.skipIf(process.platform !== 'linux' || !existsSync('/proc/cpuinfo'))('is what the loaded OpenBLAS runs here', () => {
    const expected = process.env.OPENBLAS_CORETYPE;
    const loaded = backends().find((b) => b.name === 'cpu')!.version!.openblas;
    if (expected) expect(loaded).toContain(` ${expected} `);
    else expect(openblasCoreFor(readFileSync('/proc/cpuinfo', 'utf8'))).toBeNull();
  });
});
