// Reading a strided geometry (Note [Strided geometry]) from JS and checking that every element it
// reaches lies inside the tensors it will be applied to.
#pragma once
#include <napi.h>

#include <string>

#include "../ops/strided.h"
#include "args.h"

namespace gru {

// A Float64Array [shape..., stride0..., stride1...] of 3 * ndim integers (strides >= 0).
inline StridedGeometry geometryArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const std::vector<double> values = float64ArrayArg(info, index, name);
  if (values.size() % 3 != 0 || values.size() > 3 * kMaxStridedDims) {
    throw Error(ErrorKind::Argument, argLabel(index, name) + " must hold 3 * ndim values with ndim <= " + std::to_string(kMaxStridedDims));
  }
  StridedGeometry g;
  g.ndim = static_cast<int32_t>(values.size() / 3);
  for (int d = 0; d < g.ndim; ++d) {
    for (int part = 0; part < 3; ++part) {
      const double v = values[static_cast<size_t>(part * g.ndim + d)];
      if (!(v >= 0 && v <= 9007199254740991.0) || v != static_cast<double>(static_cast<int64_t>(v))) {
        throw Error(ErrorKind::Argument, argLabel(index, name) + " holds a value that is not an integer >= 0");
      }
    }
    g.shape[d] = static_cast<int64_t>(values[static_cast<size_t>(d)]);
    g.stride0[d] = static_cast<int64_t>(values[static_cast<size_t>(g.ndim + d)]);
    g.stride1[d] = static_cast<int64_t>(values[static_cast<size_t>(2 * g.ndim + d)]);
  }
  return g;
}

// One past the last element the geometry reaches through `strides` (0 when it is empty), in
// double so unchecked products cannot overflow.
inline double geometryExtent(const StridedGeometry& g, const int64_t* strides) {
  double last = 0;
  for (int d = 0; d < g.ndim; ++d) {
    if (g.shape[d] == 0) return 0;
    last += static_cast<double>(g.shape[d] - 1) * static_cast<double>(strides[d]);
  }
  return last + 1;
}

inline void requireWithin(const StridedGeometry& g, const int64_t* strides, double offset, int64_t numel, const char* what) {
  if (offset + geometryExtent(g, strides) > static_cast<double>(numel) && geometryExtent(g, strides) > 0) {
    throw Error(ErrorKind::Shape, std::string("the geometry reaches outside ") + what + " (" + std::to_string(numel) + " elements)");
  }
}

}  // namespace gru
