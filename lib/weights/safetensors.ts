/**
 * safetensors files as Tensors: checkpoints with PyTorch tensor names, readable by
 * `safetensors.torch.load_file` and the other way round. The byte format is in
 * safetensors-format.ts.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

import { ArgumentError, describe } from '../errors';
import { Tensor } from '../tensor';
import { parseSafetensors, serializeSafetensors, type RawTensor } from './safetensors-format';

export { parseSafetensors, serializeSafetensors, type ParsedSafetensors, type RawTensor, type SafetensorsArray } from './safetensors-format';

/** Every tensor of a safetensors file, on the CPU (F16/BF16 load as float32, I64 as int32). */
export function readSafetensors(path: string): Record<string, Tensor> {
  return readSafetensorsWithMetadata(path).tensors;
}

/** Like readSafetensors, plus the file's `__metadata__` ({} when it has none). */
export function readSafetensorsWithMetadata(path: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (typeof path !== 'string') throw new ArgumentError(`path must be a string, got ${describe(path)}`);
  const { metadata, entries } = parseSafetensors(readFileSync(path), path);
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
 * Writes tensors (any device; values are read back to the host) to `path`. The file is
 * written beside the target and renamed over it, so a crash never leaves half a checkpoint.
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
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
}
