/**
 * Worker thread for test/safetensors-files.test.ts: a writer replaces one safetensors file
 * again and again with its own versions; a reader reads it until told to stop and checks
 * that every file it sees is one complete version. Started with `--import tsx`.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

import { Tensor } from '../../lib/tensor';
import { readSafetensorsWithMetadata, writeSafetensors } from '../../lib/weights/safetensors';

export interface WorkerJob {
  role: 'writer' | 'reader';
  path: string;
  writer: number; // writer's id (writers only)
  writes: number; // how many versions to write (writers only)
  stop: Int32Array; // on SharedArrayBuffer; readers stop once [0] is 1
}

export interface WorkerReport {
  role: 'writer' | 'reader';
  operations: number;
  errors: number;
  samples: string[]; // the first few error messages
}

/**
 * The values of version (writer, iteration): sizes differ by writer and iteration so that
 * a file mixing two versions cannot parse as, or pass for, either of them.
 */
export function versionValues(writer: number, iteration: number): { weight: Float32Array; version: Int32Array } {
  const weight = new Float32Array(16_384 * (writer + 1) + iteration);
  for (let i = 0; i < weight.length; i++) weight[i] = ((writer * 7919 + iteration * 31 + i) % 65_536) - 32_768; // exact in float32
  return { weight, version: Int32Array.from([writer, iteration]) };
}

export function writeVersion(path: string, writer: number, iteration: number): void {
  const { weight, version } = versionValues(writer, iteration);
  const tensors = { weight: Tensor.from(weight), version: Tensor.from(version) };
  try {
    writeSafetensors(path, tensors, { writer: String(writer), iteration: String(iteration) });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/** Why the file at `path` is not exactly one written version, or undefined when it is. */
function checkRead(path: string): string | undefined {
  const { tensors, metadata } = readSafetensorsWithMetadata(path);
  try {
    const writer = Number(metadata.writer);
    const iteration = Number(metadata.iteration);
    if (!Number.isInteger(writer) || !Number.isInteger(iteration)) return `bad metadata ${JSON.stringify(metadata)}`;
    const expected = versionValues(writer, iteration);
    if (Object.keys(tensors).sort().join() !== 'version,weight') return `tensors ${Object.keys(tensors).join()} in version (${writer}, ${iteration})`;
    for (const name of ['weight', 'version'] as const) {
      const actual = tensors[name].dataSync();
      const want = expected[name];
      if (actual.length !== want.length) return `${name} has ${actual.length} elements, version (${writer}, ${iteration}) has ${want.length}`;
      for (let i = 0; i < want.length; i++) {
        if (actual[i] !== want[i]) return `${name}[${i}] = ${actual[i]}, version (${writer}, ${iteration}) has ${want[i]}`;
      }
    }
    return undefined;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}

function run(job: WorkerJob): WorkerReport {
  const report: WorkerReport = { role: job.role, operations: 0, errors: 0, samples: [] };
  const fail = (message: string): void => {
    report.errors++;
    if (report.samples.length < 5) report.samples.push(message);
  };
  const attempt = (step: () => string | undefined): void => {
    report.operations++;
    try {
      const problem = step();
      if (problem !== undefined) fail(problem);
    } catch (err) {
      fail(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  };
  if (job.role === 'writer') {
    for (let i = 0; i < job.writes; i++) attempt(() => (writeVersion(job.path, job.writer, i), undefined));
  } else {
    while (Atomics.load(job.stop, 0) === 0) attempt(() => checkRead(job.path));
  }
  return report;
}

if (!isMainThread && parentPort !== null && (workerData as WorkerJob | undefined)?.role !== undefined) {
  parentPort.postMessage(run(workerData as WorkerJob));
}
