// Elementwise loops and reductions on host memory, written so GCC vectorises them.
#pragma once
#include <cstdint>

namespace gru {

enum class BinaryOp : int32_t { Add = 0, Sub = 1, Mul = 2, Div = 3 };

template <BinaryOp Op, typename T>
inline T applyBinary(T a, T b) {
  if constexpr (Op == BinaryOp::Add) return a + b;
  if constexpr (Op == BinaryOp::Sub) return a - b;
  if constexpr (Op == BinaryOp::Mul) return a * b;
  return a / b;
}

// out[i] = a[i] op b[i], or a[i] op b[0] when bScalar.
template <BinaryOp Op, typename T>
void binaryLoop(T* out, const T* a, const T* b, int64_t n, bool bScalar) {
  if (bScalar) {
    const T scalar = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = applyBinary<Op>(a[i], scalar);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = applyBinary<Op>(a[i], b[i]);
  }
}

template <typename T>
void binaryDispatch(BinaryOp op, T* out, const T* a, const T* b, int64_t n, bool bScalar) {
  switch (op) {
    case BinaryOp::Add: binaryLoop<BinaryOp::Add>(out, a, b, n, bScalar); break;
    case BinaryOp::Sub: binaryLoop<BinaryOp::Sub>(out, a, b, n, bScalar); break;
    case BinaryOp::Mul: binaryLoop<BinaryOp::Mul>(out, a, b, n, bScalar); break;
    case BinaryOp::Div: binaryLoop<BinaryOp::Div>(out, a, b, n, bScalar); break;
  }
}

// dst = alpha * src + beta * dst (beta = 0 never reads dst, so dst may be uninitialised).
template <typename T>
void axpbyLoop(T* dst, const T* src, int64_t n, T alpha, T beta) {
  if (beta == T(0)) {
    for (int64_t i = 0; i < n; ++i) dst[i] = alpha * src[i];
  } else {
    for (int64_t i = 0; i < n; ++i) dst[i] = alpha * src[i] + beta * dst[i];
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

}  // namespace gru
