/**
 * The library's typed errors. Every failure, in TS validation or in native code, is one of
 * these; messages name the argument, what was expected and what was given.
 */

export class GruError extends Error {
  /** Machine-readable status, e.g. `CUDNN_STATUS_BAD_PARAM`; empty when there is none. */
  readonly code: string;
  constructor(message: string, code = '') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bad value: out of range, wrong type, not an integer, NaN where a number is needed. */
export class ArgumentError extends GruError {}
/** A tensor or array of the wrong shape. */
export class ShapeError extends GruError {}
/** A tensor of the wrong element type. */
export class DTypeError extends GruError {}
/** Tensors on different devices, or a device that does not exist. */
export class DeviceError extends GruError {}
/** The backend asked for cannot run here; `reason` says why. */
export class BackendUnavailableError extends GruError {}
/** A failure reported by a native library; `code` carries its status name. */
export class NativeError extends GruError {}
/** A tensor (or module) used after dispose(). */
export class DisposedError extends GruError {}
/** An allocation failed. */
export class OutOfMemoryError extends GruError {}
/**
 * A file could not be read or written. `code` is Node's error code (`ENOENT`, `EISDIR`,
 * `EACCES`, ...), `path` the file asked for, `cause` the original Node error.
 * Thrown from TS only (no native error kind maps to it).
 */
export class FileError extends GruError {
  readonly path: string;
  constructor(message: string, code: string, path: string, cause?: unknown) {
    super(message, code);
    this.path = path;
    // Defined as Error's own constructor would (own, non-enumerable); `ErrorOptions` is not in
    // every consumer's lib, so it is not in this signature.
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, writable: true, configurable: true, enumerable: false });
  }
}
