// The JS typed array type that holds each dtype.
#pragma once
#include <napi.h>

#include "../core/dtype.h"

namespace gru {

inline napi_typedarray_type typedArrayTypeOf(DType dtype) {
  switch (dtype) {
    case DType::Float32: return napi_float32_array;
    case DType::Float64: return napi_float64_array;
    case DType::Int32: return napi_int32_array;
  }
  return napi_float32_array;
}

inline Napi::Value typedArrayOver(Napi::Env env, Napi::ArrayBuffer buffer, DType dtype, int64_t numel) {
  napi_value result;
  napi_status status = napi_create_typedarray(env, typedArrayTypeOf(dtype), static_cast<size_t>(numel), buffer, 0, &result);
  NAPI_THROW_IF_FAILED(env, status, Napi::Value());
  return Napi::Value(env, result);
}

}  // namespace gru
