import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import { afterAll, describe, expect, it } from 'vitest';

import { FileError, GRU, GruError, Tensor, noGrad } from '../lib/index';
import { readSafetensors, readSafetensorsWithMetadata, writeSafetensors } from '../lib/weights/safetensors';
import { writeVersion, type WorkerJob, type WorkerReport } from './helpers/safetensors-concurrent-worker';

const WORKER = join(__dirname, 'helpers', 'safetensors-concurrent-worker.ts');
// On Node 20 a worker's `--import tsx` does not reach its .ts entry point; tsx's require hook does.
const TSX_REQUIRE_HOOK = createRequire(join(__dirname, '..', 'package.json')).resolve('tsx/cjs');

const dir = mkdtempSync(join(tmpdir(), 'gru-native-safetensors-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `f` throws (failing the test when it returns). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, none was thrown');
}

function expectFileError(err: unknown, code: string, path: string, message: string): void {
  expect(err).toBeInstanceOf(FileError);
  expect(err).toBeInstanceOf(GruError);
  const e = err as FileError;
  expect(e.name).toBe('FileError');
  expect(e.code).toBe(code);
  expect(e.path).toBe(path);
  expect(e.message).toBe(message);
  expect(e.cause).toBeInstanceOf(Error);
  expect((e.cause as NodeJS.ErrnoException).code).toBe(code);
}

describe('safetensors file errors', () => {
  it('readSafetensors and readSafetensorsWithMetadata wrap ENOENT in FileError with code and path', () => {
    const path = join(dir, 'missing.safetensors');
    expectFileError(thrown(() => readSafetensors(path)), 'ENOENT', path, `readSafetensors: cannot read ${JSON.stringify(path)}: no such file (ENOENT)`);
    expectFileError(
      thrown(() => readSafetensorsWithMetadata(path)),
      'ENOENT',
      path,
      `readSafetensorsWithMetadata: cannot read ${JSON.stringify(path)}: no such file (ENOENT)`,
    );
  });

  it('reading a directory gives FileError EISDIR', () => {
    const path = join(dir, 'a-directory.safetensors');
    mkdirSync(path);
    expectFileError(thrown(() => readSafetensors(path)), 'EISDIR', path, `readSafetensors: cannot read ${JSON.stringify(path)}: it is a directory, not a file (EISDIR)`);
  });

  it('writing into a missing directory gives FileError ENOENT and leaves no temporary file', () => {
    const parent = join(dir, 'write-missing');
    mkdirSync(parent);
    const missing = join(parent, 'no-such-dir');
    const path = join(missing, 'model.safetensors');
    const w = Tensor.from(Float32Array.from([1, 2, 3]));
    const err = thrown(() => writeSafetensors(path, { w }));
    w.dispose();
    expectFileError(err, 'ENOENT', path, `writeSafetensors: cannot write ${JSON.stringify(path)}: the directory ${JSON.stringify(missing)} does not exist (ENOENT)`);
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(missing)).toBe(false);
  });

  it('a failed rename (the target is a directory) gives FileError and removes the temporary file', () => {
    const parent = join(dir, 'rename-fails');
    const path = join(parent, 'model.safetensors');
    mkdirSync(path, { recursive: true });
    const w = Tensor.from(Float32Array.from([1, 2, 3]));
    const err = thrown(() => writeSafetensors(path, { w }));
    w.dispose();
    expect(err).toBeInstanceOf(FileError);
    const e = err as FileError;
    expect(['EISDIR', 'EEXIST', 'ENOTEMPTY', 'EPERM']).toContain(e.code); // EISDIR on Linux; other systems say it differently
    expect(e.path).toBe(path);
    expect(e.message).toMatch(new RegExp(`^writeSafetensors: cannot replace ${JSON.stringify(path).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} with the new file: .+ \\(${e.code}\\)$`));
    expect(readdirSync(parent)).toEqual(['model.safetensors']);
  });
});

describe('writeSafetensors from several worker threads', () => {
  function start(job: Omit<WorkerJob, 'stop'>, stop: Int32Array): Promise<WorkerReport> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(WORKER, { workerData: { ...job, stop }, execArgv: ['--require', TSX_REQUIRE_HOOK] });
      let report: WorkerReport | undefined;
      worker.once('message', (m: WorkerReport) => (report = m));
      worker.once('error', reject);
      worker.once('exit', (code) => (report !== undefined ? resolve(report) : reject(new Error(`${job.role} worker exited with code ${code} without a report`))));
    });
  }

  it('every write succeeds and every read is one complete written version', async () => {
    const path = join(dir, 'shared.safetensors');
    writeVersion(path, 9, 0); // readers never see a missing file
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const writers = 4;
    const writes = 60;
    const writerRuns = Array.from({ length: writers }, (_, writer) => start({ role: 'writer', path, writer, writes }, stop));
    const readerRuns = Array.from({ length: 2 }, () => start({ role: 'reader', path, writer: -1, writes: 0 }, stop));
    // Readers stop when the writers are done, even if one failed.
    const writerReports = await Promise.all(writerRuns).finally(() => Atomics.store(stop, 0, 1));
    const readerReports = await Promise.all(readerRuns);

    const reports = [...writerReports, ...readerReports];
    const summary = reports.map((r) => `${r.role}: ${r.errors} errors in ${r.operations}${r.samples.length ? `, e.g. ${r.samples.join(' | ')}` : ''}`).join('\n');
    expect(reports.reduce((sum, r) => sum + r.errors, 0), summary).toBe(0);
    expect(writerReports.reduce((sum, r) => sum + r.operations, 0)).toBe(writers * writes);
    expect(readerReports.every((r) => r.operations > 0), summary).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('shared.'))).toEqual(['shared.safetensors']); // no temporary files left
    const last = readSafetensorsWithMetadata(path);
    expect(Number(last.metadata.iteration)).toBe(writes - 1);
    for (const t of Object.values(last.tensors)) t.dispose();
  });
});

describe('a file written here, loaded into torch.nn.GRU by Debian\'s python3-torch', () => {
  const torchReason = (() => {
    const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
    return probe.status === 0 ? '' : 'torch is not importable by /usr/bin/python3 (apt-get install -y python3-torch)';
  })();
  it.skipIf(torchReason !== '')(`reproduces our outputs in torch${torchReason ? ` [${torchReason}]` : ''}`, () => {
    const options = { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true };
    const gru = new GRU({ ...options, dtype: 'float64' });
    const x = Tensor.randn([2, 5, 3], { dtype: 'float64' });
    const { output, hN } = noGrad(() => gru.forward(x));
    const path = join(dir, 'for-torch.safetensors');
    writeSafetensors(path, { ...gru.stateDict(), x, output, h_n: hN });
    const torchOptions = { input_size: 3, hidden_size: 4, num_layers: 2, bidirectional: true, batch_first: true };
    const result = spawnSync('/usr/bin/python3', [join(__dirname, '..', 'scripts', 'torch_check_safetensors.py'), path, JSON.stringify(torchOptions), '1e-12'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^largest difference/);
    expect(result.status).toBe(0);
    for (const t of [x, output, hN]) t.dispose();
    gru.dispose();
  });
});
