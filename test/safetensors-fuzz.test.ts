/**
 * parseSafetensors on a few thousand corrupted files (seeded): bytes flipped, files cut short or
 * grown, header lengths and header text mangled. Each either parses or throws one of the
 * library's typed errors; nothing else escapes (no RangeError from a typed-array view, no
 * TypeError from a malformed entry, no huge allocation from a lying length).
 */
import { describe, expect, it } from 'vitest';

import { GruError, parseSafetensors, serializeSafetensors } from '../lib/index';
import { mulberry32 } from '../lib/train/shuffle';

const base = serializeSafetensors({
  weight: { dtype: 'float32', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 3) },
  bias: { dtype: 'float64', shape: [4], data: Float64Array.from([1, 2, 3, 4]) },
  steps: { dtype: 'int32', shape: [], data: Int32Array.from([7]) },
  empty: { dtype: 'float32', shape: [0, 2], data: new Float32Array(0) },
}, { note: 'fuzz' });
const headerLength = Number(new DataView(base.buffer).getBigUint64(0, true));

function mutate(next: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  const file = new Uint8Array(base);
  switch (pick(6)) {
    case 0: // flip bytes anywhere
      for (let k = 1 + pick(4); k > 0; k--) file[pick(file.length)] ^= 1 << pick(8);
      return file;
    case 1: // cut short
      return file.subarray(0, pick(file.length));
    case 2: // grow
      return Uint8Array.from([...file, ...Array.from({ length: 1 + pick(40) }, () => pick(256))]);
    case 3: { // lie about the header length
      const lie = [0, 1, 7, headerLength - 1 - pick(8), headerLength + 1 + pick(8), 2 ** 40, 99_999_999, 100_000_001, Number.MAX_SAFE_INTEGER][pick(9)];
      new DataView(file.buffer).setBigUint64(0, BigInt(Math.max(0, lie)), true);
      return file;
    }
    case 4: { // change a digit or a quote of the header text
      for (let k = 1 + pick(3); k > 0; k--) {
        const at = 8 + pick(headerLength);
        file[at] = '0123456789-[]{}":,eE.'.charCodeAt(pick(21));
      }
      return file;
    }
    default: { // drop a header character (the length no longer fits)
      const at = 8 + pick(headerLength);
      return Uint8Array.from([...file.subarray(0, at), ...file.subarray(at + 1)]);
    }
  }
}

describe('parseSafetensors fuzzing', () => {
  it('parses or throws a typed error on 4,000 corrupted files', () => {
    const next = mulberry32(20261201);
    const outcomes = { parsed: 0, refused: 0 };
    for (let i = 0; i < 4000; i++) {
      const file = mutate(next);
      try {
        parseSafetensors(file, `fuzz ${i}`);
        outcomes.parsed++;
      } catch (error) {
        if (!(error instanceof GruError)) throw new Error(`fuzz ${i}: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
        expect((error as Error).message).toMatch(new RegExp(`^fuzz ${i}: `));
        outcomes.refused++;
      }
    }
    // Both kinds occur, so the mutations reach past the first check.
    expect(outcomes.parsed).toBeGreaterThan(50);
    expect(outcomes.refused).toBeGreaterThan(1000);
  });
});
