/** Element types and devices, and their native codes. */
import { DeviceError, DTypeError, describe } from './errors';
import type { AnyTypedArray } from './native/types';

export type DType = 'float32' | 'float64' | 'int32';
export type Device = 'cpu' | 'cuda';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];
export const DEVICES: readonly Device[] = ['cpu', 'cuda'];

/** Native codes (native/core/dtype.h); a test checks them against the addon's constants(). */
export const DTYPE_CODE: Readonly<Record<DType, number>> = { float32: 0, float64: 1, int32: 2 };
export const DEVICE_CODE: Readonly<Record<Device, number>> = { cpu: 0, cuda: 1 };

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

export function isFloating(dtype: DType): boolean {
  return dtype !== 'int32';
}

export type { AnyTypedArray };
