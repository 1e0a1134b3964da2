// Elementwise loops and reductions on host memory over the shared functors
// (ops/binary_functors.h), written so GCC vectorises them.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "../ops/binary_functors.h"
#include "../ops/strided.h"
#include "kernel_targets.h"

namespace gru {

// sums[j] += m[r * ld + j] over the rows, accumulated in Acc: the bias gradients (column sums
// of a gradient). Inlined into each caller's GRU_HOT_KERNEL function, so it vectorises per target.
template <typename In, typename Acc>
GRU_ALWAYS_INLINE void addColumnSumsOf(int64_t rows, int64_t cols, int64_t ld, const In* __restrict m, Acc* __restrict sums) {
  for (int64_t r = 0; r < rows; ++r) {
    const In* row = m + r * ld;
    for (int64_t j = 0; j < cols; ++j) sums[j] += row[j];
  }
}

// out[i] = a[i] op b[i], or a[i] op b[0] when bScalar.
template <typename Fn, typename T>
void binaryLoop(Fn fn, T* out, const T* a, const T* b, int64_t n, bool bScalar) {
  if (bScalar) {
    const T scalar = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = fn(a[i], scalar);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = fn(a[i], b[i]);
  }
}

// Calls visit(offset0, offset1, count, step0, step1) for each run of the innermost dimension of
// the geometry (Note [Strided geometry]): the one walk the strided CPU loops share.
template <typename Visit>
void forEachRun(const StridedGeometry& g, Visit visit) {
  if (g.ndim == 0) {
    visit(int64_t{0}, int64_t{0}, int64_t{1}, int64_t{0}, int64_t{0});
    return;
  }
  const int last = g.ndim - 1;
  if (g.shape[last] == 0) return;
  const int64_t runs = g.numel() / g.shape[last];
  int64_t index[kMaxStridedDims] = {};
  for (int64_t run = 0; run < runs; ++run) {
    int64_t o0 = 0, o1 = 0;
    for (int d = 0; d < last; ++d) {
      o0 += index[d] * g.stride0[d];
      o1 += index[d] * g.stride1[d];
    }
    visit(o0, o1, g.shape[last], g.stride0[last], g.stride1[last]);
    for (int d = last - 1; d >= 0; --d) {
      if (++index[d] < g.shape[d]) break;
      index[d] = 0;
    }
  }
}

// out (contiguous) = a op b, each read through the geometry.
template <typename Fn, typename T>
void broadcastLoop(Fn fn, T* out, const T* a, const T* b, const StridedGeometry& g) {
  T* o = out;
  forEachRun(g, [&](int64_t oa, int64_t ob, int64_t n, int64_t sa, int64_t sb) {
    const T *pa = a + oa, *pb = b + ob;
    // The common cases get loops GCC vectorises: both contiguous, or one operand broadcast.
    if (sa == 1 && sb == 1) for (int64_t i = 0; i < n; ++i) o[i] = fn(pa[i], pb[i]);
    else if (sa == 1 && sb == 0) for (int64_t i = 0; i < n; ++i) o[i] = fn(pa[i], pb[0]);
    else if (sa == 0 && sb == 1) for (int64_t i = 0; i < n; ++i) o[i] = fn(pa[0], pb[i]);
    else for (int64_t i = 0; i < n; ++i) o[i] = fn(pa[i * sa], pb[i * sb]);
    o += n;
  });
}

// beta == 0 gets its own loop, which never reads dst (it may be uninitialised).
template <typename T>
void axpbyLoop(T* dst, const T* src, int64_t n, T alpha, T beta) {
  if (beta == T(0)) {
    for (int64_t i = 0; i < n; ++i) dst[i] = axpbyValue(src[i], T(0), alpha, T(0));
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = axpbyValue(src[i], dst[i], alpha, beta);
  }
}

// Sum in double with 4 partial sums: float32 totals keep full precision on long vectors.
template <typename T>
double sumLoop(const T* a, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
  }
  for (; i < n; ++i) s0 += a[i];
  return (s0 + s1) + (s2 + s3);
}

template <typename T>
void fillLoop(T* dst, int64_t n, T value) {
  // Zeroing (zeroGrad, new accumulators) is most fills: memset runs it at the memory's speed.
  if (value == T(0) && !std::signbit(static_cast<double>(value))) {
    std::memset(dst, 0, static_cast<size_t>(n) * sizeof(T));
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = value;
}

}  // namespace gru
