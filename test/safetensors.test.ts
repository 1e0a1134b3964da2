import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { ArgumentError, DTypeError, FileError, ShapeError, Tensor } from '../lib/index';
import {
  parseSafetensors,
  readSafetensors,
  readSafetensorsWithMetadata,
  serializeSafetensors,
  writeSafetensors,
  type RawTensor,
} from '../lib/weights/safetensors';
import { GRU_FIXTURE_DIR } from './helpers/fixtures';

const PYTHON_WRITTEN = join(__dirname, 'fixtures', 'safetensors', 'python-written.safetensors');

/** The bytes of a typed array, so that -0 and NaN payloads compare exactly. */
function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** A safetensors file from a header (object or raw JSON text) and a data section. */
function makeFile(header: object | string, data: Uint8Array | number = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

// Every platform Node ships on is little-endian, so native typed arrays have the file layout.
const u16Bytes = (bits: number[]): Uint8Array => bytesOf(Uint16Array.from(bits));
const i64Bytes = (values: bigint[]): Uint8Array => bytesOf(BigInt64Array.from(values));

const roundTripCases: Array<[string, RawTensor]> = [
  ['f32 matrix', { dtype: 'float32', shape: [2, 3], data: Float32Array.from([1.5, -0, NaN, Infinity, -3e-38, 1e-45]) }],
  ['f64 3-D', { dtype: 'float64', shape: [2, 1, 2], data: Float64Array.from([Math.PI, -0, Number.MIN_VALUE, -Infinity]) }],
  ['i32 vector', { dtype: 'int32', shape: [4], data: Int32Array.from([0, -1, 2147483647, -2147483648]) }],
  ['f32 scalar', { dtype: 'float32', shape: [], data: Float32Array.from([7.25]) }],
  ['f64 scalar', { dtype: 'float64', shape: [], data: Float64Array.from([-1e300]) }],
  ['i32 scalar', { dtype: 'int32', shape: [], data: Int32Array.from([-5]) }],
  ['f32 zero-size', { dtype: 'float32', shape: [0], data: new Float32Array(0) }],
  ['f64 zero-size', { dtype: 'float64', shape: [3, 0, 2], data: new Float64Array(0) }],
  ['i32 zero-size', { dtype: 'int32', shape: [0, 4], data: new Int32Array(0) }],
];

describe('serializeSafetensors / parseSafetensors', () => {
  it('round-trips every dtype, scalars and zero-size tensors bit for bit, with metadata', () => {
    const entries = Object.fromEntries(roundTripCases);
    const metadata = { format: 'pt', note: 'ünïcode ✓', '10': 'integer-like key' };
    const parsed = parseSafetensors(serializeSafetensors(entries, metadata));
    expect(parsed.metadata).toEqual(metadata);
    expect(Object.keys(parsed.entries).sort()).toEqual(Object.keys(entries).sort());
    for (const [name, expected] of roundTripCases) {
      const actual = parsed.entries[name];
      expect(actual.dtype, name).toBe(expected.dtype);
      expect(actual.shape, name).toEqual(expected.shape);
      expect(actual.data.constructor, name).toBe(expected.data.constructor);
      expect(bytesOf(actual.data), name).toEqual(bytesOf(expected.data));
    }
  });

  it('writes what the Rust writer writes: compact JSON, then the data, 8-byte aligned', () => {
    const data = Float32Array.from([0, 1, 2, 3, 4, 5]);
    const bytes = serializeSafetensors({ 'attn.0': { dtype: 'float32', shape: [1, 2, 3], data } });
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(64); // already aligned: no padding
    expect(bytes).toEqual(makeFile(json, bytesOf(data)));

    const padded = serializeSafetensors({ attn0: { dtype: 'float32', shape: [1, 1, 2, 3], data } });
    const paddedJson = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
    expect(padded).toEqual(makeFile(paddedJson + ' '.repeat(72 - paddedJson.length), bytesOf(data)));
  });

  it('orders tensors like the Python writer: F64, F32, I32, by name (UTF-8 bytes) within a dtype', () => {
    const f32 = (v: number): RawTensor => ({ dtype: 'float32', shape: [1], data: Float32Array.from([v]) });
    const bytes = serializeSafetensors({
      b: f32(1),
      '2': f32(2),
      '10': f32(3),
      i: { dtype: 'int32', shape: [1], data: Int32Array.from([4]) },
      z: { dtype: 'float64', shape: [1], data: Float64Array.from([5]) },
      __proto__x: f32(6),
      é: f32(7),
    });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    const names = [...header.matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
    expect(names).toEqual(['z', '10', '2', '__proto__x', 'b', 'é', 'i']);
  });

  it('emits only a {} header for no tensors (plus metadata when given)', () => {
    expect(serializeSafetensors({})).toEqual(makeFile('{}      '));
    expect(parseSafetensors(serializeSafetensors({}, {})).metadata).toEqual({});
    expect(parseSafetensors(serializeSafetensors({})).entries).toEqual({});
  });

  it('keeps a tensor named "__proto__" as a tensor', () => {
    const entries: Record<string, RawTensor> = Object.fromEntries([['__proto__', { dtype: 'int32', shape: [1], data: Int32Array.from([9]) }]]);
    const parsed = parseSafetensors(serializeSafetensors(entries));
    expect(Object.keys(parsed.entries)).toEqual(['__proto__']);
    expect(Array.from(Object.getOwnPropertyDescriptor(parsed.entries, '__proto__')!.value.data)).toEqual([9]);
  });

  it('copies data out into aligned arrays, even at odd offsets in the file and in memory', () => {
    const data = new Uint8Array(2 + 8 + 4);
    data.set(u16Bytes([0x3c00]), 0);
    data.set(bytesOf(Float64Array.from([Math.E])), 2); // byte 2 of the data section: unaligned
    data.set(bytesOf(Int32Array.from([-7])), 10);
    const file = makeFile(
      {
        h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
        d: { dtype: 'F64', shape: [], data_offsets: [2, 10] },
        i: { dtype: 'I32', shape: [1, 1], data_offsets: [10, 14] },
      },
      data,
    );
    const shifted = new Uint8Array(file.length + 3);
    shifted.set(file, 3);
    const { entries } = parseSafetensors(shifted.subarray(3));
    expect(entries.d.data[0]).toBe(Math.E);
    expect(entries.d.data.byteOffset).toBe(0);
    expect(entries.d.data.buffer).not.toBe(shifted.buffer);
    expect(Array.from(entries.h.data)).toEqual([1]);
    expect(Array.from(entries.i.data)).toEqual([-7]);
    shifted.fill(0);
    expect(entries.d.data[0]).toBe(Math.E);

    // Buffer.slice() does not copy, so a Buffer input is the trap for a careless copy.
    const buffer = Buffer.alloc(file.length + 1);
    buffer.set(file, 1);
    const fromBuffer = parseSafetensors(buffer.subarray(1)).entries;
    expect(fromBuffer.d.data[0]).toBe(Math.E);
    expect(fromBuffer.d.data.buffer.byteLength).toBe(8);
  });

  it('accepts whitespace around the header JSON', () => {
    const file = makeFile('\n {\n  "a" : { "shape": [2], "dtype": "I32", "data_offsets": [0, 8] }\n}\t', bytesOf(Int32Array.from([1, 2])));
    expect(Array.from(parseSafetensors(file).entries.a.data)).toEqual([1, 2]);
  });
});

describe('parseSafetensors conversions', () => {
  it('widens F16 to float32 exactly: zeros, subnormals, the largest half, infinities, NaN', () => {
    const bits = [0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x3555, 0x7c00, 0xfc00, 0x7e00];
    const file = makeFile({ h: { dtype: 'F16', shape: [bits.length], data_offsets: [0, 2 * bits.length] } }, u16Bytes(bits));
    const h = parseSafetensors(file).entries.h;
    expect(h.dtype).toBe('float32');
    expect(h.data).toBeInstanceOf(Float32Array);
    const expected = [0, -0, 1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 0.333251953125, Infinity, -Infinity, NaN];
    expected.forEach((v, i) => expect(Object.is(h.data[i], v), `element ${i}: ${h.data[i]} vs ${v}`).toBe(true));
  });

  it('widens BF16 to float32 by bits, keeping NaN payloads', () => {
    const bits = [0x3f80, 0xc000, 0x4049, 0x7f80, 0xff80, 0x0001, 0x8000, 0x7fc1];
    const file = makeFile({ b: { dtype: 'BF16', shape: [2, 4], data_offsets: [0, 16] } }, u16Bytes(bits));
    const b = parseSafetensors(file).entries.b;
    expect(b.dtype).toBe('float32');
    expect(b.shape).toEqual([2, 4]);
    expect(Array.from(new Uint32Array(b.data.buffer))).toEqual(bits.map((x) => (x << 16) >>> 0));
    expect(Array.from(b.data.slice(0, 6))).toEqual([1, -2, 3.140625, Infinity, -Infinity, 2 ** -133]);
  });

  it('narrows I64 to int32 and refuses values int32 cannot hold, naming the tensor and element', () => {
    const good = [-2147483648n, 2147483647n, 0n, -1n];
    const file = makeFile({ steps: { dtype: 'I64', shape: [4], data_offsets: [0, 32] } }, i64Bytes(good));
    const steps = parseSafetensors(file).entries.steps;
    expect(steps.dtype).toBe('int32');
    expect(Array.from(steps.data)).toEqual([-2147483648, 2147483647, 0, -1]);

    for (const bad of [2147483648n, -2147483649n, 2n ** 62n]) {
      const badFile = makeFile({ steps: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, i64Bytes([1n, bad]));
      expect(() => parseSafetensors(badFile)).toThrow(DTypeError);
      expect(() => parseSafetensors(badFile)).toThrow(new RegExp(`"steps".*\\[1\\] = ${bad} does not fit in int32`));
    }
  });
});

describe('parseSafetensors: the integer, boolean and 8-bit float dtypes', () => {
  const tensor = (dtype: string, shape: number[], offsets: [number, number]) => ({ dtype, shape, data_offsets: offsets });
  it('load as int32 or float32, exactly', () => {
    const parts: [string, string, number[], Uint8Array][] = [
      ['b', 'BOOL', [3], Uint8Array.from([1, 0, 1])],
      ['u8', 'U8', [2], Uint8Array.from([0, 255])],
      ['i8', 'I8', [2], Uint8Array.from([0x80, 0x7f])],
      ['i16', 'I16', [2], new Uint8Array(Int16Array.from([-32768, 123]).buffer)],
      ['u16', 'U16', [1], new Uint8Array(Uint16Array.from([65535]).buffer)],
      ['u32', 'U32', [1], new Uint8Array(Uint32Array.from([2147483647]).buffer)],
      ['u64', 'U64', [1], new Uint8Array(BigUint64Array.from([7n]).buffer)],
      // E4M3: 1 (0x38), -0.5 (0xB0), 448 the largest (0x7E), NaN (0x7F), the smallest subnormal 2^-9 (0x01).
      ['e4', 'F8_E4M3', [5], Uint8Array.from([0x38, 0xb0, 0x7e, 0x7f, 0x01])],
      // E5M2: 1 (0x3C), 57344 the largest (0x7B), inf (0x7C), NaN (0x7D), 2^-16 (0x01).
      ['e5', 'F8_E5M2', [5], Uint8Array.from([0x3c, 0x7b, 0x7c, 0x7d, 0x01])],
    ];
    let at = 0;
    const header: Record<string, unknown> = {};
    for (const [name, dtype, shape, bytes] of parts) {
      header[name] = tensor(dtype, shape, [at, at + bytes.length]);
      at += bytes.length;
    }
    const data = new Uint8Array(at);
    at = 0;
    for (const [, , , bytes] of parts) { data.set(bytes, at); at += bytes.length; }
    const { entries } = parseSafetensors(makeFile(JSON.stringify(header), data));
    const values = (name: string) => Array.from(entries[name].data);
    expect(values('b')).toEqual([1, 0, 1]);
    expect(values('u8')).toEqual([0, 255]);
    expect(values('i8')).toEqual([-128, 127]);
    expect(values('i16')).toEqual([-32768, 123]);
    expect(values('u16')).toEqual([65535]);
    expect(values('u32')).toEqual([2147483647]);
    expect(values('u64')).toEqual([7]);
    expect(values('e4')).toEqual([1, -0.5, 448, Number.NaN, 2 ** -9]);
    expect(values('e5')).toEqual([1, 57344, Infinity, Number.NaN, 2 ** -16]);
    expect(entries.e4.dtype).toBe('float32');
    expect(entries.u8.dtype).toBe('int32');
    const big = makeFile(JSON.stringify({ u: tensor('U32', [1], [0, 4]) }), new Uint8Array(Uint32Array.from([2 ** 31]).buffer));
    expect(() => parseSafetensors(big)).toThrow(/U32 element \[0\] = 2147483648 does not fit in int32/);
  });
});

describe('parseSafetensors on malformed files', () => {
  const good = serializeSafetensors({
    weight: { dtype: 'float32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
    bias: { dtype: 'float64', shape: [2], data: Float64Array.from([5, 6]) },
  });
  const tensor = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

  it('parses the unbroken file', () => {
    expect(Object.keys(parseSafetensors(good).entries).sort()).toEqual(['bias', 'weight']);
  });

  it('rejects truncated files', () => {
    expect(() => parseSafetensors(good.subarray(0, 5))).toThrow(/5 bytes is too short/);
    expect(() => parseSafetensors(good.subarray(0, 20))).toThrow(ArgumentError);
    expect(() => parseSafetensors(good.subarray(0, 20))).toThrow(/runs past the end of the file/);
    const cut = good.subarray(0, good.length - 4);
    expect(() => parseSafetensors(cut, 'model.safetensors')).toThrow(ArgumentError);
    expect(() => parseSafetensors(cut, 'model.safetensors')).toThrow(/^model\.safetensors: tensor "weight": data_offsets \[16, 32\] are out of range: the data section has 28 bytes/);
  });

  it('rejects absurd header lengths before reading them', () => {
    const file = makeFile('{}');
    new DataView(file.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => parseSafetensors(file)).toThrow(/exceeds the 100000000-byte limit/);
  });

  it('rejects headers that are not UTF-8, not JSON, or not an object', () => {
    const notUtf8 = makeFile('{"a":1}');
    notUtf8[10] = 0xff;
    expect(() => parseSafetensors(notUtf8)).toThrow(/not valid UTF-8/);
    expect(() => parseSafetensors(makeFile('{"a": {"dtype": "F32",'))).toThrow(ArgumentError);
    expect(() => parseSafetensors(makeFile('{"a": {"dtype": "F32",'))).toThrow(/not valid JSON/);
    expect(() => parseSafetensors(makeFile('\uFEFF{}'))).toThrow(/not valid JSON/);
    expect(() => parseSafetensors(makeFile('[1, 2]'))).toThrow(/must be a JSON object, got an array/);
    expect(() => parseSafetensors(makeFile('null'))).toThrow(/must be a JSON object, got null/);
  });

  it('rejects malformed tensor entries, naming the tensor', () => {
    const cases: Array<[object, RegExp]> = [
      [{ w: 3 }, /tensor "w": expected \{dtype, shape, data_offsets\}, got 3/],
      [{ w: tensor('F32', [-1], [0, 4]) }, /tensor "w": shape must be an array of non-negative integers, got \[-1\]/],
      [{ w: tensor('F32', [1.5], [0, 4]) }, /tensor "w": shape must be/],
      [{ w: tensor('F32', '4', [0, 16]) }, /tensor "w": shape must be/],
      [{ w: tensor('F32', [1], [0]) }, /tensor "w": data_offsets must be \[begin, end\]/],
      [{ w: tensor('F32', [1], [0, '4']) }, /tensor "w": data_offsets must be/],
      [{ w: tensor('F32', [1], [8, 4]) }, /tensor "w": data_offsets \[8, 4\] are out of range/],
      [{ w: tensor('F32', [4], [0, 16]) }, /tensor "w": data_offsets \[0, 16\] are out of range: the data section has 8 bytes/],
      [{ __metadata__: { a: 1 } }, /__metadata__\["a"\] must be a string, got 1/],
      [{ __metadata__: ['a'] }, /__metadata__ must be an object of strings/],
      [{ w: { shape: [1], data_offsets: [0, 4] } }, /tensor "w": dtype must be a string, got undefined/],
    ];
    for (const [header, message] of cases) {
      expect(() => parseSafetensors(makeFile(header, 8)), message.source).toThrow(ArgumentError);
      expect(() => parseSafetensors(makeFile(header, 8)), message.source).toThrow(message);
    }
  });

  it('rejects overlapping tensors, gaps and trailing bytes (the tensors tile the data section, as the reference requires)', () => {
    const overlap = makeFile({ a: tensor('F32', [2], [0, 8]), b: tensor('F32', [2], [4, 12]) }, 12);
    expect(() => parseSafetensors(overlap)).toThrow(ArgumentError);
    expect(() => parseSafetensors(overlap)).toThrow(/"a" \[0, 8\] and "b" \[4, 12\] overlap/);
    const gap = makeFile({ a: tensor('F32', [1], [0, 4]), b: tensor('F32', [1], [8, 12]) }, 12);
    expect(() => parseSafetensors(gap)).toThrow(/"a" \[0, 4\] and "b" \[8, 12\] leave a gap/);
    const late = makeFile({ a: tensor('F32', [1], [4, 8]) }, 8);
    expect(() => parseSafetensors(late)).toThrow(/the start of the data section and "a" \[4, 8\] leave a gap/);
    const trailing = makeFile({ a: tensor('F32', [1], [0, 4]) }, 8);
    expect(() => parseSafetensors(trailing)).toThrow(/4 bytes after the last tensor/);
    // Empty tensors sit anywhere the tiling allows.
    expect(Object.keys(parseSafetensors(makeFile({ a: tensor('F32', [1], [0, 4]), e: tensor('F32', [0], [4, 4]) }, 4)).entries)).toEqual(['a', 'e']);
  });

  it('rejects a size that does not match shape and dtype with ShapeError', () => {
    const file = makeFile({ w: tensor('F64', [2, 3], [0, 40]) }, 40);
    expect(() => parseSafetensors(file)).toThrow(ShapeError);
    expect(() => parseSafetensors(file)).toThrow(/tensor "w": shape \[2, 3\] of F64 needs 48 bytes, but data_offsets \[0, 40\] span 40/);
  });

  it('rejects unsupported and unknown dtypes with DTypeError', () => {
    for (const [dtype, bytes] of [['F4', 1], ['F6_E2M3', 2], ['F8_E8M0', 2], ['F8_E5M2FNUZ', 2], ['C64', 16]] as const) {
      const file = makeFile({ mask: tensor(dtype, [dtype === 'F6_E2M3' ? 8 : 2], [0, dtype === 'F6_E2M3' ? 6 : bytes]) }, dtype === 'F6_E2M3' ? 6 : bytes);
      expect(() => parseSafetensors(file), dtype).toThrow(DTypeError);
      expect(() => parseSafetensors(file), dtype).toThrow(new RegExp(`tensor "mask": dtype ${dtype} is not supported \\(these load: `));
    }
    expect(() => parseSafetensors(makeFile({ q: tensor('Q7', [1], [0, 1]) }, 1))).toThrow(/tensor "q": unknown dtype "Q7"/);
  });
});

describe('serializeSafetensors input checks', () => {
  it('names the bad entry and what was expected', () => {
    const f32 = Float32Array.from([1, 2]);
    expect(() => serializeSafetensors({ w: { dtype: 'float32', shape: [2], data: Float64Array.from([1, 2]) } })).toThrow(DTypeError);
    expect(() => serializeSafetensors({ w: { dtype: 'float32', shape: [2], data: Float64Array.from([1, 2]) } })).toThrow(/entries\["w"\]\.data must be a Float32Array for dtype float32/);
    expect(() => serializeSafetensors({ w: { dtype: 'float16' as never, shape: [2], data: f32 } })).toThrow(DTypeError);
    expect(() => serializeSafetensors({ w: { dtype: 'float32', shape: [3], data: f32 } })).toThrow(ShapeError);
    expect(() => serializeSafetensors({ w: { dtype: 'float32', shape: [3], data: f32 } })).toThrow(/shape \[3\] holds 3 elements but data has 2/);
    expect(() => serializeSafetensors({ w: { dtype: 'float32', shape: [-2], data: f32 } })).toThrow(ShapeError);
    expect(() => serializeSafetensors({ __metadata__: { dtype: 'float32', shape: [2], data: f32 } })).toThrow(/reserved for metadata/);
    expect(() => serializeSafetensors({}, { epoch: 3 as never })).toThrow(/metadata\["epoch"\] must be a string, got 3/);
    expect(() => serializeSafetensors(null as never)).toThrow(ArgumentError);
  });
});

describe('a file written by Python (scripts/make_fixtures.py: json + struct)', () => {
  const { metadata, entries } = parseSafetensors(readFileSync(PYTHON_WRITTEN), PYTHON_WRITTEN);

  it('has its metadata and every tensor with the right dtype and shape', () => {
    expect(metadata).toEqual({ format: 'pt', written_by: 'scripts/make_fixtures.py' });
    const layout = Object.fromEntries(Object.entries(entries).map(([name, t]) => [name, [t.dtype, t.shape]]));
    expect(layout).toEqual({
      f32: ['float32', [3, 4]],
      f64: ['float64', [2, 3]],
      i32: ['int32', [5]],
      i64: ['int32', [2, 3]],
      f16: ['float32', [10]],
      bf16: ['float32', [8]],
      scalar: ['float64', []],
      empty: ['float32', [0, 3]],
      'layer.0.weight': ['float32', [2, 2]],
    });
  });

  it('holds the values Python wrote', () => {
    expect(Array.from(entries.f32.data)).toEqual(Array.from({ length: 12 }, (_, i) => i / 8 - 0.75));
    expect(Array.from(entries.f64.data)).toEqual([Math.PI, -1e-300, 1e300, 0.1, 5e-324, -7]);
    expect(Array.from(entries.i32.data)).toEqual([0, -1, 2147483647, -2147483648, 42]);
    expect(Array.from(entries.i64.data)).toEqual([-2147483648, 2147483647, 0, -1, 42, 7]);
    const f16 = Array.from(entries.f16.data);
    expect(f16.slice(0, 9)).toEqual([0, -0, 1, -2.5, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity]);
    expect(Object.is(f16[1], -0)).toBe(true);
    expect(f16[9]).toBeNaN();
    const bf16 = Array.from(entries.bf16.data);
    expect(bf16.filter((_, i) => i !== 6)).toEqual([1, -2, 3.140625, 2 ** 100, -(2 ** -100), Infinity, 0]);
    expect(bf16[6]).toBeNaN();
    expect(Array.from(entries.scalar.data)).toEqual([2.5]);
    expect(entries.empty.data.length).toBe(0);
    expect(Array.from(entries['layer.0.weight'].data)).toEqual([1, 2, 3, 4]);
  });

  it('re-serializes every Python-written GRU fixture to the same bytes', () => {
    const files = readdirSync(GRU_FIXTURE_DIR).filter((f) => f.endsWith('.safetensors'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const bytes = new Uint8Array(readFileSync(join(GRU_FIXTURE_DIR, file)));
      const parsed = parseSafetensors(bytes, file);
      expect(serializeSafetensors(parsed.entries, parsed.metadata), file).toEqual(bytes);
    }
  });
});

describe('readSafetensors / writeSafetensors (Tensors and files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gru-native-safetensors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips tensors of every dtype and metadata through a file', () => {
    const path = join(dir, 'model.safetensors');
    const tensors = {
      'gru.weight_ih_l0': Tensor.from(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]),
      'gru.bias': Tensor.from(Float64Array.from([0.1, 0.2, 0.3]), [3]),
      step: Tensor.from(Int32Array.from([12]), []),
      empty: Tensor.zeros([0, 5], { dtype: 'float64' }),
    };
    writeSafetensors(path, tensors, { config: '{"hiddenSize":1}' });
    expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temporary file left behind

    const { tensors: loaded, metadata } = readSafetensorsWithMetadata(path);
    expect(metadata).toEqual({ config: '{"hiddenSize":1}' });
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, original] of Object.entries(tensors)) {
      const copy = loaded[name];
      expect(copy, name).toBeInstanceOf(Tensor);
      expect(copy.dtype, name).toBe(original.dtype);
      expect(copy.shape, name).toEqual(original.shape);
      expect(copy.device, name).toBe('cpu');
      expect(copy.dataSync(), name).toEqual(original.dataSync());
    }
    const plain = readSafetensors(path);
    expect(plain.step.itemSync()).toBe(12);
    for (const t of [...Object.values(tensors), ...Object.values(loaded), ...Object.values(plain)]) t.dispose();
  });

  it('reads the Python-written file into tensors', () => {
    const tensors = readSafetensors(PYTHON_WRITTEN);
    expect(tensors.i64.dtype).toBe('int32');
    expect(tensors.f16.dtype).toBe('float32');
    expect(tensors.scalar.shape).toEqual([]);
    expect(tensors.scalar.itemSync()).toBe(2.5);
    expect(tensors['layer.0.weight'].toArraySync()).toEqual([[1, 2], [3, 4]]);
    for (const t of Object.values(tensors)) t.dispose();
  });

  it('names the file in errors and refuses non-tensors', () => {
    const path = join(dir, 'broken.safetensors');
    expect(() => readSafetensors(path)).toThrow(FileError);
    expect(() => readSafetensors(path)).toThrow(`readSafetensors: cannot read ${JSON.stringify(path)}: no such file (ENOENT)`);
    writeSafetensors(path, {});
    expect(Object.keys(readSafetensors(path))).toEqual([]);
    expect(() => writeSafetensors(path, { w: Float32Array.from([1]) as never })).toThrow(ArgumentError);
    expect(() => writeSafetensors(path, { w: Float32Array.from([1]) as never })).toThrow(/tensors\["w"\] must be a Tensor/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // refused before a temporary file was made
    const truncated = join(dir, 'truncated.safetensors');
    const w = Tensor.from(Float32Array.from([1, 2]));
    writeSafetensors(truncated, { w });
    w.dispose();
    const bytes = readFileSync(truncated);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 1));
    expect(() => readSafetensors(truncated)).toThrow(ArgumentError);
    expect(() => readSafetensors(truncated)).toThrow(`${truncated}: tensor "w": data_offsets [0, 8] are out of range`);
  });
});
