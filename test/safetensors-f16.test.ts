import { describe, expect, it } from 'vitest';

import { parseSafetensors } from '../lib/weights/safetensors';

/** A one-tensor safetensors file, its data `shift` bytes into a larger buffer (to test unaligned reads). */
function halfFile(dtype: 'F16' | 'BF16', halves: Uint16Array, shift = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ h: { dtype, shape: [halves.length], data_offsets: [0, 2 * halves.length] } }));
  const out = new Uint8Array(shift + 8 + json.length + 2 * halves.length);
  const file = out.subarray(shift);
  new DataView(file.buffer, file.byteOffset).setBigUint64(0, BigInt(json.length), true);
  file.set(json, 8);
  const data = file.subarray(8 + json.length);
  for (let i = 0; i < halves.length; i++) {
    data[2 * i] = halves[i] & 0xff; // little-endian, whatever the host
    data[2 * i + 1] = halves[i] >> 8;
  }
  return file;
}

/** IEEE binary16 to a number by the definition: (-1)^s * 2^(e-15) * 1.f, or 2^-14 * 0.f for e = 0. */
function referenceHalf(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0x1f) return f === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * (f / 1024) * 2 ** -14;
  return sign * (1 + f / 1024) * 2 ** (e - 15);
}

const ALL_HALVES = Uint16Array.from({ length: 0x10000 }, (_, i) => i);

describe('parseSafetensors F16 and BF16 decoding', () => {
  it('widens all 65536 F16 bit patterns exactly (signed zeros, subnormals, infinities, NaN)', () => {
    for (const shift of [0, 1]) {
      const { data } = parseSafetensors(halfFile('F16', ALL_HALVES, shift)).entries.h;
      expect(data).toBeInstanceOf(Float32Array);
      expect(data.length).toBe(0x10000);
      const wrong: string[] = [];
      for (let h = 0; h < 0x10000; h++) {
        const want = referenceHalf(h);
        const ok = Number.isNaN(want) ? Number.isNaN(data[h]) : Object.is(data[h], want);
        if (!ok && wrong.length < 5) wrong.push(`0x${h.toString(16)}: got ${data[h]}, expected ${want}`);
      }
      expect(wrong, `shift ${shift}`).toEqual([]);
    }
  });

  it('keeps the sign and payload of F16 NaNs, as BF16 does', () => {
    const { data } = parseSafetensors(halfFile('F16', Uint16Array.from([0x7e00, 0xfd01, 0x7c01]))).entries.h;
    expect(Array.from(new Uint32Array(data.buffer))).toEqual([0x7fc00000, 0xffa02000, 0x7f802000]);
  });

  it('widens all 65536 BF16 bit patterns to the float32 with those top 16 bits', () => {
    const { data } = parseSafetensors(halfFile('BF16', ALL_HALVES, 1)).entries.h;
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    const wrong = Array.from(ALL_HALVES).filter((h) => bits[h] !== h * 0x10000);
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('decodes a 32 MB F16 tensor quickly, allocating little beyond the float32 result', () => {
    const n = 16 * 1024 * 1024; // 32 MB of halves, 64 MB as float32
    const halves = new Uint16Array(n);
    for (let i = 0, s = 12345; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      halves[i] = s >>> 16;
    }
    const file = halfFile('F16', halves);
    const sample = [0, 1, 4095, n - 1];
    const expected = sample.map((i) => referenceHalf(halves[i]));

    globalThis.gc?.();
    const used = (): number => process.memoryUsage().arrayBuffers + process.memoryUsage().heapUsed;
    const before = used();
    const start = performance.now();
    const { data } = parseSafetensors(file).entries.h;
    const seconds = (performance.now() - start) / 1000;
    // No gc before measuring: garbage made during the parse still counts.
    const growth = used() - before;

    expect(data.length).toBe(n);
    sample.forEach((i, k) => expect(Number.isNaN(expected[k]) ? Number.isNaN(data[i]) : Object.is(data[i], expected[k]), `element ${i}`).toBe(true));
    // The result alone is 2x the file; an intermediate copy or per-element boxing goes past 3x.
    expect(growth / file.length, `grew ${(growth / 2 ** 20).toFixed(0)} MB for a ${(file.length / 2 ** 20).toFixed(0)} MB file`).toBeLessThan(3);
    // Well under 0.1 s on a current CPU; the old per-element path took over 1 s.
    expect(seconds).toBeLessThan(1);
  });
});
