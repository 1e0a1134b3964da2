// Runs body(T{}) with T the C++ type of a floating dtype: one switch for the CPU loops.
#pragma once
#include "../core/dtype.h"

namespace gru {

template <typename Body>
void withFloatType(DType dtype, Body&& body) {
  if (dtype == DType::Float64) body(double{});
  else body(float{});
}

}  // namespace gru
