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

}  // namespace gru
