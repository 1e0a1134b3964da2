/**
 * TF.js's weight files: every file of every manifest group, concatenated in manifest order, holds
 * the weights' little-endian bytes back to back (float32 or int32, or quantised uint8 / uint16
 * as value * scale + min, or float16), sliced by the specs' shapes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { fileError } from '../../weights/safetensors';
import { float16ToFloat32 } from '../../weights/safetensors-format';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

export interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function checkSpec(spec: unknown, where: string): WeightSpec {
  const s = spec as WeightSpec;
  if (typeof s !== 'object' || s === null || typeof s.name !== 'string' || !Array.isArray(s.shape)
    || s.shape.some((d) => !Number.isSafeInteger(d) || d < 0) || typeof s.dtype !== 'string') {
    throw new ArgumentError(`${where} must be { name, shape, dtype }, got ${describe(spec)}`);
  }
  if (s.dtype !== 'float32' && s.dtype !== 'int32') throw new ArgumentError(`${where} (${s.name}): dtype ${s.dtype} is not a weight dtype this library reads (float32, int32)`);
  if (s.quantization && !(s.quantization.dtype in BYTES) ) throw new ArgumentError(`${where} (${s.name}): unknown quantization dtype ${describe(s.quantization.dtype)}`);
  return s;
}

/** The weights of `manifest`, read from files beside model.json in `dir`, by name (float values). */
export function readManifestWeights(manifest: unknown, dir: string, source: string): Map<string, { shape: number[]; values: Float32Array }> {
  if (!Array.isArray(manifest)) throw new ArgumentError(`${source}: weightsManifest must be an array of { paths, weights }, got ${describe(manifest)}`);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  manifest.forEach((group: ManifestGroup, g) => {
    if (typeof group !== 'object' || group === null || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ArgumentError(`${source}: weightsManifest[${g}] must be { paths, weights }, got ${describe(group)}`);
    }
    const parts = group.paths.map((p) => {
      if (typeof p !== 'string') throw new ArgumentError(`${source}: weightsManifest[${g}].paths must be file names, got ${describe(p)}`);
      const file = join(dir, p);
      try {
        return readFileSync(file);
      } catch (err) {
        throw fileError(err, `${source}: cannot read the weights file ${JSON.stringify(file)}`, file, 'read');
      }
    });
    const bytes = Buffer.concat(parts);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    group.weights.forEach((raw, w) => {
      const spec = checkSpec(raw, `${source}: weightsManifest[${g}].weights[${w}]`);
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const stored = spec.quantization?.dtype ?? spec.dtype;
      const size = count * BYTES[stored];
      if (at + size > bytes.length) throw new ArgumentError(`${source}: the weights files hold ${bytes.length} bytes, too few for ${spec.name} (it ends at byte ${at + size})`);
      const { scale = 1, min = 0 } = spec.quantization ?? {};
      const values = stored === 'float16' ? float16ToFloat32(bytes.subarray(at, at + size)) : new Float32Array(count);
      if (stored !== 'float16') {
        for (let i = 0; i < count; i++) {
          const offset = at + i * BYTES[stored];
          switch (stored) {
            case 'float32': values[i] = view.getFloat32(offset, true); break;
            case 'int32': values[i] = view.getInt32(offset, true); break;
            case 'uint8': values[i] = view.getUint8(offset) * scale + min; break;
            case 'uint16': values[i] = view.getUint16(offset, true) * scale + min; break;
          }
        }
      }
      if (out.has(spec.name)) throw new ArgumentError(`${source}: the weight ${spec.name} appears twice in the manifest`);
      out.set(spec.name, { shape: spec.shape, values });
      at += size;
    });
    if (at !== bytes.length) throw new ArgumentError(`${source}: weightsManifest[${g}]'s files hold ${bytes.length} bytes but its weights take ${at}`);
  });
  return out;
}

/** One group, one file: the specs and the little-endian float32 bytes of `weights`. */
export function writeManifestWeights(weights: { name: string; shape: number[]; values: ArrayLike<number> }[], fileName: string): { manifest: ManifestGroup[]; bytes: Uint8Array } {
  const total = weights.reduce((n, w) => n + w.values.length, 0);
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const w of weights) {
    for (let i = 0; i < w.values.length; i++, at += 4) view.setFloat32(at, w.values[i], true);
  }
  return { manifest: [{ paths: [fileName], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }], bytes };
}
