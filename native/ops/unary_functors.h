// The per-element math of the unary ops and their derivatives, written once for the CPU loops
// and the CUDA kernels. forward(x, p0, p1) is the value; derivative(x, y, p0, p1) is dy/dx
// given x and y = forward(x), so backward passes can use whichever is cheaper.
#pragma once
#include <math.h>

#include "host_device.h"
#include "op_codes.h"
#include "sigmoid.h"

namespace gru {

template <UnaryOp Op>
struct UnaryFn;

template <>
struct UnaryFn<UnaryOp::Exp> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return exp(x); }
  template <typename T> GRU_HOST_DEVICE T derivative(T, T y, T, T) const { return y; }
};
template <>
struct UnaryFn<UnaryOp::Log> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return log(x); }
  template <typename T> GRU_HOST_DEVICE T derivative(T x, T, T, T) const { return T(1) / x; }
};
template <>
struct UnaryFn<UnaryOp::Sqrt> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return sqrt(x); }
  template <typename T> GRU_HOST_DEVICE T derivative(T, T y, T, T) const { return T(0.5) / y; }
};
template <>
struct UnaryFn<UnaryOp::Abs> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return fabs(x); }
  template <typename T> GRU_HOST_DEVICE T derivative(T x, T, T, T) const { return T((x > T(0)) - (x < T(0))); }
};
template <>
struct UnaryFn<UnaryOp::Relu> {
  // NaN stays NaN, as in torch.
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return x < T(0) ? T(0) : x; }
  template <typename T> GRU_HOST_DEVICE T derivative(T x, T, T, T) const { return x > T(0) ? T(1) : T(0); }
};
template <>
struct UnaryFn<UnaryOp::Tanh> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return tanh(x); }
  template <typename T> GRU_HOST_DEVICE T derivative(T, T y, T, T) const { return T(1) - y * y; }
};
template <>
struct UnaryFn<UnaryOp::Sigmoid> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return stableSigmoid(x); }
  template <typename T> GRU_HOST_DEVICE T derivative(T, T y, T, T) const { return y * (T(1) - y); }
};
template <>
struct UnaryFn<UnaryOp::Gelu> {
  // The exact (erf) form, torch's default approximate='none'.
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return T(0.5) * x * (T(1) + erf(x * T(0.70710678118654752440))); }
  template <typename T> GRU_HOST_DEVICE T derivative(T x, T, T, T) const {
    const T cdf = T(0.5) * (T(1) + erf(x * T(0.70710678118654752440)));
    const T pdf = exp(T(-0.5) * x * x) * T(0.39894228040143267794);
    return cdf + x * pdf;
  }
};
template <>
struct UnaryFn<UnaryOp::PowScalar> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T p, T) const { return pow(x, p); }
  // torch: an exponent of 0 has a zero gradient everywhere (even at x = 0).
  template <typename T> GRU_HOST_DEVICE T derivative(T x, T, T p, T) const { return p == T(0) ? T(0) : p * pow(x, p - T(1)); }
};
template <>
struct UnaryFn<UnaryOp::Clamp> {
  // NaN stays NaN; the gradient passes where lo <= x <= hi, as in torch.
  template <typename T> GRU_HOST_DEVICE T forward(T x, T lo, T hi) const { return x < lo ? lo : (x > hi ? hi : x); }
  template <typename T> GRU_HOST_DEVICE T derivative(T x, T, T lo, T hi) const { return x >= lo && x <= hi ? T(1) : T(0); }
};
template <>
struct UnaryFn<UnaryOp::Sign> {
  template <typename T> GRU_HOST_DEVICE T forward(T x, T, T) const { return x != x ? x : T((x > T(0)) - (x < T(0))); }
  template <typename T> GRU_HOST_DEVICE T derivative(T, T, T, T) const { return T(0); }
};

// Calls body(UnaryFn<op>{}): one switch, so a backend instantiates its loop per op.
template <typename Body>
void withUnaryFn(UnaryOp op, Body&& body) {
  switch (op) {
#define GRU_UNARY_CASE(name, value, js) \
  case UnaryOp::name: body(UnaryFn<UnaryOp::name>{}); return;
    GRU_UNARY_OPS(GRU_UNARY_CASE)
#undef GRU_UNARY_CASE
  }
}

}  // namespace gru
