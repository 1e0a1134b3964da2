// Argument readers for bindings. lib/ validates everything with friendly messages first; these
// are the cheap native re-checks, so a direct caller of the addon still cannot crash it.
#pragma once
#include <napi.h>

#include <cmath>
#include <string>

#include "../core/dtype.h"
#include "../core/errors.h"
#include "tensor_handle.h"

namespace gru {

inline std::string argLabel(size_t index, const char* name) {
  return std::string("argument ") + std::to_string(index) + " (" + name + ")";
}

// A live (not released) tensor handle; defined in tensor_handle.cc.
TensorHandle& tensorArg(const Napi::CallbackInfo& info, size_t index, const char* name);

inline double numberArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

inline int64_t intArg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t min = 0) {
  const double value = numberArg(info, index, name);
  if (!std::isfinite(value) || std::floor(value) != value || value < static_cast<double>(min) ||
      value > 9007199254740991.0) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be an integer >= " +
                                         std::to_string(min) + ", got " + std::to_string(value));
  }
  return static_cast<int64_t>(value);
}

inline bool boolArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsBoolean()) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a boolean");
  }
  return info[index].As<Napi::Boolean>().Value();
}

inline DType dtypeArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const int64_t value = intArg(info, index, name);
  if (!isValidDType(static_cast<int32_t>(value))) {
    throw Error(ErrorKind::DType, argLabel(index, name) + " is not a dtype code: " + std::to_string(value));
  }
  return static_cast<DType>(value);
}

inline DeviceKind deviceArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const int64_t value = intArg(info, index, name);
  if (value > 1) throw Error(ErrorKind::Device, argLabel(index, name) + " is not a device code: " + std::to_string(value));
  return static_cast<DeviceKind>(value);
}

inline uint64_t bigUintArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsBigInt()) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a bigint");
  }
  bool lossless = false;
  const uint64_t value = info[index].As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) throw Error(ErrorKind::Argument, argLabel(index, name) + " must fit in 64 unsigned bits");
  return value;
}

}  // namespace gru
