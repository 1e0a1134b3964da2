/**
 * Where cuDNN and cuBLAS are looked for (Note [CUDA library folders] in native/cuda/dynload.h):
 * after the loader's own search, the folders of GRU_NATIVE_CUDA_LIBS, then the NVIDIA wheels
 * of the active Python environment. Stand-in libraries built here with the C++ compiler take
 * the real ones' sonames and, like them, need a companion library that only the preloading
 * makes findable.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { native } from '../lib/native/binding';
import { root, runChild } from './helpers/child';

const compiled = native.probeCuda().compiled;
const compiler = spawnSync('c++', ['--version']).status === 0;

/** Builds `soname` in `folder` from `source`, linked against the sonames in `needs` (found in the same folder at link time only). */
function sharedLibrary(folder: string, soname: string, source: string, needs: string[] = []): void {
  const file = join(folder, `${soname}.cc`);
  writeFileSync(file, source);
  const result = spawnSync('c++', ['-shared', '-fPIC', `-Wl,-soname,${soname}`, '-o', join(folder, soname), file,
    `-L${folder}`, ...needs.map((n) => `-l:${n}`)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building ${soname} failed: ${result.stderr}`);
}

/** A folder holding a stand-in libcudnn.so.9 (version 9.1.0, no RNN functions) that needs libcudnn_graph.so.9. */
function fakeCudnn(folder: string): string {
  mkdirSync(folder, { recursive: true });
  sharedLibrary(folder, 'libcudnn_graph.so.9', 'extern "C" int graphPart() { return 1; }\n');
  sharedLibrary(folder, 'libcudnn.so.9',
    'extern "C" int graphPart();\nextern "C" unsigned long cudnnGetVersion() { return graphPart() ? 90100 : 0; }\n',
    ['libcudnn_graph.so.9']);
  return folder;
}

interface Library { loaded: boolean; soname: string; path: string; version: string; error: string }

/** native.cudaLibraries() in a fresh process (each library is opened once per process). */
function librariesWith(env: NodeJS.ProcessEnv): { cudnn: Library; cublas: Library } {
  const binding = join(root, 'dist', 'cjs', 'native', 'binding.js');
  const childEnv = { ...process.env, ...env };
  for (const variable of ['VIRTUAL_ENV', 'CONDA_PREFIX', 'GRU_NATIVE_CUDA_LIBS', 'LD_LIBRARY_PATH']) {
    if (!(variable in env)) delete childEnv[variable];
  }
  const result = runChild(`process.stdout.write(JSON.stringify(require(${JSON.stringify(binding)}).native.cudaLibraries()))`, { env: childEnv });
  if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const reason = !compiled ? 'the addon was built without CUDA' : !compiler ? 'no C++ compiler (c++) on PATH' : '';
if (reason) console.log(`cuda-libraries.test.ts skipped: ${reason}`);

describe.skipIf(reason !== '')('finding cuDNN and cuBLAS outside the loader path', () => {
  // A real cuDNN on the loader path would be found first; these cases need it absent.
  const systemCudnn = compiled && native.cudaLibraries().cudnn.soname !== '';

  it.skipIf(systemCudnn)('opens libcudnn.so.9 from a GRU_NATIVE_CUDA_LIBS folder, with its companion, and says where', () => {
    const base = mkdtempSync(join(tmpdir(), 'gru-native-cudalibs-'));
    const folder = fakeCudnn(join(base, 'cudnn'));
    const { cudnn } = librariesWith({ GRU_NATIVE_CUDA_LIBS: `${join(base, 'empty')}:${folder}` });
    expect(cudnn.soname).toBe('libcudnn.so.9');
    expect(cudnn.path).toBe(join(folder, 'libcudnn.so.9'));
    expect(cudnn.version).toBe('9.1.0');
    // The stand-in has no RNN functions: found, but refused, with the reason.
    expect(cudnn.loaded).toBe(false);
    expect(cudnn.error).toMatch(/^cuDNN 9\.1\.0 \(libcudnn\.so\.9\) lacks cudnn/);
  });

  it.skipIf(systemCudnn)('finds it in the active virtual environment\'s site-packages/nvidia/*/lib', () => {
    const venv = mkdtempSync(join(tmpdir(), 'gru-native-venv-'));
    const folder = fakeCudnn(join(venv, 'lib', 'python3.11', 'site-packages', 'nvidia', 'cudnn', 'lib'));
    const { cudnn } = librariesWith({ VIRTUAL_ENV: venv });
    expect(cudnn.path).toBe(join(folder, 'libcudnn.so.9'));
    expect(cudnn.version).toBe('9.1.0');
  });

  it.skipIf(systemCudnn)('names the folders it searched when the library is in none of them', () => {
    const missing = join(tmpdir(), 'gru-native-no-such-folder');
    const { cudnn, cublas } = librariesWith({ GRU_NATIVE_CUDA_LIBS: missing });
    expect(cudnn.loaded).toBe(false);
    expect(cudnn.path).toBe('');
    expect(cudnn.error).toContain(`Folders searched besides the loader's: ${missing}.`);
    expect(cudnn.error).toContain('GRU_NATIVE_CUDA_LIBS');
    if (!cublas.loaded) expect(cublas.error).toContain(`Folders searched besides the loader's: ${missing}.`);
  });

  it.skipIf(systemCudnn)('without the companion preloaded the stand-in would not open: the test is meaningful', () => {
    const folder = fakeCudnn(mkdtempSync(join(tmpdir(), 'gru-native-cudalibs-')));
    const script = `try { process.dlopen({ exports: {} }, ${JSON.stringify(join(folder, 'libcudnn.so.9'))}); } catch (e) { process.stdout.write(String(e.message)); }`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(result.stdout).toContain('libcudnn_graph.so.9');
  });
});
