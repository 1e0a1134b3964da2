/**
 * safetensors files as Tensors: checkpoints with PyTorch tensor names, readable by
 * `safetensors.torch.load_file` and the other way round. The byte format is in
 * safetensors-format.ts.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';

import { ArgumentError, FileError } from '../errors';
import { describe } from '../format';
import { Tensor } from '../tensor';
import { parseSafetensors, serializeSafetensors, type RawTensor } from './safetensors-format';

export { parseSafetensors, serializeSafetensors, type ParsedSafetensors, type RawTensor, type SafetensorsArray } from './safetensors-format';

/** Every tensor of a safetensors file, on the CPU (F16/BF16 load as float32, I64 as int32). */
export function readSafetensors(path: string): Record<string, Tensor> {
  return readTensors(path, 'readSafetensors').tensors;
}

/** Like readSafetensors, plus the file's `__metadata__` ({} when it has none). */
export function readSafetensorsWithMetadata(path: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  return readTensors(path, 'readSafetensorsWithMetadata');
}

function readTensors(path: string, caller: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (typeof path !== 'string') throw new ArgumentError(`path must be a string, got ${describe(path)}`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw fileError(err, `${caller}: cannot read ${JSON.stringify(path)}`, path, 'read');
  }
  const { metadata, entries } = parseSafetensors(bytes, path);
  const created: Array<[string, Tensor]> = [];
  try {
    for (const [name, { data, shape, dtype }] of Object.entries(entries)) {
      created.push([name, Tensor.from(data, shape, { dtype })]);
    }
  } catch (err) {
    for (const [, tensor] of created) tensor.dispose();
    throw err;
  }
  return { tensors: Object.fromEntries(created), metadata };
}

/**
 * Writes tensors (any device; values are read back to the host) to `path`, atomically
 * (writeFileAtomically): a crash never leaves half a checkpoint.
 */
export function writeSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  if (typeof path !== 'string') throw new ArgumentError(`path must be a string, got ${describe(path)}`);
  if (typeof tensors !== 'object' || tensors === null || Array.isArray(tensors)) {
    throw new ArgumentError(`tensors must be an object mapping names to Tensors, got ${describe(tensors)}`);
  }
  const entries: Array<[string, RawTensor]> = Object.entries(tensors).map(([name, tensor]) => {
    if (!(tensor instanceof Tensor)) throw new ArgumentError(`tensors[${JSON.stringify(name)}] must be a Tensor, got ${describe(tensor)}`);
    return [name, { dtype: tensor.dtype, shape: [...tensor.shape], data: tensor.dataSync() }];
  });
  const bytes = serializeSafetensors(Object.fromEntries(entries), metadata);
  writeFileAtomically(path, bytes, 'writeSafetensors');
}

/** Counts this thread's writes, so that one thread's temporary names never repeat. */
let writeCount = 0;

/**
 * Writes `bytes` to `path` beside the target under a name no other call uses (pid, thread,
 * counter, random), then renames it over the target, so a crash never leaves half a file and
 * concurrent writers, in any process or worker thread, each replace the file with a complete one.
 * `what` names the caller in errors.
 */
export function writeFileAtomically(path: string, bytes: Uint8Array | string, what: string): void {
  // Beside the target, so that the rename stays on one file system and is atomic.
  const temporary = `${path}.${process.pid}-${threadId}-${++writeCount}-${randomBytes(4).toString('hex')}.tmp`;
  let created = false;
  try {
    // 'wx': should a name ever repeat, fail rather than write into another writer's file.
    const fd = openSync(temporary, 'wx');
    created = true;
    try {
      writeFileSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (created) removeQuietly(temporary);
    throw fileError(err, `${what}: cannot write ${JSON.stringify(path)}`, path, 'write');
  }
  try {
    renameSync(temporary, path);
  } catch (err) {
    removeQuietly(temporary);
    throw fileError(err, `${what}: cannot replace ${JSON.stringify(path)} with the new file`, path, 'write');
  }
}

/** Cleanup after a failure: its own error would hide the one that matters. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing more to do
  }
}

/** Node's error codes in plain words. ENOENT on a write means the folder is missing: the temporary file is new. */
function reasonFor(code: string, path: string, operation: 'read' | 'write'): string | undefined {
  switch (code) {
    case 'ENOENT':
      return operation === 'read' ? 'no such file' : `the directory ${JSON.stringify(dirname(path))} does not exist`;
    case 'EISDIR':
      return 'it is a directory, not a file';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'the disk quota is exhausted';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EBUSY':
      return 'the file is busy';
    case 'EIO':
      return 'an input/output error';
    case 'ERR_FS_FILE_TOO_LARGE':
      return 'the file is larger than Node can read into one buffer (2 GiB)';
    default:
      return undefined;
  }
}

/** Wraps a Node file-system error (one with a string `code`) in FileError; anything else passes through. */
export function fileError(err: unknown, what: string, path: string, operation: 'read' | 'write'): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof Error) || typeof code !== 'string') return err;
  // Node's own message reads "ENOENT: no such file or directory, open '...'": keep its words for codes we do not list.
  const reason = reasonFor(code, path, operation) ?? /^[A-Z0-9_]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return new FileError(`${what}: ${reason} (${code})`, code, path, err);
}
