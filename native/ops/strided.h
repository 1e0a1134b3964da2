// Note [Strided geometry]
// Elementwise ops over operands of different shapes (broadcasting), and copies of strided
// views (transpose, permute, expand, narrow on any dim), walk a contiguous output of `shape`
// while each operand is read (or written) at offset sum(index[d] * stride[d]). A broadcast
// dimension has stride 0. JS merges dimensions that are contiguous in every operand before
// calling, so most ops arrive with one or two dimensions.
#pragma once
#include <cstdint>

#include "host_device.h"

namespace gru {

constexpr int kMaxStridedDims = 8;

struct StridedGeometry {
  int32_t ndim = 0;
  int64_t shape[kMaxStridedDims] = {};
  // Element strides of up to two operands (binary: a and b; copy: dst and src).
  int64_t stride0[kMaxStridedDims] = {};
  int64_t stride1[kMaxStridedDims] = {};

  GRU_HOST_DEVICE int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }

  // The offsets of the element at flat position `index` of the output (row-major).
  GRU_HOST_DEVICE void offsetsOf(int64_t index, int64_t& offset0, int64_t& offset1) const {
    offset0 = 0;
    offset1 = 0;
    for (int d = ndim - 1; d >= 0; --d) {
      const int64_t i = index % shape[d];
      index /= shape[d];
      offset0 += i * stride0[d];
      offset1 += i * stride1[d];
    }
  }
};

}  // namespace gru
