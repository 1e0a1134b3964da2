// Converting one element between dtypes, for the CPU loop and the CUDA kernel. Float to int32
// truncates toward zero as torch does; values beyond the int32 range saturate and NaN becomes
// INT32_MIN (what x86's conversion gives), so the conversion is never undefined behaviour.
#pragma once
#include <cstdint>
#include <type_traits>

#include "host_device.h"

namespace gru {

template <typename To, typename From>
GRU_HOST_DEVICE GRU_INLINE To castValue(From v) {
  if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (!(v == v)) return To(-2147483647 - 1);
    if (v >= From(2147483647.0)) return To(2147483647);
    if (v <= From(-2147483648.0)) return To(-2147483647 - 1);
    return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace gru
