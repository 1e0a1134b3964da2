// The per-element math of the binary ops, written once for the CPU loops (cpu/elementwise.h)
// and the CUDA kernels (cuda/kernels/elementwise.cu).
#pragma once
#include <math.h>

#include "host_device.h"
#include "op_codes.h"

namespace gru {

template <BinaryOp Op>
struct BinaryFn;

template <>
struct BinaryFn<BinaryOp::Add> {
  template <typename T>
  GRU_HOST_DEVICE T operator()(T a, T b) const { return a + b; }
};
template <>
struct BinaryFn<BinaryOp::Sub> {
  template <typename T>
  GRU_HOST_DEVICE T operator()(T a, T b) const { return a - b; }
};
template <>
struct BinaryFn<BinaryOp::Mul> {
  template <typename T>
  GRU_HOST_DEVICE T operator()(T a, T b) const { return a * b; }
};
template <>
struct BinaryFn<BinaryOp::Div> {
  template <typename T>
  GRU_HOST_DEVICE T operator()(T a, T b) const { return a / b; }
};

template <>
struct BinaryFn<BinaryOp::Pow> {
  template <typename T>
  GRU_HOST_DEVICE T operator()(T a, T b) const { return pow(a, b); }
};
// maximum and minimum propagate NaN from either side, as torch does.
template <>
struct BinaryFn<BinaryOp::Maximum> {
  template <typename T>
  GRU_HOST_DEVICE T operator()(T a, T b) const { return (a > b || a != a) ? a : b; }
};
template <>
struct BinaryFn<BinaryOp::Minimum> {
  template <typename T>
  GRU_HOST_DEVICE T operator()(T a, T b) const { return (a < b || a != a) ? a : b; }
};
#define GRU_COMPARISON_FN(name, expr)                                          \
  template <>                                                                   \
  struct BinaryFn<BinaryOp::name> {                                             \
    template <typename T>                                                       \
    GRU_HOST_DEVICE T operator()(T a, T b) const { return (expr) ? T(1) : T(0); } \
  };
GRU_COMPARISON_FN(Eq, a == b)
GRU_COMPARISON_FN(Ne, a != b)
GRU_COMPARISON_FN(Lt, a < b)
GRU_COMPARISON_FN(Le, a <= b)
GRU_COMPARISON_FN(Gt, a > b)
GRU_COMPARISON_FN(Ge, a >= b)
#undef GRU_COMPARISON_FN

// Calls body(BinaryFn<op>{}): one switch, so a backend instantiates its loop per op without
// listing the ops again.
template <typename Body>
void withBinaryFn(BinaryOp op, Body&& body) {
  switch (op) {
#define GRU_BINARY_CASE(name, value, js) \
  case BinaryOp::name: body(BinaryFn<BinaryOp::name>{}); return;
    GRU_BINARY_OPS(GRU_BINARY_CASE)
#undef GRU_BINARY_CASE
  }
}

// dst = alpha * src + beta * dst; beta == 0 never reads dst (it may be uninitialised).
template <typename T>
GRU_HOST_DEVICE inline T axpbyValue(T src, T dst, T alpha, T beta) {
  return beta == T(0) ? alpha * src : alpha * src + beta * dst;
}

}  // namespace gru
