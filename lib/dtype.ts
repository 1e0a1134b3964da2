/** Element types and devices, and their native codes (taken from the addon's constants()). */
import { DeviceError, DTypeError, GruError } from './errors';
import { describe } from './format';
import { nativeConstants } from './native/binding';
import type { AnyTypedArray } from './native/types';

export type DType = 'float32' | 'float64' | 'int32';
export type Device = 'cpu' | 'cuda';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];
export const DEVICES: readonly Device[] = ['cpu', 'cuda'];

/** `{ name: code }` for `names`, from one of the addon's code tables; an addon that lacks a name is a build mismatch. */
export function codesFrom<N extends string>(names: readonly N[], table: Record<string, number>, what: string): Readonly<Record<N, number>> {
  const codes = {} as Record<N, number>;
  for (const name of names) {
    if (!(name in table)) throw new GruError(`gru-native: the native addon has no ${what} '${name}'; rebuild it (npm rebuild gru-native)`, 'ADDON_MISMATCH');
    codes[name] = table[name];
  }
  return Object.freeze(codes);
}

export const DTYPE_CODE = codesFrom(DTYPES, nativeConstants.dtypes, 'dtype');
export const DEVICE_CODE = codesFrom(DEVICES, nativeConstants.devices, 'device');

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int32: 4 };

type TypedArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;
export const TYPED_ARRAY: Readonly<Record<DType, TypedArrayConstructor>> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
};

export type TypedArrayOf<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : Int32Array;

/** The dtype a typed array holds natively (float32 for other arrays). */
export type DTypeOfData<T> = T extends Float64Array ? 'float64' : T extends Int32Array ? 'int32' : 'float32';

export type FloatDType = 'float32' | 'float64';

export function checkDType(value: unknown, argument: string): DType {
  if (typeof value === 'string' && (DTYPES as readonly string[]).includes(value)) return value as DType;
  throw new DTypeError(`${argument} must be one of ${DTYPES.map((d) => `'${d}'`).join(', ')}, got ${describe(value)}`);
}

export function checkDevice(value: unknown, argument: string): Device {
  if (typeof value === 'string' && (DEVICES as readonly string[]).includes(value)) return value as Device;
  throw new DeviceError(`${argument} must be 'cpu' or 'cuda', got ${describe(value)}`);
}

/** The dtype a typed array holds natively, or undefined for other arrays (Uint8Array, ...). */
export function dtypeOfTypedArray(array: ArrayBufferView): DType | undefined {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  if (array instanceof Int32Array) return 'int32';
  return undefined;
}

export function isFloating(dtype: DType): dtype is FloatDType {
  return dtype !== 'int32';
}

export type { AnyTypedArray };
