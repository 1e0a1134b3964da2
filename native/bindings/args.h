// Argument readers for bindings. lib/ validates with messages that name the user's arguments;
// these are the native boundary's own checks, so a direct caller of the addon still cannot
// crash it or reach memory out of bounds.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../core/dtype.h"
#include "../core/errors.h"
#include "tensor_handle.h"

namespace gru {

inline std::string argLabel(size_t index, const char* name) {
  return std::string("argument ") + std::to_string(index) + " (" + name + ")";
}

// A live (not released) tensor handle; defined in tensor_handle.cc. `label` names it in errors.
TensorHandle& tensorValue(Napi::Env env, Napi::Value value, const std::string& label);
TensorHandle& tensorArg(const Napi::CallbackInfo& info, size_t index, const char* name);

// A tensor argument, or nothing for null/undefined.
inline std::optional<TensorRef> optionalTensorArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || info[index].IsNull() || info[index].IsUndefined()) return std::nullopt;
  return tensorArg(info, index, name).ref();
}

inline double numberArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

inline int64_t intArg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t min = 0,
                      int64_t max = 9007199254740991LL) {
  const double value = numberArg(info, index, name);
  if (!std::isfinite(value) || std::floor(value) != value || value < static_cast<double>(min) ||
      value > static_cast<double>(max)) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be an integer in [" + std::to_string(min) + ", " +
                                         std::to_string(max) + "], got " + std::to_string(value));
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
  return static_cast<DType>(intArg(info, index, name, 0, kDTypeCount - 1));
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

// A typed array's element type, length and bytes. Read through napi_get_typedarray_info, which
// also works for arrays over a SharedArrayBuffer (Napi::TypedArray::ArrayBuffer() does not).
struct TypedArrayView {
  napi_typedarray_type type;
  size_t length;
  void* data;
};

inline TypedArrayView typedArrayArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsTypedArray()) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a typed array");
  }
  TypedArrayView view{};
  napi_value buffer = nullptr;
  size_t byteOffset = 0;
  const napi_status status =
      napi_get_typedarray_info(info.Env(), info[index], &view.type, &view.length, &view.data, &buffer, &byteOffset);
  if (status != napi_ok) throw Error(ErrorKind::Argument, argLabel(index, name) + " could not be read as a typed array");
  return view;
}

// A JS string argument.
inline std::string stringArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsString()) throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a string");
  return info[index].As<Napi::String>().Utf8Value();
}

// A Float64Array argument's values.
inline std::vector<double> float64ArrayArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const TypedArrayView view = typedArrayArg(info, index, name);
  if (view.type != napi_float64_array) throw Error(ErrorKind::Argument, argLabel(index, name) + " must be a Float64Array");
  const double* values = static_cast<const double*>(view.data);
  return std::vector<double>(values, values + view.length);
}

// `b` has `a`'s dtype and device; the message names both arguments.
inline void requireSameKind(const TensorRef& a, const TensorRef& b, const std::string& aName, const std::string& bName) {
  if (a.dtype != b.dtype) {
    throw Error(ErrorKind::DType, bName + " has dtype " + dtypeName(b.dtype) + " but " + aName + " has " + dtypeName(a.dtype));
  }
  if (a.device() != b.device()) {
    throw Error(ErrorKind::Device, bName + " is on " + deviceName(b.device()) + " but " + aName + " is on " + deviceName(a.device()));
  }
}

// `t` has exactly `count` elements (a double, so callers' unchecked products cannot overflow).
inline void requireNumel(const TensorRef& t, double count, const std::string& name) {
  if (static_cast<double>(t.numel) != count) {
    throw Error(ErrorKind::Shape, name + " must have " + std::to_string(static_cast<int64_t>(count)) + " elements, got " + std::to_string(t.numel));
  }
}

inline void requireFloatDType(DType dtype, size_t index, const char* name) {
  if (dtype == DType::Int32) throw Error(ErrorKind::DType, argLabel(index, name) + " must be float32 or float64, got int32");
}

}  // namespace gru
