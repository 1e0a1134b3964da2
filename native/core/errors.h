// Every failure inside the addon is a gru::Error carrying the JS class it becomes.
// Native code never aborts: bindings catch these and throw the typed JS error.
#pragma once
#include <stdexcept>
#include <string>

namespace gru {

// Values are the index into the JS error-class table (lib/errors.ts, ErrorKind).
enum class ErrorKind : int32_t {
  Argument = 0,             // ArgumentError: a bad value
  Shape = 1,                // ShapeError
  DType = 2,                // DTypeError
  Device = 3,               // DeviceError
  BackendUnavailable = 4,   // BackendUnavailableError
  Native = 5,               // NativeError (has a status code, e.g. CUDNN_STATUS_BAD_PARAM)
  Disposed = 6,             // DisposedError: use after dispose()
  OutOfMemory = 7,          // OutOfMemoryError
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, std::string code = "")
      : std::runtime_error(message), kind_(kind), code_(std::move(code)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }

 private:
  ErrorKind kind_;
  std::string code_;
};

// Internal invariant violations: a bug in gru-native, reported, never aborting.
[[noreturn]] inline void internalError(const std::string& what) {
  throw Error(ErrorKind::Native, "internal error in gru-native: " + what, "INTERNAL");
}

}  // namespace gru
