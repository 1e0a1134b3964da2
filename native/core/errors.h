// Every failure inside the addon is a gru::Error carrying the JS class it becomes.
// Native code never aborts: bindings catch these (and any other exception) and throw the typed
// JS error.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace gru {

// (name, value, JS class): the value indexes lib/errors.ts's errorClassesByKind, which a test
// checks against constants().errorKinds.
#define GRU_ERROR_KINDS(X)                              \
  X(Argument, 0, "ArgumentError")                       \
  X(Shape, 1, "ShapeError")                             \
  X(DType, 2, "DTypeError")                             \
  X(Device, 3, "DeviceError")                           \
  X(BackendUnavailable, 4, "BackendUnavailableError")   \
  X(Native, 5, "NativeError") /* has a status code, e.g. CUDNN_STATUS_BAD_PARAM */ \
  X(Disposed, 6, "DisposedError")                       \
  X(OutOfMemory, 7, "OutOfMemoryError")

#define GRU_ERROR_KIND_ENTRY(name, value, js) name = value,
enum class ErrorKind : int32_t { GRU_ERROR_KINDS(GRU_ERROR_KIND_ENTRY) };
#undef GRU_ERROR_KIND_ENTRY

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
