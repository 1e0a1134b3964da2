/**
 * The safetensors file format at the byte level: no tensors, no files, no native code.
 *
 * Layout: an 8-byte little-endian u64 N, N bytes of UTF-8 JSON (maybe padded with spaces),
 * then the raw little-endian data. The JSON maps each tensor name to
 * `{ dtype, shape, data_offsets: [begin, end] }` (offsets relative to the data section) and may
 * hold `__metadata__`, a string-to-string map.
 */
import type { DType } from '../dtype';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { checkShape, numelOf } from '../shape';

export type SafetensorsArray = Float32Array | Float64Array | Int32Array;

/** One tensor as plain data: what parse returns and serialize takes. */
export interface RawTensor {
  dtype: DType;
  shape: number[];
  data: SafetensorsArray;
}

export interface ParsedSafetensors {
  metadata: Record<string, string>;
  entries: Record<string, RawTensor>;
}

const METADATA_KEY = '__metadata__';
/** The reference implementation refuses larger headers; so do we, before decoding anything. */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Bits per element of every dtype the format defines; `loadsAs` marks the ones we read. Integers
 * and booleans load as int32 (refusing values it cannot hold), the small floats as float32
 * (exactly); the 4- and 6-bit floats, the power-of-two F8_E8M0, complex and FNUZ floats do not load.
 */
const FILE_DTYPES: Readonly<Record<string, { bits: number; loadsAs?: DType }>> = {
  BOOL: { bits: 8, loadsAs: 'int32' },
  U8: { bits: 8, loadsAs: 'int32' },
  I8: { bits: 8, loadsAs: 'int32' },
  F8_E5M2: { bits: 8, loadsAs: 'float32' },
  F8_E4M3: { bits: 8, loadsAs: 'float32' },
  F8_E8M0: { bits: 8 },
  F8_E4M3FNUZ: { bits: 8 },
  F8_E5M2FNUZ: { bits: 8 },
  F4: { bits: 4 },
  F6_E2M3: { bits: 6 },
  F6_E3M2: { bits: 6 },
  I16: { bits: 16, loadsAs: 'int32' },
  U16: { bits: 16, loadsAs: 'int32' },
  F16: { bits: 16, loadsAs: 'float32' },
  BF16: { bits: 16, loadsAs: 'float32' },
  I32: { bits: 32, loadsAs: 'int32' },
  U32: { bits: 32, loadsAs: 'int32' },
  F32: { bits: 32, loadsAs: 'float32' },
  C64: { bits: 64 },
  F64: { bits: 64, loadsAs: 'float64' },
  I64: { bits: 64, loadsAs: 'int32' },
  U64: { bits: 64, loadsAs: 'int32' },
};

/** What we write for each of our dtypes, and its rank in the Rust writer's dtype order. */
const WRITE_DTYPES: Readonly<Record<DType, { name: string; rank: number; Array: new (n: number) => SafetensorsArray }>> = {
  float64: { name: 'F64', rank: 2, Array: Float64Array },
  float32: { name: 'F32', rank: 1, Array: Float32Array },
  int32: { name: 'I32', rank: 0, Array: Int32Array },
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---- reading -------------------------------------------------------------------------

interface TensorSpec {
  name: string;
  fileDType: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a whole safetensors file. F16 and BF16 load as float32, I64 as int32 (refusing
 * values int32 cannot hold); other dtypes throw DTypeError. Every array is a fresh, aligned copy.
 * `source` names the file in error messages.
 */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data'): ParsedSafetensors {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentError(`${source}: expected a Uint8Array, got ${describe(bytes)}`);
  const { header, dataStart } = readHeader(bytes, source);
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const specs: TensorSpec[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = checkMetadata(value, `${source}: __metadata__`);
    else specs.push(readTensorSpec(name, value, dataLength, source));
  }
  checkTiling(specs, dataLength, source);
  const data = bytes.subarray(dataStart);
  const entries = specs.map((spec): [string, RawTensor] => [spec.name, decodeTensor(spec, data, source)]);
  // fromEntries defines own properties, so a tensor named "__proto__" stays a tensor.
  return { metadata, entries: Object.fromEntries(entries) };
}

function readHeader(bytes: Uint8Array, source: string): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) {
    throw new ArgumentError(`${source}: ${bytes.length} bytes is too short for a safetensors file (it starts with an 8-byte header length)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new ArgumentError(`${source}: header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit; this is not a safetensors file or it is corrupt`);
  }
  const dataStart = 8 + Number(headerLength);
  if (dataStart > bytes.length) {
    throw new ArgumentError(`${source}: header length ${headerLength} runs past the end of the file (${bytes.length} bytes); the file is truncated or not safetensors`);
  }
  let text: string;
  try {
    // fatal: bad UTF-8 is an error; ignoreBOM keeps a BOM so that JSON.parse rejects it like the reference does.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw new ArgumentError(`${source}: the ${headerLength}-byte header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new ArgumentError(`${source}: the header is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) throw new ArgumentError(`${source}: the header must be a JSON object, got ${describe(header)}`);
  return { header, dataStart };
}

function checkMetadata(value: unknown, where: string): Record<string, string> {
  if (!isPlainObject(value)) throw new ArgumentError(`${where} must be an object of strings, got ${describe(value)}`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new ArgumentError(`${where}[${JSON.stringify(key)}] must be a string, got ${describe(v)}`);
  }
  return Object.fromEntries(Object.entries(value)) as Record<string, string>;
}

function readTensorSpec(name: string, value: unknown, dataLength: number, source: string): TensorSpec {
  const where = `${source}: tensor ${JSON.stringify(name)}`;
  if (!isPlainObject(value)) throw new ArgumentError(`${where}: expected {dtype, shape, data_offsets}, got ${describe(value)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string') throw new ArgumentError(`${where}: dtype must be a string, got ${describe(dtype)}`);
  const info = Object.hasOwn(FILE_DTYPES, dtype) ? FILE_DTYPES[dtype] : undefined;
  if (info === undefined) throw new DTypeError(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  if (info.loadsAs === undefined) {
    const loadable = Object.entries(FILE_DTYPES).filter(([, d]) => d.loadsAs).map(([n]) => n).join(', ');
    throw new DTypeError(`${where}: dtype ${dtype} is not supported (these load: ${loadable})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ArgumentError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const numel = numelOf(shape);
  if (!Number.isSafeInteger(numel * info.bits)) throw new ArgumentError(`${where}: shape ${formatShape(shape)} is too large`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new ArgumentError(`${where}: data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new ArgumentError(`${where}: data_offsets [${begin}, ${end}] are out of range: the data section has ${dataLength} bytes (need begin <= end <= ${dataLength}); the file may be truncated`);
  }
  const expectedBytes = (numel * info.bits) / 8;
  if (end - begin !== expectedBytes) {
    throw new ShapeError(`${where}: shape ${formatShape(shape)} of ${dtype} needs ${expectedBytes} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, fileDType: dtype, shape: [...shape], begin, end };
}

/** The reference's rule: sorted by offset, the tensors tile the data section exactly (no gap, no overlap, nothing after). */
function checkTiling(specs: readonly TensorSpec[], dataLength: number, source: string): void {
  const ranges = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: TensorSpec | null = null;
  for (const current of ranges) {
    if (current.begin !== at) {
      const before = previous ? `${JSON.stringify(previous.name)} [${previous.begin}, ${previous.end}] and ` : 'the start of the data section and ';
      throw new ArgumentError(`${source}: ${before}${JSON.stringify(current.name)} [${current.begin}, ${current.end}] ${current.begin < at ? 'overlap' : 'leave a gap'}; tensors must tile the data section`);
    }
    at = current.end;
    previous = current;
  }
  if (at !== dataLength) throw new ArgumentError(`${source}: ${dataLength - at} bytes after the last tensor (the data section has ${dataLength}, the tensors end at ${at})`);
}

function decodeTensor(spec: TensorSpec, data: Uint8Array, source: string): RawTensor {
  const bytes = data.subarray(spec.begin, spec.end);
  const shape = spec.shape;
  switch (spec.fileDType) {
    case 'F32':
      return { dtype: 'float32', shape, data: new Float32Array(nativeOrderCopy(bytes, 4)) };
    case 'F64':
      return { dtype: 'float64', shape, data: new Float64Array(nativeOrderCopy(bytes, 8)) };
    case 'I32':
      return { dtype: 'int32', shape, data: new Int32Array(nativeOrderCopy(bytes, 4)) };
    case 'F16':
      return { dtype: 'float32', shape, data: widenHalves(bytes, halfToFloatTable()) };
    case 'BF16':
      return { dtype: 'float32', shape, data: widenHalves(bytes, undefined) };
    case 'I64':
      return { dtype: 'int32', shape, data: int64ToInt32(new BigInt64Array(nativeOrderCopy(bytes, 8)), `${source}: tensor ${JSON.stringify(spec.name)}`) };
    case 'U64':
      return { dtype: 'int32', shape, data: int64ToInt32(new BigUint64Array(nativeOrderCopy(bytes, 8)), `${source}: tensor ${JSON.stringify(spec.name)}`, 'U64') };
    case 'U32':
      return { dtype: 'int32', shape, data: int64ToInt32(new Uint32Array(nativeOrderCopy(bytes, 4)), `${source}: tensor ${JSON.stringify(spec.name)}`, 'U32') };
    case 'BOOL': case 'U8':
      return { dtype: 'int32', shape, data: Int32Array.from(bytes) };
    case 'I8':
      return { dtype: 'int32', shape, data: Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length)) };
    case 'I16':
      return { dtype: 'int32', shape, data: Int32Array.from(new Int16Array(nativeOrderCopy(bytes, 2))) };
    case 'U16':
      return { dtype: 'int32', shape, data: Int32Array.from(new Uint16Array(nativeOrderCopy(bytes, 2))) };
    case 'F8_E4M3': case 'F8_E5M2': {
      const table = float8Table(spec.fileDType);
      return { dtype: 'float32', shape, data: Float32Array.from(bytes, (b) => table[b]) };
    }
    default:
      throw new DTypeError(`${source}: tensor ${JSON.stringify(spec.name)}: no decoder for ${spec.fileDType}`);
  }
}

/** A fresh, aligned buffer holding `bytes` with each item in the host's byte order. */
function nativeOrderCopy(bytes: Uint8Array, itemSize: number): ArrayBuffer {
  const copy = new Uint8Array(bytes); // not bytes.slice(): on a Node Buffer that is a view, not a copy
  if (!LITTLE_ENDIAN_HOST) swapBytes(copy, itemSize);
  return copy.buffer;
}

function swapBytes(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i < bytes.length; i += itemSize) bytes.subarray(i, i + itemSize).reverse();
}

/**
 * Widens little-endian 16-bit floats straight into a new Float32Array: F16 through `table`
 * (half bits to float32 bits), BF16 (no table) by a shift, since it is the top half of a float32.
 * The halves are assembled from bytes, so the host's byte order and the data's alignment
 * do not matter, and nothing but the output is allocated.
 */
function widenHalves(bytes: Uint8Array, table: Uint32Array | undefined): Float32Array {
  const n = bytes.length >>> 1;
  const out = new Float32Array(n);
  // Written as uint32 in host order, read back as float32 in host order: bits survive on any host.
  const bits = new Uint32Array(out.buffer);
  if (table === undefined) {
    for (let i = 0, j = 0; i < n; i++, j += 2) bits[i] = (bytes[j] | (bytes[j + 1] << 8)) << 16;
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 2) bits[i] = table[bytes[j] | (bytes[j + 1] << 8)];
  }
  return out;
}

/** Little-endian IEEE binary16 values as float32, exactly (TF.js's float16-quantised weights too). */
export function float16ToFloat32(bytes: Uint8Array): Float32Array {
  return widenHalves(bytes, halfToFloatTable());
}

let halfTable: Uint32Array | undefined;

/** float32 bits of every IEEE binary16 value (256 KiB, built on first use). */
function halfToFloatTable(): Uint32Array {
  if (halfTable !== undefined) return halfTable;
  const table = new Uint32Array(0x10000);
  for (let h = 0; h < 0x10000; h++) table[h] = halfBitsToFloatBits(h);
  halfTable = table;
  return table;
}

/**
 * IEEE 754 binary16 bits to binary32 bits, exactly (every half is a float32): the exponent is
 * rebiased (15 to 127), subnormals are normalized, infinities stay infinite and NaNs keep
 * sign and payload, as numpy's conversion does.
 */
function halfBitsToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let fraction = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (fraction << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 127 - 15) << 23) | (fraction << 13)) >>> 0;
  if (fraction === 0) return sign >>> 0;
  // Subnormal: fraction * 2^-24. Shift its leading 1 into the implicit-bit position (bit 10).
  let e = 127 - 14;
  while ((fraction & 0x400) === 0) {
    fraction <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((fraction & 0x3ff) << 13)) >>> 0;
}

function int64ToInt32(values: BigInt64Array | BigUint64Array | Uint32Array, where: string, fileDType = 'I64'): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < -2147483648 || v > 2147483647) {
      throw new DTypeError(`${where}: ${fileDType} element [${i}] = ${v} does not fit in int32 (${fileDType} tensors load as int32)`);
    }
    out[i] = Number(v);
  }
  return out;
}

const float8Tables = new Map<string, Float32Array>();

/**
 * Every value of an 8-bit float: F8_E4M3 is torch's float8_e4m3fn (bias 7, no infinities, NaN
 * only at S.1111.111), F8_E5M2 IEEE-like (bias 15, infinities and NaNs at exponent 31).
 */
function float8Table(dtype: 'F8_E4M3' | 'F8_E5M2'): Float32Array {
  const cached = float8Tables.get(dtype);
  if (cached) return cached;
  const [exponentBits, mantissaBits] = dtype === 'F8_E4M3' ? [4, 3] : [5, 2];
  const bias = 2 ** (exponentBits - 1) - 1, top = 2 ** exponentBits - 1, steps = 2 ** mantissaBits;
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) {
    const sign = b & 0x80 ? -1 : 1, exponent = (b >> mantissaBits) & top, mantissa = b & (steps - 1);
    if (dtype === 'F8_E5M2' && exponent === top) table[b] = mantissa === 0 ? sign * Infinity : Number.NaN;
    else if (dtype === 'F8_E4M3' && exponent === top && mantissa === steps - 1) table[b] = Number.NaN;
    else if (exponent === 0) table[b] = sign * (mantissa / steps) * 2 ** (1 - bias);
    else table[b] = sign * (1 + mantissa / steps) * 2 ** (exponent - bias);
  }
  float8Tables.set(dtype, table);
  return table;
}

// ---- writing -------------------------------------------------------------------------

/**
 * Serializes tensors (float32, float64, int32) to safetensors bytes, laid out like the Rust
 * writer behind Python's `safetensors`: compact JSON, tensors by dtype (F64, F32, I32) then by
 * name, header padded with spaces so that the data starts 8-byte aligned.
 */
export function serializeSafetensors(entries: Record<string, RawTensor>, metadata?: Record<string, string>): Uint8Array {
  if (!isPlainObject(entries)) throw new ArgumentError(`entries must be an object mapping names to tensors, got ${describe(entries)}`);
  const tensors = Object.entries(entries).map(([name, entry]) => checkEntry(name, entry));
  tensors.sort((a, b) => WRITE_DTYPES[b.dtype].rank - WRITE_DTYPES[a.dtype].rank || compareUtf8(a.name, b.name));

  const fields: string[] = [];
  if (metadata !== undefined) {
    const checked = checkMetadata(metadata, 'metadata');
    fields.push(`${JSON.stringify(METADATA_KEY)}:${jsonObject(Object.entries(checked).map(([k, v]) => [k, JSON.stringify(v)]))}`);
  }
  let offset = 0;
  for (const t of tensors) {
    const begin = offset;
    offset += t.data.byteLength;
    const info = jsonObject([
      ['dtype', JSON.stringify(WRITE_DTYPES[t.dtype].name)],
      ['shape', JSON.stringify(t.shape)],
      ['data_offsets', JSON.stringify([begin, offset])],
    ]);
    fields.push(`${JSON.stringify(t.name)}:${info}`);
  }
  const json = new TextEncoder().encode(`{${fields.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const t of tensors) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, position);
    if (!LITTLE_ENDIAN_HOST) swapBytes(out.subarray(position, position + bytes.length), t.data.BYTES_PER_ELEMENT);
    position += bytes.length;
  }
  return out;
}

function checkEntry(name: string, entry: unknown): RawTensor & { name: string } {
  const where = `entries[${JSON.stringify(name)}]`;
  if (name === METADATA_KEY) throw new ArgumentError(`${where}: "${METADATA_KEY}" is reserved for metadata and cannot name a tensor`);
  if (!isPlainObject(entry)) throw new ArgumentError(`${where} must be {dtype, shape, data}, got ${describe(entry)}`);
  const { dtype, data } = entry;
  if (typeof dtype !== 'string' || !Object.hasOwn(WRITE_DTYPES, dtype)) {
    throw new DTypeError(`${where}.dtype must be 'float32', 'float64' or 'int32', got ${describe(dtype)}`);
  }
  const shape = checkShape(entry.shape, `${where}.shape`);
  const { Array: Expected } = WRITE_DTYPES[dtype as DType];
  if (!(data instanceof Expected)) throw new DTypeError(`${where}.data must be a ${Expected.name} for dtype ${dtype}, got ${describe(data)}`);
  if (data.length !== numelOf(shape)) {
    throw new ShapeError(`${where}: shape ${formatShape(shape)} holds ${numelOf(shape)} elements but data has ${data.length}`);
  }
  return { name, dtype: dtype as DType, shape, data };
}

/** `{"a":1,"b":2}` in the given order (JSON.stringify would move integer-like keys first). */
function jsonObject(fields: ReadonlyArray<readonly [string, string]>): string {
  return `{${fields.map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(',')}}`;
}

/** Orders names by their UTF-8 bytes, as Rust's String ordering does. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}
